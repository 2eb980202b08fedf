"""Rate limits (issue 14, item 7): search, calendar feeds, people suggestions, exports and previews, reporting a
post, email invitations and unsubscribe each take a limited number of requests per period, counted per person,
per token for feeds and per address for anonymous requests; past it, the site's 429 page.

The tests set small limits (settings.RATE_LIMITS is read on each request) and run against the real Redis cache;
one runs the counter on the in-process cache of `make run` too, and one runs `manage.py check` in both set-ups.
"""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from activities.calendar import services as activity_services
from activities.discussions import services as discussion_services
from copsite import config
from core import ratelimits
from core.unsubscribe import unsubscribe_token
from tests.copsite.test_settings import start_django
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many requests at once"
SCOPES = ("search", "suggest", "feeds", "exports", "post_reports", "invitations", "unsubscribe")


@pytest.fixture
def limits(settings, monkeypatch):
    """Every limit at 3 requests a minute, unless a test says otherwise; the limiter's clock stands still in the
    middle of a minute, so a slow run cannot cross into the next window halfway through a test."""
    settings.RATE_LIMITS = dict.fromkeys(SCOPES, (3, 60))
    still = (int(time.time()) // 60) * 60 + 30.0
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: still))
    return settings.RATE_LIMITS


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert TOO_MANY in response.text and 'aria-label="Main"' in response.text  # the page in the site's layout
    assert 1 <= int(response["Retry-After"]) <= 60


def test_search_answers_429_past_the_limit_and_only_for_that_person(limits):
    me, colleague = UserFactory(), UserFactory()
    mine, theirs = signed_in(me), signed_in(colleague)
    for _ in range(3):
        assert mine.get(reverse("search"), {"q": "lean"}).status_code == 200
    assert_limited(mine.get(reverse("search"), {"q": "lean"}))
    assert theirs.get(reverse("search"), {"q": "lean"}).status_code == 200  # counted per person
    # The same person from another address is the same person.
    assert_limited(mine.get(reverse("search"), {"q": "lean"}, REMOTE_ADDR="10.9.9.9"))


def test_a_signed_out_request_is_sent_to_sign_in_uncounted(limits, client):
    for _ in range(5):
        assert client.get(reverse("search"), {"q": "lean"}).status_code == 302


def test_the_limit_resets_with_the_next_window(limits, member_client, monkeypatch):
    now = 1_800_000_000.0  # a minute's start
    monkeypatch.setattr(ratelimits.time, "time", lambda: now)
    for _ in range(3):
        assert member_client.get(reverse("search")).status_code == 200
    response = member_client.get(reverse("search"))
    assert response.status_code == 429 and response["Retry-After"] == "60"
    now += 60
    assert member_client.get(reverse("search")).status_code == 200


def test_calendar_feeds_are_limited_per_token_whatever_the_address(limits, client):
    community = CommunityFactory()
    ada, bob = member_of(community), member_of(community)
    ada_token = activity_services.calendar_token_for(user=ada).token
    bob_token = activity_services.calendar_token_for(user=bob).token
    mine = reverse("activities:my_feed", kwargs={"token": ada_token})
    theirs = reverse("activities:community_feed", kwargs={"token": ada_token, "slug": community.slug})
    for address in ("10.0.0.1", "10.0.0.2"):
        assert client.get(mine, REMOTE_ADDR=address).status_code == 200
    assert client.get(theirs, REMOTE_ADDR="10.0.0.3").status_code == 200
    # A fourth fetch with the same token, from yet another address (a calendar service's), is one too many.
    assert_limited(client.get(mine, REMOTE_ADDR="10.0.0.4"))
    # Another member's token from the very same address is not affected.
    assert client.get(reverse("activities:my_feed", kwargs={"token": bob_token})).status_code == 200


def test_an_unknown_feed_token_is_counted_too(limits, client):
    url = reverse("activities:my_feed", kwargs={"token": "guessed-token"})
    for _ in range(3):
        assert client.get(url).status_code == 404
    assert client.get(url).status_code == 429


