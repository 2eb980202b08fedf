"""The iCalendar download, the token feeds (personal and per community) and the subscribe page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities.calendar import services
from activities.models import Activity, CalendarToken, Occurrence
from communities import services as community_services
from communities.models import Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries

LOGIN = resolve_url(settings.LOGIN_URL)


def schedule(community, title: str = "Practice round", *, days: int = 7, **kwargs) -> Activity:
    """An activity `days` from now at 10:00 Berlin, scheduled by a new coordinator of the community."""
    coordinator = Membership.objects.filter(community=community, role="coordinator").first()
    actor = coordinator.user if coordinator else coordinator_of(community)
    start = (timezone.now() + timedelta(days=days)).replace(
        tzinfo=None, hour=10, minute=0, second=0, microsecond=0
    )
    return services.activity_schedule(
        actor=actor,
        community=community,
        title=title,
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        **kwargs,
    )


def uids(response) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def uid(activity: Activity) -> str:
    return f"{activity.uid}@copsite"


def leave(user, community) -> None:
    membership = Membership.objects.get(user=user, community=community)
    community_services.membership_leave(user=user, membership=membership)


def token_of(user) -> str:
    return services.calendar_token_for(user=user).token


def my_feed_url(token: str) -> str:
    return reverse("activities:my_feed", kwargs={"token": token})


def community_feed_url(token: str, community) -> str:
    return reverse("activities:community_feed", kwargs={"token": token, "slug": community.slug})


def assert_feed_headers(response) -> None:
    """A feed is text/calendar, cached only privately, and neither reads nor sets a session."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


@pytest.fixture
def listed(db):
    return CommunityFactory(name="Open Data Practice", visibility="listed")


@pytest.fixture
def private(db):
    return CommunityFactory(name="Incident Reviews", visibility="private", join_policy="approval")


# --- The .ics download of one activity -------------------------------------------------------------------


class TestOccurrenceIcs:
    def url(self, occurrence: Occurrence) -> str:
        return reverse("activities:occurrence_ics", args=[occurrence.community.slug, occurrence.pk])

    def test_downloads_the_whole_series_as_an_attachment(self, client, listed):
        """Any date of a series gives the series (its rule and exceptions), and nothing else of the community."""
        series = schedule(listed, "Weekly clinic", repeat=Activity.Repeat.WEEKLY, repeat_count=4)
        other = schedule(listed, "Something else")
        client.force_login(member_of(listed))
        response = client.get(self.url(series.occurrences.get(sequence=3)))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="weekly-clinic.ics"'
        assert uids(response) == {uid(series)}
        assert uid(other) not in uids(response)
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert event["RRULE"]["COUNT"] == [4]

    @pytest.mark.parametrize(
        ("title", "filename"),
        [
            ('Ärger: "quotes"; and ../../slashes\\', "arger-quotes-and-slashes.ics"),
            ("Kaffee & Küche\r\nSet-Cookie: x=y", "kaffee-kuche-set-cookie-xy.ics"),
            ("!!! ???", "activity.ics"),
        ],
    )
    def test_the_filename_is_safe(self, client, listed, title, filename):
        """The title becomes a slug: no quotes, paths or header tricks reach the Content-Disposition."""
        activity = schedule(listed, title)
        client.force_login(member_of(listed))
        response = client.get(self.url(activity.occurrences.get()))
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'

    def test_a_reader_of_a_listed_community_may_download(self, client, listed):
        """Listed communities' activities are visible to every signed-in person, so is their .ics."""
        activity = schedule(listed)
        client.force_login(UserFactory())
        assert client.get(self.url(activity.occurrences.get())).status_code == 200

    def test_members_sponsors_and_staff_of_a_private_community_may_download(self, client, private):
        activity = schedule(private)
        sponsor = SponsorshipFactory(community=private).sponsor
        for person in (member_of(private), sponsor, UserFactory(is_staff=True)):
            client.force_login(person)
            assert client.get(self.url(activity.occurrences.get())).status_code == 200

    def test_wrong_method(self, client, listed):
        activity = schedule(listed)
        client.force_login(member_of(listed))
        assert client.post(self.url(activity.occurrences.get())).status_code == 405

    def test_login_required(self, client, listed):
        activity = schedule(listed)
        response = client.get(self.url(activity.occurrences.get()))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)

    def test_an_outsider_of_a_private_community_gets_404(self, client, private):
        activity = schedule(private)
        client.force_login(UserFactory())
        assert client.get(self.url(activity.occurrences.get())).status_code == 404

    def test_a_member_who_left_a_private_community_gets_404(self, client, private):
        activity = schedule(private)
        former = member_of(private)
        leave(former, private)
        client.force_login(former)
        assert client.get(self.url(activity.occurrences.get())).status_code == 404

    def test_a_date_of_another_community_is_404_here(self, client, listed, private):
        """The slug and the date must match: a private community's date is not reachable through another."""
        secret = schedule(private)
        client.force_login(member_of(listed))
        url = reverse("activities:occurrence_ics", args=[listed.slug, secret.occurrences.get().pk])
        assert client.get(url).status_code == 404
        url = reverse("activities:occurrence_ics", args=[listed.slug, 999_999])
        assert client.get(url).status_code == 404


