"""The base layout, main pages, Content-Security-Policy and templates that respect it."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.fixtures.services import ROOT

pytestmark = pytest.mark.django_db

MAIN_PAGES = [
    "home",
    "communities:browse",
    "activities:calendar",
    "repertoire:library",
    "members:directory",
    "search",
]


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_need_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_render_with_layout_and_csp(member_client, name):
    """Every page has the skip link, the navigation, a main landmark and a nonce-only script policy."""
    response = member_client.get(reverse(name), {"q": "lean"} if name == "search" else {})
    assert response.status_code == 200
    html = response.text
    assert 'href="#main">Skip to main content</a>' in html
    assert '<nav class="navbar' in html and 'aria-label="Main"' in html
    assert '<main id="main"' in html
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert html.count(f'nonce="{nonce}"') == 3  # bootstrap, htmx, app.js
    # Nothing is loaded from elsewhere: every script and style comes from our origin (a CSRF token, random, could
    # spell "cdn": it is not a source).
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources and not [source for source in sources if "//" in source or "cdn" in source.lower()]


def test_csp_header_on_login_and_admin(client, staff):
    assert "script-src 'self' 'nonce-" in client.get(reverse("account_login"))["Content-Security-Policy"]
    client.force_login(staff)
    assert "Content-Security-Policy" in client.get(reverse("admin:index"))


def test_dashboard_link_only_for_staff(client, member, staff):
    client.force_login(member)
    assert ">Dashboard</a>" not in client.get(reverse("home")).text
    client.force_login(staff)
    assert ">Dashboard</a>" in client.get(reverse("home")).text


def test_admin_sends_anonymous_visitors_to_our_login(client):
    """The admin's own login form is replaced by ours, so two-factor authentication guards it too."""
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_refuses_non_staff(member_client):
    """A signed-in member who is not staff is refused at the admin login rather than shown a second form."""
    response = member_client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_home_shows_sections(member_client):
    html = member_client.get(reverse("home")).text
    for section in ("My communities", "Upcoming activities", "Recent activity"):
        assert section in html


def test_search_page_keeps_query(member_client):
    response = member_client.get(reverse("search"), {"q": "<b>lean</b>"})
    assert "&lt;b&gt;lean&lt;/b&gt;" in response.text
    assert "<b>lean</b>" not in response.text


def test_our_templates_use_no_inline_styles_scripts_or_hx_on():
    """CSP forbids inline style attributes and inline handlers; our templates must not rely on them."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "mail" in path.relative_to(ROOT / "templates").parts[:1]:
            continue  # mail is read in mail clients, not under the site's policy
        text = path.read_text()
        for pattern in (
            r"\sstyle=",
            r"\s(data-)?hx-on",
            r"\son[a-z]+=\"",
            r"<style",
            r"<script(?![^>]*nonce=)",
        ):
            if re.search(pattern, text):
                offenders.append(f"{Path(path).relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def test_static_assets_are_served_locally(member_client):
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/htmx/htmx.min.js",
        "css/app.css",
        "js/app.js",
    ):
        assert (ROOT / "static" / asset).exists(), asset


def test_home_lists_my_communities_with_level_and_waiting_items(member_client, member):
    from tests.factories import CommunityFactory, MembershipFactory

    MembershipFactory(user=member, community=CommunityFactory(name="Lean Circle"), level="active")
    MembershipFactory(user=member, community=CommunityFactory(name="Safety Leads"), status="invited")
    MembershipFactory(user=member, community=CommunityFactory(name="Old Club"), status="left")
    html = member_client.get(reverse("home")).text
    assert "Lean Circle" in html and ">Active</span>" in html
    assert "Safety Leads" in html and "Invitation waiting" in html
    assert "Old Club" not in html


def test_home_query_count_is_constant(member_client, member):
    """1 user, 2 my memberships with communities, 3 my current communities, 4 my upcoming dates in them, 5 my
    RSVPs on them, 6 the latest discussions and 7 the latest replies in my communities (recent activity). The
    session lives in Redis, with my time zone."""
    from communities.models import Community, Membership
    from tests.benchdata import seed_scaled
    from tests.querycount import assert_constant_queries, count_queries

    def grow(scale: int) -> None:
        seed_scaled(scale)
        pool = Community.objects.filter(slug__startswith="bench-").exclude(memberships__user=member)[
            : 3 * scale
        ]
        Membership.objects.bulk_create(
            [Membership(community=c, user=member, status="active", level="active") for c in pool]
        )

    assert_constant_queries(member_client, reverse("home"), grow=grow, expected=7, cold=True)
    # Seen again within the minute, the upcoming dates (activities.calendar.selectors.my_upcoming) and the recent
    # activity (copsite.selectors.recent_activity_kept) are kept: 4, 6 and 7 are not run.
    assert count_queries(member_client, reverse("home"))[0] == 4


# --- Error pages (issue 14, item 12) ------------------------------------------------------------------------


def test_a_403_is_a_page_in_the_layout_with_the_reason_and_ways_on(client):
    from tests.factories import CommunityFactory, member_of

    community = CommunityFactory(name="Reliability Guild")
    client.force_login(member_of(community))
    response = client.get(reverse("communities:manage_members", args=[community.slug]))
    assert response.status_code == 403
    text = response.text
    assert 'aria-label="Main"' in text and "You cannot do that here" in text
    assert "Only coordinators of Reliability Guild can do that." in text
    assert reverse("communities:browse") in text and reverse("search") in text


def test_a_404_is_a_page_in_the_layout(member_client):
    response = member_client.get("/c/no-such-community/")
    assert response.status_code == 404
    assert "There is nothing here" in response.text and 'aria-label="Main"' in response.text
    assert "No such community" not in response.text  # what the code said is not shown as if it were advice


def test_a_400_is_a_page_in_the_layout(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "That request could not be understood" in response.text


def test_a_429_from_the_rate_limits_is_a_page_in_the_layout(rf, member):
    from allauth.core.internal.ratelimit import respond_429
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    request = rf.get("/accounts/login/")
    request.user, request.session = member, SessionStore()
    request._messages = FallbackStorage(request)
    response = respond_429(request)
    assert response.status_code == 429
    assert "Too many requests at once" in response.content.decode()


def test_the_500_page_stands_alone(rf):
    """It renders with no context at all (the error may be in what the layout needs), yet looks like the site."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text and "bootstrap.min.css" in text and 'href="/"' in text