def test_anonymous_unsubscribe_is_limited_per_address(limits, member):
    url = reverse("members:unsubscribe", args=[unsubscribe_token(member.pk, "mentions")])
    one, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(3):
        assert one.get(url).status_code == 200
    assert_limited(one.get(url))
    assert_limited(
        one.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    )
    assert other.get(url).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(limits, member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = reverse("members:unsubscribe", args=[unsubscribe_token(member.pk, "mentions")])
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        assert proxy.get(url, headers={"x-forwarded-for": "198.51.100.1"}).status_code == 200
    assert proxy.get(url, headers={"x-forwarded-for": "198.51.100.1"}).status_code == 429
    assert proxy.get(url, headers={"x-forwarded-for": "198.51.100.2"}).status_code == 200


def test_people_suggestions_are_limited_per_person(limits):
    UserFactory(full_name="Ada Lovelace")
    mine, theirs = signed_in(UserFactory()), signed_in(UserFactory())
    for _ in range(3):
        assert mine.get(reverse("members:suggest"), {"q": "ad"}).status_code == 200
    assert mine.get(reverse("members:suggest"), {"q": "ad"}).status_code == 429
    assert theirs.get(reverse("members:suggest"), {"q": "ad"}).status_code == 200


def test_exports_and_previews_share_one_limit_per_person(limits):
    community = CommunityFactory()
    staff = coordinator_of(community, user__is_staff=True, user__is_superuser=True)
    client = signed_in(staff)
    assert client.get(reverse("insights:chart_csv", args=[community.slug, "membership"])).status_code == 200
    assert client.get(reverse("communities:export_members", args=[community.slug])).status_code == 200
    assert client.get(reverse("insights:preview", args=["coordinator_digest"])).status_code == 200
    assert_limited(client.get(reverse("insights:chart_csv", args=[community.slug, "membership"])))
    assert (
        signed_in(coordinator_of(community))
        .get(reverse("communities:export_members", args=[community.slug]))
        .status_code
        == 200
    )


def test_reporting_a_post_limits_the_reports_sent_not_the_form(limits):
    community = CommunityFactory()
    author, reporter = member_of(community), member_of(community)
    urls = [
        reverse("activities:discussion_report", args=[community.slug, discussion.pk])
        for discussion in (
            discussion_services.discussion_start(
                author=author, community=community, title=f"Shift handover {number}", body="How do you do it?"
            )
            for number in range(4)
        )
    ]
    client = signed_in(reporter)
    for _ in range(4):
        assert client.get(urls[0]).status_code == 200  # the form is not counted
    for url in urls[:3]:
        assert client.post(url, {"reason": "Off topic"}).status_code == 302
    assert_limited(client.post(urls[3], {"reason": "Off topic"}))


def test_sending_email_invitations_is_limited_per_person(limits):
    community = CommunityFactory(join_policy="invitation")
    client = signed_in(coordinator_of(community))
    url = reverse("communities:invite", args=[community.slug])
    for number in range(3):
        response = client.post(url, {"emails": f"guest{number}@example.org", "level": "peripheral"})
        assert response.status_code == 302
    assert_limited(client.post(url, {"emails": "guest9@example.org", "level": "peripheral"}))
    assert community.email_invitations.count() == 3


def test_allauth_sign_in_limits_answer_with_the_same_429():
    """One 429 response for the whole site: allauth looks up ROOT_URLCONF.handler429."""
    from copsite import urls

    assert urls.handler429 == "core.ratelimits.too_many_requests"


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate-limits"}
    }
)
def test_the_counter_works_on_the_in_process_cache_of_make_run(limits, member):
    assert caches["default"].__class__.__name__ == "LocMemCache"
    member_client = signed_in(member)  # the session too is in this cache when sessions live in the cache
    for _ in range(3):
        assert member_client.get(reverse("search")).status_code == 200
    assert member_client.get(reverse("search")).status_code == 429
    caches["default"].clear()


def test_default_limits_are_set_for_every_scope_in_use():
    from django.conf import settings

    assert set(settings.RATE_LIMITS) == set(SCOPES)
    assert all(requests >= 1 and seconds >= 1 for requests, seconds in settings.RATE_LIMITS.values())


def test_rate_limits_come_from_the_environment(monkeypatch):
    defaults = {"search": "30/m", "feeds": "60/10m"}
    assert config.env_rates("COPSITE_TEST_RATES", defaults) == {"search": (30, 60), "feeds": (60, 600)}
    monkeypatch.setenv("COPSITE_TEST_RATES", "search=100/h, feeds=5/2d")
    assert config.env_rates("COPSITE_TEST_RATES", defaults) == {"search": (100, 3600), "feeds": (5, 172800)}
    for bad, message in [
        ("searches=1/m", "unknown limit 'searches'"),
        ("search=lots", "search='lots' is not a rate"),
        ("search=0/m", "search='0/m' is not a rate"),
        ("search=10/fortnight", "is not a rate"),
    ]:
        monkeypatch.setenv("COPSITE_TEST_RATES", bad)
        with pytest.raises(ImproperlyConfigured, match=message):
            config.env_rates("COPSITE_TEST_RATES", defaults)


def test_a_scope_without_a_limit_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="no 'typo'"):
        ratelimits.rate_limited("typo")


@pytest.mark.slow
@pytest.mark.parametrize("redis", [False, True], ids=["in-process cache", "redis cache"])
def test_manage_py_check_is_clean_with_either_cache(redis, tmp_path):
    """No system check complains (or is silenced) with the cache of `make run` nor with Django's Redis cache."""
    env = {"VAR_DIR": str(tmp_path), "RATE_LIMITS": "search=10/m"}
    if redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    result = start_django(["check", "--fail-level", "DEBUG"], **env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
