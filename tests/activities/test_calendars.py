"""The community calendar (month grid and agenda, htmx navigation), my calendar, "What's on", and their query
counts at two sizes of data."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.calendar import services
from activities.calendar.selectors import month_bounds
from activities.models import Activity, Occurrence, Rsvp
from communities.models import Community, Membership
from tests.activities.test_schedule import first, schedule
from tests.benchdata import seed_scaled
from tests.factories import CommunityFactory, coordinator_of, member_of
from tests.querycount import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db
MY_CALENDAR = reverse("activities:calendar")
WHATS_ON = reverse("activities:whats_on")


def calendar_url(community: Community) -> str:
    return reverse("activities:community_calendar", args=[community.slug])


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def next_month() -> date:
    today = timezone.localdate()
    return (today.replace(day=28) + timedelta(days=7)).replace(day=1)


def at(
    community: Community, when: datetime, *, title: str = "Clinic", zone: str = "UTC", **kwargs
) -> Occurrence:
    """A one-off date at `when` (naive, in `zone`), one hour long."""
    coordinator = Membership.objects.filter(community=community, role="coordinator").first()
    actor = coordinator.user if coordinator else coordinator_of(community)
    activity = services.activity_schedule(
        actor=actor,
        community=community,
        title=title,
        start_local=when,
        end_local=when + timedelta(hours=1),
        time_zone=zone,
        **kwargs,
    )
    return first(activity)


# --- the community calendar -------------------------------------------------------------------------------


def test_month_grid_puts_each_date_on_its_day_monday_first(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    month = next_month()
    occurrence = at(community, datetime.combine(month.replace(day=12), datetime.min.time()).replace(hour=9))
    client.force_login(coordinator)
    response = client.get(calendar_url(community), {"month": month_of(month)})
    assert response.status_code == 200
    text = response.text
    assert text.index('<abbr title="Monday">Mon</abbr>') < text.index('<abbr title="Sunday">Sun</abbr>')
    assert response.context["calendar"].weeks[0][0].date.weekday() == 0
    day = next(
        d for week in response.context["calendar"].weeks for d in week if d.date == month.replace(day=12)
    )
    assert day.occurrences == [occurrence]
    assert '<span class="event-time">09:00</span> Clinic' in text
    assert f"{month:%B %Y}</h2>" in text
    assert 'class="nav-link active" aria-current="page" href="' + calendar_url(community) in text  # the tab


def test_today_is_highlighted(member_client):
    community = CommunityFactory()
    text = member_client.get(calendar_url(community)).text
    today = timezone.localdate()
    assert 'aria-current="date"><span aria-hidden="true">' + str(today.day) in text
    assert f"{today:%A} {today.day} {today:%B}, today" in text


def test_cancelled_date_is_struck_through(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    month = next_month()
    occurrence = at(community, datetime(month.year, month.month, 5, 9, 0))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="Strike")
    client.force_login(coordinator)
    text = client.get(calendar_url(community), {"month": month_of(month)}).text
    assert (
        '<span class="visually-hidden">Cancelled: </span><s><span class="event-time">09:00</span> Clinic</s>'
        in text
    )
    assert "Cancelled: Strike" in text  # in the agenda


def test_times_and_days_are_in_the_viewers_zone(client):
    """23:30 UTC on the 10th is 08:30 on the 11th in Tokyo."""
    community = CommunityFactory()
    month = next_month()
    occurrence = at(community, datetime(month.year, month.month, 10, 23, 30))
    viewer = member_of(community)
    viewer.profile.time_zone = "Asia/Tokyo"
    viewer.profile.save()
    client.force_login(viewer)
    response = client.get(calendar_url(community), {"month": month_of(month)})
    day = next(d for week in response.context["calendar"].weeks for d in week if d.occurrences)
    assert day.date == month.replace(day=11)
    assert '<span class="event-time">08:30</span>' in response.text
    assert '<abbr class="zone" title="Asia/Tokyo">JST</abbr>' in response.text
    assert occurrence.get_absolute_url() in response.text


def test_month_links_work_with_and_without_javascript(member_client):
    community = CommunityFactory()
    month = next_month()
    text = member_client.get(calendar_url(community), {"month": month_of(month), "view": "agenda"}).text
    following = (month + timedelta(days=32)).replace(day=1)
    assert (
        f'href="?month={month_of(following)}&amp;view=agenda" data-hx-get="?month={month_of(following)}&amp;view=agenda"'
        in text
    )
    assert 'data-hx-target="#calendar" data-hx-swap="outerHTML" data-hx-push-url="true"' in text
    assert f'href="?month={month_of(timezone.localdate())}&amp;view=agenda"' in text


def test_htmx_navigation_gets_only_the_calendar(member_client):
    community = CommunityFactory()
    month = next_month()
    at(community, datetime(month.year, month.month, 3, 9, 0), title="Kick-off")
    response = member_client.get(
        calendar_url(community), {"month": month_of(month)}, headers={"HX-Request": "true"}
    )
    text = response.text
    assert response.status_code == 200
    assert "<html" not in text and "nav-tabs" not in text
    assert text.lstrip().startswith('<section id="calendar"')
    assert "Kick-off" in text
    assert f'data-hx-swap-oob="innerHTML:#live-region">{month:%B %Y}: 1 day with activities.' in text
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(member_client):
    community = CommunityFactory()
    response = member_client.get(
        calendar_url(community), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.text


def test_agenda_view_lists_the_month_without_the_grid(member_client):
    community = CommunityFactory()
    month = next_month()
    at(community, datetime(month.year, month.month, 3, 9, 0), title="Kick-off")
    at(community, datetime(month.year, month.month, 3, 14, 0), title="Retro")
    _, _, grid_dates = month_bounds(month.year, month.month, ZoneInfo("UTC"))
    spill = next((d for d in grid_dates if d.month != month.month and d > timezone.localdate()), None)
    if spill:  # a day of the grid outside the month: in the grid, not in the month's agenda
        at(community, datetime(spill.year, spill.month, spill.day, 12, 0), title="Neighbour")
    agenda = member_client.get(calendar_url(community), {"month": month_of(month), "view": "agenda"})
    text = agenda.text
    assert 'class="calendar-grid"' not in text
    assert text.index("Kick-off") < text.index("Retro")
    assert "Neighbour" not in text
    assert f"{month.replace(day=3):%A} 3 {month:%B}</h3>" in text
    assert [len(day.occurrences) for day in agenda.context["calendar"].agenda] == [2]
    # The month view has both: the grid for wide screens, the agenda for narrow ones.
    month_view = member_client.get(calendar_url(community), {"month": month_of(month)}).text
    assert 'class="calendar-grid-wrap d-none d-md-block"' in month_view
    assert 'class="calendar-agenda d-md-none"' in month_view
    if spill:
        assert month_view.count("Neighbour") == 2  # the link text and its title in the grid only


def test_a_malformed_month_shows_the_current_one(member_client):
    community = CommunityFactory()
    for bad in ("2026-13", "yesterday", "0001-01", "99999-01"):
        response = member_client.get(calendar_url(community), {"month": bad})
        assert response.status_code == 200
        assert response.context["calendar"].first == timezone.localdate().replace(day=1)


def test_schedulers_see_schedule_and_the_empty_state_invites_them(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    text = client.get(calendar_url(community)).text
    assert "Schedule an activity</a>" in text
    assert "No activities yet. <a href=" in text and "Schedule the first one." in text


def test_members_see_nothing_scheduled_yet(client):
    community = CommunityFactory()
    client.force_login(member_of(community, "active"))
    text = client.get(calendar_url(community)).text
    assert "Nothing scheduled yet." in text
    assert reverse("activities:schedule", args=[community.slug]) not in text


def test_an_empty_month_of_a_busy_community(member_client):
    community = CommunityFactory()
    month = next_month()
    at(community, datetime(month.year, month.month, 3, 9, 0))
    later = (month + timedelta(days=40)).replace(day=1)
    text = member_client.get(calendar_url(community), {"month": month_of(later)}).text
    assert f"Nothing scheduled in {later:%B %Y}." in text


def test_community_calendar_is_404_for_outsiders(member_client):
    private = CommunityFactory(visibility="private")
    assert member_client.get(calendar_url(private)).status_code == 404
    # ... and its tab is not offered on the home page they may see.
    assert calendar_url(private) not in member_client.get(private.get_absolute_url()).text


def test_community_calendar_rejects_post_and_needs_login(client, member):
    community = CommunityFactory()
    assert client.get(calendar_url(community)).status_code == 302
    client.force_login(member)
    assert client.post(calendar_url(community)).status_code == 405


# --- my calendar ------------------------------------------------------------------------------------------


def test_my_calendar_shows_all_my_communities_with_my_answers(client):
    one, two, other = (
        CommunityFactory(name="One"),
        CommunityFactory(name="Two"),
        CommunityFactory(name="Other"),
    )
    member = member_of(one)
    Membership.objects.create(
        community=two, user=member, status="active", level="active", joined_at=timezone.now()
    )
    month = next_month()
    going = at(one, datetime(month.year, month.month, 4, 9, 0), title="Going one")
    at(two, datetime(month.year, month.month, 5, 9, 0), title="Silent two")
    at(other, datetime(month.year, month.month, 6, 9, 0), title="Not mine")
    services.rsvp_set(user=member, occurrence=going, answer="going")
    client.force_login(member)
    response = client.get(MY_CALENDAR, {"month": month_of(month)})
    text = response.text
    assert response.status_code == 200
    assert "Going one" in text and "Silent two" in text and "Not mine" not in text
    assert '<span class="rsvp-answer rsvp-going">You&#x27;re going</span>' in text or "You're going" in text
    assert '<span class="event-community">Two</span>' in text
    assert reverse("activities:whats_on") in text and reverse("activities:subscribe") in text


def test_my_calendar_kept_dates_follow_every_change_they_show(client):
    """The month's dates are kept per set of communities (`my_occurrences_kept`): a new date, another member's
    answer (the count), a cancelled date, a renamed community and my own answer show at once; someone in other
    communities never gets them."""
    one, other = CommunityFactory(name="One"), CommunityFactory(name="Other")
    member, neighbour, outsider = member_of(one), member_of(one), member_of(other)
    month = next_month()
    first = at(one, datetime(month.year, month.month, 4, 9, 0), title="First date")

    def calendar(person) -> str:
        client.force_login(person)
        return client.get(MY_CALENDAR, {"month": month_of(month), "view": "agenda"}).text

    assert "First date" in calendar(member) and "0 going" in calendar(member)
    assert "First date" not in calendar(outsider)
    at(one, datetime(month.year, month.month, 8, 9, 0), title="Second date")
    assert "Second date" in calendar(member)
    services.rsvp_set(user=neighbour, occurrence=first, answer="going")
    assert "1 going" in calendar(member) and "You&#x27;re going" not in calendar(member)
    services.rsvp_set(user=member, occurrence=first, answer="going")
    assert "2 going" in calendar(member) and "You&#x27;re going" in calendar(member)
    services.occurrence_cancel(actor=coordinator_of(one), occurrence=first, reason="Snow")
    assert "Cancelled: Snow" in calendar(member)
    one.name = "One renamed"
    one.save()
    assert "One renamed" in calendar(member)


def test_my_calendar_kept_month_shows_each_viewer_their_own_answers(client):
    """The month's HTML is shared by people in the same communities, each one's answers put in its slots: one
    viewer's answer never shows to another, and the htmx partial is kept apart from the page."""
    one = CommunityFactory(name="One")
    first, second = member_of(one), member_of(one)
    month = next_month()
    date = at(one, datetime(month.year, month.month, 4, 9, 0), title="Shared date")
    services.rsvp_set(user=first, occurrence=date, answer="maybe")

    def calendar(person, **headers) -> str:
        client.force_login(person)
        return client.get(MY_CALENDAR, {"month": month_of(month)}, **headers).text

    assert calendar(first).count("You said maybe") == 2  # the grid and the agenda
    assert "You said maybe" not in calendar(second)
    assert "<!--answer:" not in calendar(second)
    partial = calendar(second, HTTP_HX_REQUEST="true")
    assert "<html" not in partial and "Shared date" in partial and "data-hx-swap-oob" in partial
    assert "data-hx-swap-oob" not in calendar(second)