# --- The personal feed -----------------------------------------------------------------------------------


class TestMyFeed:
    def test_every_activity_of_every_community_i_am_a_member_of(self, client, listed, private):
        """Listed and private communities I belong to; not those I do not belong to, nor those I left."""
        elsewhere = CommunityFactory()
        gone = CommunityFactory()
        me = member_of(listed)
        MembershipFactory(community=private, user=me)
        MembershipFactory(community=gone, user=me)
        leave(me, gone)
        mine = [schedule(listed), schedule(private, repeat=Activity.Repeat.WEEKLY, repeat_count=3)]
        not_mine = [schedule(elsewhere), schedule(gone)]

        response = client.get(my_feed_url(token_of(me)))
        assert_feed_headers(response)
        assert uids(response) == {uid(a) for a in mine}
        assert not uids(response) & {uid(a) for a in not_mine}
        assert Calendar.from_ical(response.content)["X-WR-CALNAME"] == f"{settings.SITE_NAME}: my communities"

    def test_an_empty_feed_is_still_a_calendar(self, client, db):
        response = client.get(my_feed_url(token_of(UserFactory())))
        assert_feed_headers(response)
        assert Calendar.from_ical(response.content).walk("VEVENT") == []

    def test_long_past_series_drop_out_of_the_feed(self, client, listed):
        """Only series with a date in the last year or later: the feed does not grow forever."""
        me = member_of(listed)
        old = schedule(listed, "Long ago", days=-400, past_confirmed=True)
        recent = schedule(listed, "Last month", days=-30, past_confirmed=True)
        assert uids(client.get(my_feed_url(token_of(me)))) == {uid(recent)}
        assert old.occurrences.exists()

    def test_dates_at_the_ends_of_the_calendar_never_break_a_feed(self, client, listed):
        """Rows stored before dates were checked (issue 14, item 1): 9999-12-31 23:00 in Kiritimati and year 1
        in Los Angeles. Every feed and the activity's .ics still answer."""
        me = member_of(listed)
        for zone, start in (
            ("Pacific/Kiritimati", datetime(9999, 12, 31, 9, 0, tzinfo=UTC)),
            ("America/Los_Angeles", datetime(1, 1, 1, 8, 0, tzinfo=UTC)),
        ):
            activity = Activity.objects.create(community=listed, title=f"Far {zone}", time_zone=zone)
            Occurrence.objects.create(
                activity=activity,
                community=listed,
                sequence=1,
                original_start=start,
                start=start,
                end=start + timedelta(minutes=30),
            )
        for url in (my_feed_url(token_of(me)), community_feed_url(token_of(me), listed)):
            assert_feed_headers(client.get(url))
        client.force_login(me)
        for occurrence in Occurrence.objects.filter(community=listed):
            response = client.get(reverse("activities:occurrence_ics", args=[listed.slug, occurrence.pk]))
            assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content

    def test_calendar_apps_may_ask_head(self, client, listed):
        response = client.head(my_feed_url(token_of(member_of(listed))))
        assert response.status_code == 200

    def test_wrong_method(self, client, listed):
        assert client.post(my_feed_url(token_of(member_of(listed)))).status_code == 405

    def test_a_forged_token_is_404(self, client, listed):
        token_of(member_of(listed))
        assert client.get(my_feed_url("not-a-real-token-at-all-000000")).status_code == 404

    def test_a_reset_token_is_404_and_the_new_one_works(self, client, listed):
        me = member_of(listed)
        old = token_of(me)
        new = services.calendar_token_reset(user=me).token
        assert new != old
        assert client.get(my_feed_url(old)).status_code == 404
        assert client.get(my_feed_url(new)).status_code == 200

    def test_a_deactivated_person_is_404(self, client, listed):
        me = member_of(listed)
        token = token_of(me)
        me.is_active = False
        me.save(update_fields=["is_active"])
        assert client.get(my_feed_url(token)).status_code == 404

    def test_a_signed_in_visitors_session_is_left_alone(self, client, listed):
        """Opening a feed in a browser where someone is signed in neither reads nor changes their session."""
        client.force_login(UserFactory())
        response = client.get(my_feed_url(token_of(member_of(listed))))
        assert_feed_headers(response)

    def test_query_count_does_not_grow(self, client, listed):
        """2 queries whatever the data: (1) the token with its person, (2) the occurrences of the series with a
        recent date in the person's communities, with their activity and community."""
        me = member_of(listed)
        assert_constant_queries(client, my_feed_url(token_of(me)), grow=grow_feeds(me, listed), expected=2)


