"""Scheduling an activity, the page of one date, and the schedulers' edit, move, cancel, restore and notes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from activities.calendar import services
from activities.models import Activity, Occurrence, Rsvp
from members.models import Profile
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def local(days: int = 7, hour: int = 10) -> datetime:
    """A naive Berlin time `days` from now at `hour`:00."""
    return (timezone.now().astimezone(BERLIN) + timedelta(days=days)).replace(
        tzinfo=None, hour=hour, minute=0, second=0, microsecond=0
    )


def schedule(community, actor=None, *, days: int = 7, title: str = "Incident review", **kwargs) -> Activity:
    """An activity `days` from now, 10:00 to 11:00 Berlin time."""
    actor = actor or coordinator_of(community)
    start = local(days)
    return services.activity_schedule(
        actor=actor,
        community=community,
        title=title,
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        **kwargs,
    )


def first(activity: Activity) -> Occurrence:
    return activity.occurrences.order_by("start").first()


def url(name: str, occurrence: Occurrence) -> str:
    return reverse(f"activities:{name}", args=[occurrence.community.slug, occurrence.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def set_zone(user, zone: str) -> None:
    user.profile, _ = Profile.objects.update_or_create(user=user, defaults={"time_zone": zone})


def schedule_data(**overrides) -> dict:
    start = local(10)
    data = {
        "title": "Monthly incident review",
        "kind": "meeting",
        "description": "Bring **one** incident.",
        "date": start.date().isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "time_zone": "Europe/Berlin",
        "place": "Room 4.12",
        "online_link": "https://meet.example.org/review",
        "capacity": "",
        "hosts": "",
        "repeat": "none",
        "ends": "count",
        "repeat_count": "",
        "repeat_until": "",
    }
    data.update(overrides)
    return data


# --- schedule ---------------------------------------------------------------------------------------------


def test_schedule_form_defaults_to_the_organizers_time_zone(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    set_zone(coordinator, "America/New_York")
    client.force_login(coordinator)
    response = client.get(reverse("activities:schedule", args=[community.slug]))
    assert response.status_code == 200
    assert response.context["form"]["time_zone"].value() == "America/New_York"
    assert 'value="America/New_York" selected' in response.text


def test_core_group_member_schedules_a_weekly_series(client):
    """Times typed in the organizer's zone; one occurrence per date; hosts resolved to members; a redirect to
    the first date."""
    community = CommunityFactory()
    core = member_of(community, "core")
    host = member_of(community, "active")
    client.force_login(core)
    data = schedule_data(
        repeat="weekly", ends="count", repeat_count="4", capacity="12", hosts=f" {host.email} "
    )
    response = client.post(reverse("activities:schedule", args=[community.slug]), data)
    activity = Activity.objects.get(community=community)
    occurrences = list(activity.occurrences.order_by("start"))
    assert response.status_code == 302
    assert response["Location"] == occurrences[0].get_absolute_url()
    assert len(occurrences) == 4
    assert all(o.start.astimezone(BERLIN).strftime("%H:%M") == "10:00" for o in occurrences)
    assert all(o.end - o.start == timedelta(minutes=90) for o in occurrences)
    assert (activity.capacity, activity.repeat, activity.repeat_count) == (12, "weekly", 4)
    assert list(activity.hosts.all()) == [host]
    assert "Scheduled: Monthly incident review, 4 dates from" in messages_of(response)[0]


def test_schedule_ending_on_a_date(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    start = local(10)
    until = (start + timedelta(days=28)).date().isoformat()
    response = client.post(
        reverse("activities:schedule", args=[community.slug]),
        schedule_data(repeat="fortnightly", ends="until", repeat_until=until),
    )
    assert response.status_code == 302
    activity = Activity.objects.get(community=community)
    assert activity.repeat_until.isoformat() == until and activity.repeat_count is None
    assert activity.occurrences.count() == 3


def test_schedule_one_off_hosted_by_the_organizer(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    client.force_login(coordinator)
    response = client.post(reverse("activities:schedule", args=[community.slug]), schedule_data())
    assert response.status_code == 302
    activity = Activity.objects.get(community=community)
    assert activity.occurrences.count() == 1
    assert list(activity.hosts.all()) == [coordinator]


def test_schedule_rejects_wrong_method(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    assert client.put(reverse("activities:schedule", args=[community.slug])).status_code == 405


def test_schedule_is_404_for_outsiders_of_a_private_community(member_client):
    community = CommunityFactory(visibility="private")
    schedule_url = reverse("activities:schedule", args=[community.slug])
    assert member_client.get(schedule_url).status_code == 404
    assert member_client.post(schedule_url, schedule_data()).status_code == 404
    assert not Activity.objects.exists()


def test_schedule_is_403_for_members_without_the_right(client):
    community = CommunityFactory()
    client.force_login(member_of(community, "active"))
    schedule_url = reverse("activities:schedule", args=[community.slug])
    assert client.get(schedule_url).status_code == 403
    assert client.post(schedule_url, schedule_data()).status_code == 403
    assert not Activity.objects.exists()


def test_schedule_is_403_in_an_archived_community(client):
    community = CommunityFactory(archived_at=timezone.now())
    client.force_login(coordinator_of(community))
    assert client.get(reverse("activities:schedule", args=[community.slug])).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
        ({"end_time": "10:00"}, "end_time", "The end must be after the start."),
        ({"repeat": "weekly", "ends": "count"}, "repeat_count", "Say when the series ends"),
        ({"repeat": "weekly", "ends": "until"}, "repeat_until", "Say when the series ends"),
        ({"repeat": "weekly", "ends": "", "repeat_count": ""}, "repeat_count", "Say when the series ends"),
        ({"repeat": "weekly", "repeat_count": "101"}, "repeat_count", "less than or equal to 100"),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"hosts": "not-an-address"}, "hosts", "Not an email address"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_schedule_bad_input_keeps_what_was_typed_and_saves_nothing(client, overrides, field, message):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    response = client.post(reverse("activities:schedule", args=[community.slug]), schedule_data(**overrides))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert "Please correct" in response.text
    assert 'value="Room 4.12"' in response.text
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {
                "date": "9999-12-31",
                "start_time": "23:00",
                "end_time": "23:30",
                "time_zone": "Pacific/Kiritimati",
            },
            "date",
        ),
        ({"date": "0001-01-01", "time_zone": "America/Los_Angeles"}, "date"),
        ({"date": "2019-01-01"}, "date"),
        ({"repeat": "weekly", "ends": "until", "repeat_until": "9999-12-31"}, "repeat_until"),
    ],
)
def test_schedule_refuses_dates_beyond_five_years_either_way(client, overrides, field):
    """Issue 14, item 1: a date at the end of the calendar was accepted and broke every feed."""
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    response = client.post(reverse("activities:schedule", args=[community.slug]), schedule_data(**overrides))
    assert response.status_code == 400
    (error,) = response.context["form"].errors[field]
    first, last = services.activity_date_range()
    assert f"between {first:%-d %B %Y} and {last:%-d %B %Y}" in error
    assert "5 years back and planned up to 5 years ahead" in error
    assert not Activity.objects.exists()


def test_moving_a_date_beyond_five_years_is_refused(client):
    community = CommunityFactory()
    activity = schedule(community)
    client.force_login(Activity.objects.get().created_by)
    response = client.post(
        url("move", first(activity)),
        {"date": "9999-12-30", "start_time": "10:00", "end_time": "11:00", "scope": "this"},
    )
    assert response.status_code == 400
    assert "planned up to 5 years ahead" in response.context["form"].errors["date"][0]
    assert first(activity).start.year < 9999


def test_schedule_refuses_hosts_who_are_not_members(client):
    community = CommunityFactory()
    stranger = UserFactory()
    client.force_login(coordinator_of(community))
    response = client.post(
        reverse("activities:schedule", args=[community.slug]), schedule_data(hosts=stranger.email)
    )
    assert response.status_code == 400
    assert f"these are not: {stranger.email}" in response.context["form"].errors["hosts"][0]
    assert not Activity.objects.exists()


def test_schedule_refuses_a_series_beyond_the_limit(client):
    """A weekly series ending more than two years later: the service's limit, shown on the form."""
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    until = (local(10) + timedelta(days=800)).date().isoformat()
    response = client.post(
        reverse("activities:schedule", args=[community.slug]),
        schedule_data(repeat="weekly", ends="until", repeat_until=until),
    )
    assert response.status_code == 400
    assert "at most two years" in " ".join(response.context["form"].non_field_errors())
    assert not Activity.objects.exists() and not Occurrence.objects.exists()