def test_my_calendar_htmx_navigation(member_client):
    response = member_client.get(
        MY_CALENDAR, {"month": month_of(next_month())}, headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text and 'id="calendar"' in response.text


def test_my_calendar_empty_states(member_client, member):
    assert "You have not joined a community yet" in member_client.get(MY_CALENDAR).text
    member_of(CommunityFactory(), user=member)
    text = member_client.get(MY_CALENDAR, {"month": month_of(next_month())}).text
    assert f"Nothing scheduled in {next_month():%B %Y} in your communities." in text


def test_my_calendar_rejects_post(member_client):
    assert member_client.post(MY_CALENDAR).status_code == 405


# --- what's on --------------------------------------------------------------------------------------------


def test_whats_on_lists_upcoming_dates_the_viewer_may_see(client):
    listed, private, mine = (
        CommunityFactory(name="Listed"),
        CommunityFactory(name="Hidden", visibility="private"),
        CommunityFactory(name="Mine private", visibility="private"),
    )
    viewer = member_of(mine)
    coordinator = coordinator_of(listed)
    open_date = first(schedule(listed, coordinator, title="Open clinic"))
    first(schedule(private, title="Secret meeting"))
    first(schedule(mine, title="Our meeting"))
    first(schedule(listed, coordinator, days=-3, past_confirmed=True, title="Already over"))
    cancelled = first(schedule(listed, coordinator, days=4, title="Called off"))
    services.occurrence_cancel(actor=coordinator, occurrence=cancelled, reason="No room")
    client.force_login(viewer)
    response = client.get(WHATS_ON)
    text = response.text
    assert "Open clinic" in text and "Our meeting" in text
    assert "Secret meeting" not in text and "Already over" not in text and "Called off" not in text
    assert open_date.get_absolute_url() in text


def test_whats_on_is_paginated(member_client, settings):
    settings.PAGE_SIZE = 2
    community = CommunityFactory()
    schedule(community, repeat="weekly", repeat_count=5)
    first_page = member_client.get(WHATS_ON)
    assert len(first_page.context["page"].object_list) == 2
    assert "Page 1 of 3" in first_page.text
    assert len(member_client.get(WHATS_ON, {"page": 3}).context["page"].object_list) == 1


def test_whats_on_empty_state_and_method(member_client):
    assert "Nothing coming up across the organization yet." in member_client.get(WHATS_ON).text
    assert member_client.post(WHATS_ON).status_code == 405


# --- query counts at two sizes ----------------------------------------------------------------------------


def grow_with_activities(viewer, month: date):
    """seed_scaled (which schedules 50 activities per scale unit, with answers and attendance, in the new bench
    communities), plus what makes these pages' own content grow with it: the viewer belongs to bench-0 and, per
    scale unit, to two of the new bench communities (my calendar); bench-0 (the community calendar measured) gets
    five weekly series of four dates per scale unit in `month`, answered by the viewer and three of its members,
    every seventh date cancelled."""

    def grow(scale: int) -> None:
        known = set(Community.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
        seed_scaled(scale)
        new = list(Community.objects.filter(slug__startswith="bench-").exclude(pk__in=known).order_by("pk"))
        now = timezone.now()
        bench0 = Community.objects.get(slug="bench-0")
        Membership.objects.bulk_create(
            [
                Membership(community=c, user=viewer, status="active", level="active", joined_at=now)
                for c in {bench0, *new[: 2 * scale]}
            ],
            ignore_conflicts=True,
        )
        rng = random.Random(scale)
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    community=bench0,
                    title=f"Bench-0 series {i}",
                    time_zone="UTC",
                    repeat="weekly",
                    repeat_count=4,
                )
                for i in range(5 * scale)
            ]
        )
        occurrences = []
        for i, activity in enumerate(activities):
            start = datetime(
                month.year, month.month, 1 + rng.randint(0, 6), 8 + rng.randint(0, 9), tzinfo=ZoneInfo("UTC")
            )
            for n in range(4):
                begins = start + timedelta(weeks=n)
                occurrences.append(
                    Occurrence(
                        activity=activity,
                        community=bench0,
                        sequence=n + 1,
                        original_start=begins,
                        start=begins,
                        end=begins + timedelta(hours=1),
                        cancelled=(i + n) % 7 == 0,
                        cancel_reason="Benchmark" if (i + n) % 7 == 0 else "",
                    )
                )
        Occurrence.objects.bulk_create(occurrences)
        people = list(bench0.memberships.filter(status="active").values_list("user_id", flat=True))
        Rsvp.objects.bulk_create(
            [
                Rsvp(occurrence=o, user_id=user_id, answer=rng.choice(["going", "maybe"]), answered_at=now)
                for o in occurrences
                for user_id in [viewer.pk, *rng.sample(people, k=min(3, len(people)))]
            ],
            ignore_conflicts=True,
        )

    return grow