# --- A community's feed ----------------------------------------------------------------------------------


class TestCommunityFeed:
    def test_a_listed_community_needs_any_valid_token(self, client, listed):
        """Listed communities are open to every signed-in person, so to every valid token."""
        activity = schedule(listed)
        other = schedule(CommunityFactory())
        response = client.get(community_feed_url(token_of(UserFactory()), listed))
        assert_feed_headers(response)
        assert uids(response) == {uid(activity)}
        assert uid(other) not in uids(response)

    def test_a_private_community_through_its_members_sponsors_and_staff(self, client, private):
        activity = schedule(private)
        sponsor = SponsorshipFactory(community=private).sponsor
        for person in (member_of(private), sponsor, UserFactory(is_staff=True)):
            response = client.get(community_feed_url(token_of(person), private))
            assert_feed_headers(response)
            assert uids(response) == {uid(activity)}

    def test_a_private_community_without_a_members_token_is_404(self, client, private, listed):
        schedule(private)
        outsider = member_of(listed)
        assert client.get(community_feed_url(token_of(outsider), private)).status_code == 404

    def test_a_member_who_left_gets_404_for_a_private_community(self, client, private, listed):
        """Leaving stops the private feed at once; a listed community's feed stays open like its pages."""
        former = member_of(private)
        MembershipFactory(community=listed, user=former)
        token = token_of(former)
        assert client.get(community_feed_url(token, private)).status_code == 200
        leave(former, private)
        leave(former, listed)
        assert client.get(community_feed_url(token, private)).status_code == 404
        assert client.get(community_feed_url(token, listed)).status_code == 200

    def test_wrong_method(self, client, listed):
        assert client.post(community_feed_url(token_of(member_of(listed)), listed)).status_code == 405

    def test_a_forged_token_is_404(self, client, listed):
        assert client.get(community_feed_url("forged-token-0000000000000000", listed)).status_code == 404

    def test_a_reset_token_is_404(self, client, private):
        me = member_of(private)
        old = token_of(me)
        new = services.calendar_token_reset(user=me).token
        assert client.get(community_feed_url(old, private)).status_code == 404
        assert client.get(community_feed_url(new, private)).status_code == 200

    def test_a_deactivated_person_is_404(self, client, listed):
        me = member_of(listed)
        token = token_of(me)
        me.is_active = False
        me.save(update_fields=["is_active"])
        assert client.get(community_feed_url(token, listed)).status_code == 404

    def test_an_unknown_community_is_404(self, client, listed):
        token = token_of(member_of(listed))
        url = reverse("activities:community_feed", kwargs={"token": token, "slug": "no-such-community"})
        assert client.get(url).status_code == 404

    def test_query_count_does_not_grow(self, client, private):
        """3 queries whatever the data: (1) the token with its person, (2) the community with whether they
        sponsor it and their membership, (3) the occurrences of its series with a recent date, with their
        activity and community."""
        me = member_of(private)
        url = community_feed_url(token_of(me), private)
        assert_constant_queries(client, url, grow=grow_feeds(me, private), expected=3)


