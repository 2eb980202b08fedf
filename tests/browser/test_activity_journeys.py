"""Browser journeys of the calendar: schedule a fortnightly series and cancel a date; RSVP, my calendar and the
feed; the last seat and the waitlist."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from activities.calendar import services
from activities.models import Activity, Occurrence, Rsvp
from tests.browser.test_community_journeys import sign_in, sign_out
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_tuesday():
    today = timezone.now().date()
    return today + timedelta(days=7 + (1 - today.weekday()) % 7)


def test_coordinator_schedules_a_fortnightly_meeting_and_cancels_one_date(journey):
    community = CommunityFactory(name="Site Reliability Guild", slug="srg")
    coordinator = coordinator_of(community, user=UserFactory(full_name="Cora Coordinator"))
    page = journey.page
    sign_in(journey, coordinator.email)
    journey.goto("/c/srg/activities/")
    page.get_by_role("link", name=re.compile("Schedule an activity")).first.click()
    page.wait_for_url(re.compile(r"/c/srg/activities/new/"))
    journey.audit()
    first = next_tuesday()
    page.get_by_label("Title").fill("Incident review")
    page.locator("#id_date").fill(first.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Every other week").check()
    page.get_by_label("After a number of dates").check()
    page.locator("#id_repeat_count").fill("6")
    page.get_by_role("button", name="Schedule").click()
    page.wait_for_url(re.compile(r"/c/srg/activities/\d+/"))
    journey.audit()
    activity = Activity.objects.get(title="Incident review")
    dates = list(activity.occurrences.order_by("sequence"))
    assert len(dates) == 6 and activity.repeat == "fortnightly"
    assert {d.start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).hour for d in dates} == {10}

    # Cancel the second date, with a reason.
    journey.goto(dates[1].get_absolute_url())
    page.get_by_role("link", name="Cancel this date").click()
    page.wait_for_load_state("load")
    journey.audit()
    page.get_by_label(re.compile("Reason|Why", re.I)).fill("Team offsite")
    page.get_by_role("button", name=re.compile("Cancel", re.I)).last.click()
    page.wait_for_url(re.compile(rf"/c/srg/activities/{dates[1].pk}/"))
    journey.audit()
    assert Occurrence.objects.get(pk=dates[1].pk).cancelled
    assert page.get_by_text("Team offsite").count() >= 1
    assert not Occurrence.objects.get(pk=dates[2].pk).cancelled


def test_member_rsvps_sees_it_in_my_calendar_and_downloads_the_feed(journey):
    community = CommunityFactory(name="Data Science Circle", slug="dsc")
    coordinator = coordinator_of(community)
    member = member_of(community)
    start = (timezone.now() + timedelta(days=2)).replace(tzinfo=None, second=0, microsecond=0)
    activity = services.activity_schedule(
        actor=coordinator,
        community=community,
        title="Model review",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="UTC",
    )
    occurrence = activity.occurrences.get()
    page = journey.page
    sign_in(journey, member.email)
    journey.goto(occurrence.get_absolute_url())
    page.get_by_role("button", name="Going").first.click()
    page.locator(".rsvp .text-success").wait_for()
    journey.audit()
    assert Rsvp.objects.get(occurrence=occurrence, user=member).answer == "going"

    journey.goto("/calendar/?view=agenda&month=" + occurrence.start.strftime("%Y-%m"))
    assert page.get_by_role("link", name=re.compile("Model review")).count() >= 1

    # The .ics of the activity downloads, and the personal feed (by secret link) holds it.
    journey.goto(occurrence.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .ics").click()
    with open(download.value.path()) as ics:
        assert "BEGIN:VCALENDAR" in ics.read()
    journey.goto("/calendar/subscribe/")
    feed_url = page.get_by_label("Link to your personal calendar").input_value()
    feed = page.request.get(journey.url("/" + feed_url.split("://", 1)[1].split("/", 1)[1]))
    assert feed.ok and "SUMMARY:Model review" in feed.text()


def test_last_seat_goes_to_one_the_other_waits_and_moves_up(journey, smtp_server, browser):
    community = CommunityFactory(name="Accessibility Champions", slug="a11y")
    coordinator = coordinator_of(community)
    first, second = member_of(community), member_of(community, user=UserFactory(full_name="Wanda Waiting"))
    start = (timezone.now() + timedelta(days=4)).replace(tzinfo=None, second=0, microsecond=0)
    activity = services.activity_schedule(
        actor=coordinator,
        community=community,
        title="Screen-reader clinic",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="UTC",
        capacity=1,
    )
    occurrence = activity.occurrences.get()

    page = journey.page
    sign_in(journey, first.email)
    journey.goto(occurrence.get_absolute_url())
    page.get_by_role("button", name="Going").first.click()
    page.get_by_text("1 going of 1 seat").wait_for()
    journey.audit()

    other = browser.new_context().new_page()
    other.goto(journey.url("/accounts/login/"))
    other.get_by_label("Email").fill(second.email)
    other.get_by_label("Password").fill("a-long-test-password")
    other.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    other.wait_for_url(re.compile(r"/$"))
    other.goto(journey.url(occurrence.get_absolute_url()))
    other.get_by_role("button", name="Join the waitlist").click()
    other.get_by_text("on the waitlist").first.wait_for()
    assert Rsvp.objects.get(occurrence=occurrence, user=second).waitlisted

    # The first gives up the seat: the waitlisted member moves up and is told by mail.
    page.get_by_role("button", name="Not going").click()
    page.locator(f"#rsvp-{occurrence.pk}-not_going[aria-pressed=true]").wait_for()
    journey.audit()
    assert not Rsvp.objects.get(occurrence=occurrence, user=second).waitlisted
    [mail] = smtp_server.wait_for(second.email)
    assert (
        "Screen-reader clinic" in mail["Subject"]
        or "Screen-reader clinic" in mail.get_body(("plain",)).get_content()
    )
    other.reload()
    assert other.get_by_text("1 going of 1 seat").count() >= 1
    other.context.close()
    sign_out(journey)