def test_community_calendar_query_count_is_constant(member_client, member):
    """1 user (the session is in Redis, with the viewer's time zone), 2 the community with "viewer sponsors" and
    the viewer's membership, 3 the month's dates with counts, activity and community, 4 the viewer's answers on
    them (prefetch). Whether the viewer may schedule is read from the membership already loaded."""
    month = month_of(next_month())
    url = f"/c/bench-0/activities/?month={month}"
    assert_constant_queries(member_client, url, grow=grow_with_activities(member, next_month()), expected=4)


def test_community_agenda_query_count_is_constant(member_client, member):
    """The same queries as the month grid."""
    month = month_of(next_month())
    url = f"/c/bench-0/activities/?month={month}&view=agenda"
    assert_constant_queries(member_client, url, grow=grow_with_activities(member, next_month()), expected=4)


def test_my_calendar_query_count_is_constant(member_client, member):
    """1 user (the session holds the time zone), 2 my communities, 3 the month's dates in them with counts,
    activity and community, 4 my answers on them; seen again, the dates are kept
    (`selectors.my_occurrences_kept`): 3."""
    url = f"{MY_CALENDAR}?month={month_of(next_month())}"
    grow = grow_with_activities(member, next_month())
    assert_constant_queries(member_client, url, grow=grow, expected=4, cold=True)
    assert count_queries(member_client, url)[0] == 3


def test_whats_on_query_count_is_constant(member_client, member):
    """1 user (the session holds the time zone), 2 count of upcoming dates in visible communities, 3 the page of
    them with counts, activity and community, 4 my answers on them (prefetch)."""
    assert_constant_queries(
        member_client, WHATS_ON, grow=grow_with_activities(member, next_month()), expected=4
    )
