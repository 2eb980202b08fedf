"""A past date is recorded only when the scheduler confirms it (issue 14, item 11): the service takes an explicit
confirmation, and the schedule and move forms ask for it with a checkbox that appears only when it is needed."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities.calendar import services
from activities.calendar.services import ActivityError
from activities.models import Activity, Occurrence
from tests.activities.test_schedule import BERLIN, first, local, schedule, schedule_data, url
from tests.factories import CommunityFactory, coordinator_of

pytestmark = pytest.mark.django_db
CHECKBOX = "This date is in the past: record it anyway"


def schedule_url(community) -> str:
    return reverse("activities:schedule", args=[community.slug])


# --- the services -------------------------------------------------------------------------------------------


def test_scheduling_in_the_past_without_confirmation_is_refused():
    community = CommunityFactory()
    with pytest.raises(ActivityError, match="in the past"):
        schedule(community, days=-3)
    assert not Activity.objects.exists()


def test_a_series_whose_first_date_is_past_needs_the_confirmation_too():
    community = CommunityFactory()
    with pytest.raises(ActivityError, match="in the past"):
        schedule(community, days=-3, repeat="weekly", repeat_count=4)
    assert not Activity.objects.exists()


def test_scheduling_in_the_past_with_confirmation_records_it():
    community = CommunityFactory()
    activity = schedule(community, days=-3, past_confirmed=True)
    assert first(activity).start.astimezone(BERLIN).replace(tzinfo=None) == local(-3)


def test_a_future_date_needs_no_confirmation():
    community = CommunityFactory()
    assert schedule(community, days=1).occurrences.count() == 1


def test_moving_a_date_into_the_past_needs_the_confirmation():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    start = local(-2)
    with pytest.raises(ActivityError, match="in the past"):
        services.occurrence_move(
            actor=coordinator, occurrence=occurrence, start_local=start, end_local=start + timedelta(hours=1)
        )
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start
    moved = services.occurrence_move(
        actor=coordinator,
        occurrence=occurrence,
        start_local=start,
        end_local=start + timedelta(hours=1),
        past_confirmed=True,
    )
    assert moved.start.astimezone(BERLIN).replace(tzinfo=None) == start


def test_moving_this_and_following_into_the_past_needs_the_confirmation():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    activity = schedule(community, coordinator, repeat="weekly", repeat_count=3)
    second = activity.occurrences.get(sequence=2)
    start = local(-2)
    with pytest.raises(ActivityError, match="in the past"):
        services.series_split(
            actor=coordinator, occurrence=second, start_local=start, end_local=start + timedelta(hours=1)
        )
    assert Activity.objects.count() == 1
    services.series_split(
        actor=coordinator,
        occurrence=second,
        start_local=start,
        end_local=start + timedelta(hours=1),
        past_confirmed=True,
    )
    assert Activity.objects.count() == 2


# --- the schedule page --------------------------------------------------------------------------------------


def test_the_schedule_page_does_not_offer_the_checkbox_before_it_is_needed(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    response = client.get(schedule_url(community))
    assert response.status_code == 200
    assert CHECKBOX not in response.text
    assert 'name="past_confirmed"' not in response.text


def test_a_past_date_brings_the_form_back_with_the_checkbox_and_everything_typed(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    past = local(-3).date().isoformat()
    response = client.post(schedule_url(community), schedule_data(date=past, capacity="12"))
    assert response.status_code == 400
    form = response.context["form"]
    (error,) = form.errors["past_confirmed"]
    assert "in the past" in error
    assert set(form.errors) == {"past_confirmed"}
    assert CHECKBOX in response.text
    assert 'name="past_confirmed"' in response.text
    assert "Please correct" in response.text
    for typed in (
        'value="Monthly incident review"',
        f'value="{past}"',
        'value="10:00"',
        'value="11:30"',
        'value="Room 4.12"',
        'value="https://meet.example.org/review"',
        'value="12"',
        "Bring **one** incident.",
    ):
        assert typed in response.text
    assert not Activity.objects.exists()


def test_ticking_the_checkbox_records_the_past_date(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    past = local(-3).date()
    response = client.post(schedule_url(community), schedule_data(date=past.isoformat(), past_confirmed="on"))
    assert response.status_code == 302
    occurrence = Activity.objects.get(community=community).occurrences.get()
    assert occurrence.start.astimezone(BERLIN).date() == past
    assert response["Location"] == occurrence.get_absolute_url()


def test_a_ticked_checkbox_stays_ticked_when_something_else_is_wrong(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    data = schedule_data(date=local(-3).date().isoformat(), end_time="09:00", past_confirmed="on")
    response = client.post(schedule_url(community), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"end_time"}
    assert form["past_confirmed"].value() is True
    assert "checked" in str(form["past_confirmed"])
    assert CHECKBOX in response.text
    assert not Activity.objects.exists()


def test_a_future_date_never_shows_the_checkbox(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    refused = client.post(schedule_url(community), schedule_data(end_time="09:00"))
    assert refused.status_code == 400
    assert CHECKBOX not in refused.text
    accepted = client.post(schedule_url(community), schedule_data())
    assert accepted.status_code == 302
    assert Activity.objects.count() == 1


# --- the move page ------------------------------------------------------------------------------------------


def test_moving_to_a_past_date_asks_for_the_confirmation_on_the_page(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    assert CHECKBOX not in client.get(url("move", occurrence)).text
    past = local(-2).date().isoformat()
    data = {"date": past, "start_time": "14:00", "end_time": "15:00"}
    response = client.post(url("move", occurrence), data)
    assert response.status_code == 400
    assert "in the past" in response.context["form"].errors["past_confirmed"][0]
    assert CHECKBOX in response.text
    assert f'value="{past}"' in response.text and 'value="14:00"' in response.text
    assert Occurrence.objects.get(pk=occurrence.pk).start == occurrence.start
    response = client.post(url("move", occurrence), {**data, "past_confirmed": "on"})
    assert response.status_code == 302
    assert Occurrence.objects.get(pk=occurrence.pk).start.astimezone(BERLIN).date().isoformat() == past