def test_schedule_refuses_more_than_100_dates(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    until = (local(10) + timedelta(days=720)).date().isoformat()
    response = client.post(
        reverse("activities:schedule", args=[community.slug]),
        schedule_data(repeat="weekly", ends="until", repeat_until=until),
    )
    assert response.status_code == 400
    assert "at most 100 dates" in " ".join(response.context["form"].non_field_errors())
    assert not Activity.objects.exists()


# --- the page of one date ---------------------------------------------------------------------------------


def test_occurrence_page_shows_everything_a_member_needs(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(
        community,
        coordinator,
        description="Bring **one** incident. <script>alert(1)</script>",
        place="Room 4.12",
        online_link="https://meet.example.org/review",
        capacity=10,
    )
    occurrence = first(activity)
    viewer = member_of(community, "active")
    set_zone(viewer, "America/New_York")
    services.rsvp_set(user=coordinator, occurrence=occurrence, answer="going")
    client.force_login(viewer)
    response = client.get(occurrence.get_absolute_url())
    text = response.text
    assert response.status_code == 200
    new_york = occurrence.start.astimezone(ZoneInfo("America/New_York"))
    assert f"{new_york:%H:%M}" in text and new_york.tzname() in text
    assert "in the organizer's time zone (Europe/Berlin)" in text
    assert "Room 4.12" in text and "https://meet.example.org/review" in text
    assert coordinator.full_name in text
    assert "<strong>one</strong>" in text and "<script>" not in text
    assert "<strong>1</strong> going of 10 seats" in text
    assert 'name="answer" value="going"' in text
    assert reverse("activities:occurrence_ics", args=[community.slug, occurrence.pk]) in text
    assert "For organizers" not in text
    assert (
        'aria-current="page" href="' + reverse("activities:community_calendar", args=[community.slug]) in text
    )


def test_occurrence_page_says_how_a_monthly_series_repeats(client):
    """Issue 14, item 17: it repeated the form's example ("e.g. 2nd Tuesday") instead of the series' rule."""
    community = CommunityFactory()
    start = local(10)
    nth = (start.day - 1) // 7 + 1
    ordinal = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "last"}[nth]
    activity = schedule(community, repeat=Activity.Repeat.MONTHLY, repeat_count=3, days=10)
    client.force_login(member_of(community))
    for occurrence in activity.occurrences.all():
        text = client.get(occurrence.get_absolute_url()).text
        assert f"Every month on the {ordinal} {start:%A}" in text and "e.g." not in text


def test_occurrence_page_in_the_organizers_zone_shows_one_time(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    set_zone(coordinator, "Europe/Berlin")
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    response = client.get(occurrence.get_absolute_url())
    assert "organizer's time zone" not in response.text
    assert "10:00\u201311:00" in response.text


def test_occurrence_page_for_schedulers_has_the_tools(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    text = client.get(occurrence.get_absolute_url()).text
    assert "For organizers" in text
    for name in ("edit", "move", "cancel", "notes"):
        assert url(name, occurrence) in text
    assert url("attendance", occurrence) not in text  # not started yet


def test_cancelled_date_is_struck_through_with_its_reason(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="The room flooded.")
    client.force_login(member_of(community))
    text = client.get(occurrence.get_absolute_url()).text
    assert "<s>Incident review</s>" in text
    assert "This date is cancelled.</strong> The room flooded." in text
    assert 'name="answer"' not in text


def test_notes_show_after_it_happened(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, days=-3, past_confirmed=True))
    services.occurrence_notes_save(
        actor=coordinator, occurrence=occurrence, notes="We decided to *blame less*."
    )
    client.force_login(member_of(community))
    text = client.get(occurrence.get_absolute_url()).text
    assert "<em>blame less</em>" in text
    assert "This date is over: answers are closed." in text


def test_non_member_of_a_listed_community_reads_the_page_but_does_not_answer(member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    text = member_client.get(occurrence.get_absolute_url()).text
    assert 'name="answer"' not in text
    assert f"join {community.name}</a> to take part" in text


def test_occurrence_page_is_404_for_outsiders_and_elsewhere(member_client):
    private = CommunityFactory(visibility="private")
    occurrence = first(schedule(private))
    assert member_client.get(occurrence.get_absolute_url()).status_code == 404
    other = CommunityFactory()
    assert (
        member_client.get(reverse("activities:occurrence", args=[other.slug, occurrence.pk])).status_code
        == 404
    )


def test_occurrence_page_rejects_post(client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    client.force_login(member_of(community))
    assert client.post(occurrence.get_absolute_url()).status_code == 405


# --- edit a series ----------------------------------------------------------------------------------------


def test_edit_changes_every_date_of_the_series(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    host = member_of(community, "active")
    occurrence = first(schedule(community, coordinator, repeat="weekly", repeat_count=3))
    client.force_login(coordinator)
    edit_url = url("edit", occurrence)
    form = client.get(edit_url).context["form"]
    assert form["title"].value() == "Incident review"
    assert form["hosts"].value() == coordinator.email
    response = client.post(
        edit_url,
        {
            "title": "Blameless review",
            "kind": "workshop",
            "description": "",
            "place": "Room 1",
            "online_link": "",
            "capacity": "5",
            "hosts": host.email,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=occurrence.activity_id)
    assert (activity.title, activity.kind, activity.place, activity.capacity) == (
        "Blameless review",
        "workshop",
        "Room 1",
        5,
    )
    assert list(activity.hosts.all()) == [host]
    assert "every date of the series" in messages_of(response)[0]


def test_edit_refuses_a_capacity_below_those_going(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, capacity=5))
    for person in (coordinator, member_of(community), member_of(community)):
        services.rsvp_set(user=person, occurrence=occurrence, answer="going")
    client.force_login(coordinator)
    response = client.post(
        url("edit", occurrence),
        {
            "title": "Renamed",
            "kind": "meeting",
            "description": "",
            "place": "",
            "online_link": "",
            "capacity": "2",
            "hosts": "",
        },
    )
    assert response.status_code == 400
    assert "3 people are already going" in response.context["form"].errors["capacity"][0]
    activity = Activity.objects.get(pk=occurrence.activity_id)
    assert (activity.title, activity.capacity) == ("Incident review", 5)


def test_edit_access(client, member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    assert member_client.get(url("edit", occurrence)).status_code == 403  # listed community, not a scheduler
    client.force_login(member_of(community, "active"))
    assert client.post(url("edit", occurrence), {"title": "X", "kind": "meeting"}).status_code == 403
    private = CommunityFactory(visibility="private")
    hidden = first(schedule(private))
    assert member_client.get(url("edit", hidden)).status_code == 404
    client.force_login(coordinator_of(community))
    assert client.delete(url("edit", occurrence)).status_code == 405
    assert Activity.objects.get(pk=occurrence.activity_id).title == "Incident review"


# --- move one date, or this and following -----------------------------------------------------------------


def test_move_one_date_keeps_its_answers(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(community, coordinator, repeat="weekly", repeat_count=3)
    second = activity.occurrences.get(sequence=2)
    services.rsvp_set(user=coordinator, occurrence=second, answer="going")
    client.force_login(coordinator)
    move_url = url("move", second)
    form = client.get(move_url).context["form"]
    assert form["start_time"].value().strftime("%H:%M") == "10:00"
    new_day = local(15).date()
    response = client.post(
        move_url, {"date": new_day.isoformat(), "start_time": "14:00", "end_time": "15:00", "scope": "this"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") == f"{new_day} 14:00"
    assert second.is_moved
    assert second.rsvps.filter(user=coordinator, answer="going").exists()
    assert activity.occurrences.get(sequence=3).start.astimezone(BERLIN).hour == 10


def test_move_this_and_following_splits_the_series_and_keeps_earlier_answers(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    member = member_of(community)
    activity = schedule(community, coordinator, repeat="weekly", repeat_count=4)
    dates = list(activity.occurrences.order_by("sequence"))
    services.rsvp_set(user=member, occurrence=dates[0], answer="going")
    services.rsvp_set(user=member, occurrence=dates[2], answer="maybe")
    client.force_login(coordinator)
    new_day = dates[2].start.astimezone(BERLIN).date() + timedelta(days=1)
    response = client.post(
        url("move", dates[2]),
        {"date": new_day.isoformat(), "start_time": "16:00", "end_time": "17:00", "scope": "following"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.repeat_count == 2
    assert list(activity.occurrences.order_by("sequence")) == dates[:2]
    assert Rsvp.objects.get(occurrence=dates[0], user=member).answer == "going"
    moved = Occurrence.objects.get(pk=dates[2].pk)
    assert moved.activity_id != activity.pk and moved.activity.repeat_count == 2
    assert moved.start.astimezone(BERLIN).strftime("%H:%M") == "16:00"
    assert Rsvp.objects.get(occurrence=moved, user=member).answer == "maybe"
    assert "This date and the following ones are moved" in messages_of(response)[0]


def test_move_a_one_off_has_no_scope_choice(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    assert "scope" not in client.get(url("move", occurrence)).context["form"].fields


def test_move_refuses_an_end_before_the_start(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    response = client.post(
        url("move", occurrence),
        {"date": local(9).date().isoformat(), "start_time": "14:00", "end_time": "13:00"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"] == ["The end must be after the start."]
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start


def test_move_access(client, member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    data = {"date": local(9).date().isoformat(), "start_time": "14:00", "end_time": "15:00"}
    client.force_login(member_of(community, "active"))
    assert client.post(url("move", occurrence), data).status_code == 403
    hidden = first(schedule(CommunityFactory(visibility="private")))
    assert member_client.post(url("move", hidden), data).status_code == 404
    client.force_login(coordinator_of(community))
    assert client.patch(url("move", occurrence)).status_code == 405
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start


# --- cancel and restore -----------------------------------------------------------------------------------


def test_cancel_one_date_with_a_reason(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(community, coordinator, repeat="weekly", repeat_count=2)
    occurrence = first(activity)
    client.force_login(coordinator)
    assert client.get(url("cancel", occurrence)).status_code == 200
    response = client.post(url("cancel", occurrence), {"reason": "  Half the team is at the offsite. "})
    assert response.status_code == 302 and response["Location"] == occurrence.get_absolute_url()
    occurrence.refresh_from_db()
    assert occurrence.cancelled and occurrence.cancel_reason == "Half the team is at the offsite."
    assert not activity.occurrences.get(sequence=2).cancelled
    assert "is cancelled" in messages_of(response)[0]


def test_cancel_needs_a_reason(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    response = client.post(url("cancel", occurrence), {"reason": "   "})
    assert response.status_code == 400
    assert "Say why it is cancelled" in response.context["form"].errors["reason"][0]
    assert not Occurrence.objects.get(pk=occurrence.pk).cancelled


def test_cancel_twice_says_so(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="First reason")
    client.force_login(coordinator)
    response = client.post(url("cancel", occurrence), {"reason": "Second reason"})
    assert messages_of(response) == ["This date is already cancelled."]
    assert Occurrence.objects.get(pk=occurrence.pk).cancel_reason == "First reason"


def test_cancel_access(client, member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community))
    client.force_login(member_of(community, "occasional"))
    assert client.post(url("cancel", occurrence), {"reason": "No"}).status_code == 403
    hidden = first(schedule(CommunityFactory(visibility="private")))
    assert member_client.post(url("cancel", hidden), {"reason": "No"}).status_code == 404
    client.force_login(coordinator_of(community))
    assert client.put(url("cancel", occurrence)).status_code == 405
    assert not Occurrence.objects.filter(cancelled=True).exists()


def test_restore_a_cancelled_date(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="Oops")
    client.force_login(coordinator)
    assert "Restore this date" in client.get(occurrence.get_absolute_url()).text
    response = client.post(url("restore", occurrence))
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert not occurrence.cancelled and occurrence.cancel_reason == ""
    assert "takes place after all" in messages_of(response)[0]


def test_restore_a_date_that_is_not_cancelled_says_so(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    response = client.post(url("restore", occurrence))
    assert messages_of(response) == ["This date is not cancelled."]


def test_restore_access(client, member_client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    services.occurrence_cancel(actor=coordinator, occurrence=occurrence, reason="Oops")
    client.force_login(coordinator)
    assert client.get(url("restore", occurrence)).status_code == 405
    client.force_login(member_of(community, "active"))
    assert client.post(url("restore", occurrence)).status_code == 403
    private = CommunityFactory(visibility="private")
    private_coordinator = coordinator_of(private)
    hidden = first(schedule(private, private_coordinator))
    services.occurrence_cancel(actor=private_coordinator, occurrence=hidden, reason="Oops")
    assert member_client.post(url("restore", hidden)).status_code == 404
    assert Occurrence.objects.filter(cancelled=True).count() == 2


# --- notes ------------------------------------------------------------------------------------------------


def test_write_notes(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, days=-2, past_confirmed=True))
    client.force_login(coordinator)
    assert client.get(url("notes", occurrence)).status_code == 200
    response = client.post(url("notes", occurrence), {"notes": "- Decided: *blameless* reviews"})
    assert response.status_code == 302
    assert Occurrence.objects.get(pk=occurrence.pk).notes == "- Decided: *blameless* reviews"
    assert (
        client.get(url("notes", occurrence)).context["form"]["notes"].value()
        == "- Decided: *blameless* reviews"
    )


def test_notes_too_long_are_refused(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator, days=-2, past_confirmed=True))
    client.force_login(coordinator)
    response = client.post(url("notes", occurrence), {"notes": "x" * 50_001})
    assert response.status_code == 400
    assert "at most 50000 characters" in response.context["form"].errors["notes"][0]
    assert Occurrence.objects.get(pk=occurrence.pk).notes == ""


def test_notes_access(client, member_client):
    community = CommunityFactory()
    occurrence = first(schedule(community, days=-2, past_confirmed=True))
    client.force_login(member_of(community, "active"))
    assert client.post(url("notes", occurrence), {"notes": "Mine"}).status_code == 403
    hidden = first(schedule(CommunityFactory(visibility="private"), days=-2, past_confirmed=True))
    assert member_client.get(url("notes", hidden)).status_code == 404
    client.force_login(coordinator_of(community))
    assert client.delete(url("notes", occurrence)).status_code == 405
    assert not Occurrence.objects.exclude(notes="").exists()