def test_the_kept_recent_activity_follows_every_change_it_shows(client):
    """The home page's recent activity is kept per set of communities and minute (recent_activity_kept): a new
    discussion, a reply, a hidden post, an author's new name and leaving a community each show at once; and two
    people in different communities never share it."""
    from activities.discussions import services
    from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

    guild, other = CommunityFactory(name="Guild"), CommunityFactory(name="Other")
    reader, author = UserFactory(), UserFactory(full_name="Ann Author")
    member_of(guild, user=reader)
    member_of(guild, user=author)
    member_of(other, user=author)
    moderator = coordinator_of(guild)

    def recent(person) -> str:
        client.force_login(person)
        text = client.get(reverse("home")).text
        return text[text.index('id="recent-activity"') :]

    assert "Old question" not in recent(reader)
    question = services.discussion_start(author=author, community=guild, title="Old question", body="Why?")
    assert "Ann Author started" in recent(reader) and "Old question" in recent(reader)
    services.reply_add(author=moderator, discussion=question, body="Because.")
    assert "replied to" in recent(reader)
    services.discussion_start(author=author, community=other, title="Elsewhere", body="Hm?")
    assert "Elsewhere" not in recent(reader) and "Elsewhere" in recent(author)
    author.full_name = "Ann Renamed"
    author.save()
    assert "Ann Renamed started" in recent(reader)
    services.post_hide(actor=moderator, post=question, reason="Off topic")
    assert "Old question" not in recent(reader)
    reader.memberships.filter(community=guild).update(status="left")  # no signal: the list of ids changes
    assert "replied to" not in recent(reader)


def test_the_kept_upcoming_dates_follow_new_dates_and_answers(client):
    """The home page's upcoming dates are kept per set of communities and minute: a new date and someone's answer
    (the count) show at once, and my own answer is mine."""
    from datetime import timedelta

    from django.utils import timezone

    from activities.calendar import services
    from tests.factories import CommunityFactory, coordinator_of, member_of

    guild = CommunityFactory(name="Guild")
    reader, neighbour = member_of(guild), member_of(guild)
    coordinator = coordinator_of(guild)

    def upcoming() -> str:
        client.force_login(reader)
        text = client.get(reverse("home")).text
        return text[text.index('id="upcoming-activities"') : text.index('id="recent-activity"')]

    assert "Kept clinic" not in upcoming()
    start = (timezone.now() + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    activity = services.activity_schedule(
        actor=coordinator,
        community=guild,
        title="Kept clinic",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="UTC",
    )
    assert "Kept clinic" in upcoming() and "0</strong> going" in upcoming()
    services.rsvp_set(user=neighbour, occurrence=activity.occurrences.get(), answer="going")
    assert "1</strong> going" in upcoming() and "You&#x27;re going" not in upcoming()