def grow_feeds(person, community):
    """Twelve times `n` of everything a feed reads: communities the person belongs to (one of them sponsored by
    someone with a token of their own), series and one-offs in them and in `community`."""

    def grow(n: int) -> None:
        start = timezone.now() + timedelta(days=3)
        for i in range(12 * n):
            other = CommunityFactory()
            MembershipFactory(community=other, user=person)
            sponsor = UserFactory()
            SponsorshipFactory(community=other, sponsor=sponsor)
            CalendarToken.objects.create(user=sponsor)
            for where in (other, community):
                activity = Activity.objects.create(
                    community=where,
                    title=f"Grown {i}",
                    time_zone="Europe/Berlin",
                    repeat=Activity.Repeat.WEEKLY,
                    repeat_count=3,
                )
                Occurrence.objects.bulk_create(
                    Occurrence(
                        activity=activity,
                        community=where,
                        sequence=k + 1,
                        original_start=start + timedelta(weeks=k),
                        start=start + timedelta(weeks=k),
                        end=start + timedelta(weeks=k, hours=1),
                        cancelled=k == 1,
                    )
                    for k in range(3)
                )

    return grow


# --- The subscribe page and resetting the links ----------------------------------------------------------


class TestSubscribe:
    url = reverse("activities:subscribe")

    def test_shows_absolute_feed_links_with_labels(self, client, settings, listed, private):
        settings.SITE_URL = "https://cop.example.org"
        me = member_of(listed)
        MembershipFactory(community=private, user=me)
        client.force_login(me)
        response = client.get(self.url)
        assert response.status_code == 200
        token = CalendarToken.objects.get(user=me).token
        html = response.content.decode()
        personal = f"https://cop.example.org{my_feed_url(token)}"
        assert f">{personal}</textarea>" in html
        assert 'for="feed-mine"' in html and 'id="feed-mine"' in html
        assert f'href="webcal://cop.example.org{my_feed_url(token)}"' in html
        for community in (listed, private):
            assert f">https://cop.example.org{community_feed_url(token, community)}</textarea>" in html
            assert f'for="feed-{community.slug}"' in html
        for app in ("Outlook", "Google Calendar", "Apple Calendar"):
            assert app in html
        assert f'action="{reverse("activities:reset_token")}"' in html

    def test_the_links_it_shows_work(self, client, listed):
        me = member_of(listed)
        schedule(listed)
        client.force_login(me)
        response = client.get(self.url)
        client.logout()
        links = [feed["url"] for feed in response.context["community_feeds"]] + [
            response.context["personal_url"]
        ]
        for link in links:
            assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200

    def test_someone_without_communities_is_shown_where_to_find_one(self, client, member):
        client.force_login(member)
        response = client.get(self.url)
        assert response.status_code == 200
        assert reverse("communities:browse") in response.content.decode()
        assert response.context["community_feeds"] == []

    def test_query_count_does_not_grow(self, client, listed):
        """3 queries whatever the number of communities (the session lives in the cache): (1) the person,
        (2) their calendar token, (3) their active memberships with the communities."""
        me = member_of(listed)
        token_of(me)
        client.force_login(me)
        assert_constant_queries(client, self.url, grow=grow_feeds(me, listed), expected=3)

    def test_login_required(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)

    def test_wrong_method(self, member_client):
        assert member_client.post(self.url).status_code == 405


class TestResetToken:
    url = reverse("activities:reset_token")

    def test_makes_new_links_and_stops_the_old_ones(self, client, listed):
        me = member_of(listed)
        old = token_of(me)
        client.force_login(me)
        response = client.post(self.url)
        assert response.status_code == 302 and response["Location"] == reverse("activities:subscribe")
        assert "old links stop working" in str(next(iter(get_messages(response.wsgi_request))))
        new = CalendarToken.objects.get(user=me).token
        assert new != old
        client.logout()
        assert client.get(my_feed_url(old)).status_code == 404
        assert client.get(community_feed_url(old, listed)).status_code == 404
        assert client.get(my_feed_url(new)).status_code == 200

    def test_the_page_after_a_reset_shows_the_new_link(self, client, listed):
        me = member_of(listed)
        old = token_of(me)
        client.force_login(me)
        page = client.post(self.url, follow=True).content.decode()
        assert old not in page
        assert CalendarToken.objects.get(user=me).token in page
        assert "old links stop working" in page

    def test_wrong_method_changes_nothing(self, client, listed):
        me = member_of(listed)
        old = token_of(me)
        client.force_login(me)
        assert client.get(self.url).status_code == 405
        assert CalendarToken.objects.get(user=me).token == old

    def test_login_required(self, client, listed):
        me = member_of(listed)
        old = token_of(me)
        response = client.post(self.url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert CalendarToken.objects.get(user=me).token == old
