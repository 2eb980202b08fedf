"""Recording who came: the form prefilled from "going" (or from what was recorded), the ledger rows, access."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from activities.calendar import services
from activities.models import Occurrence, Rsvp
from communities.models import Participation
from tests.activities.test_schedule import first, schedule
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db


def attendance_url(occurrence: Occurrence) -> str:
    return reverse("activities:attendance", args=[occurrence.community.slug, occurrence.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def set_answer(user, occurrence: Occurrence, answer: str, *, waitlisted: bool = False) -> None:
    """An answer given before the date (the service refuses answers once it is over)."""
    Rsvp.objects.create(
        occurrence=occurrence, user=user, answer=answer, waitlisted=waitlisted, answered_at=occurrence.start
    )


@pytest.fixture
def past_date():
    """A date two days ago in a community with a coordinator, two going, one maybe, one waitlisted, one silent."""
    community = CommunityFactory()
    coordinator = coordinator_of(community, user__full_name="Cora Coordinator")
    occurrence = first(schedule(community, coordinator, days=-2, past_confirmed=True))
    people = {
        name: member_of(community, user__full_name=name)
        for name in ("Ann Going", "Bo Going", "Mo Maybe", "Wu Wait", "Sid Silent")
    }
    set_answer(people["Ann Going"], occurrence, "going")
    set_answer(people["Bo Going"], occurrence, "going")
    set_answer(people["Mo Maybe"], occurrence, "maybe")
    set_answer(people["Wu Wait"], occurrence, "going", waitlisted=True)
    return occurrence, coordinator, people


def test_form_is_prefilled_from_going(client, past_date):
    occurrence, coordinator, people = past_date
    client.force_login(coordinator)
    response = client.get(attendance_url(occurrence))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form["attended"].value()) == {people["Ann Going"].pk, people["Bo Going"].pk}
    labels = dict(form.fields["attended"].choices)
    assert labels[people["Mo Maybe"].pk] == "Mo Maybe (said maybe)"
    assert labels[people["Wu Wait"].pk] == "Wu Wait (on the waitlist)"
    assert labels[people["Sid Silent"].pk] == "Sid Silent"
    # those going come first
    assert list(labels)[:2] == sorted(
        [people["Ann Going"].pk, people["Bo Going"].pk], key=lambda pk: labels[pk]
    )


def test_recording_attendance_marks_who_came_and_adds_ledger_rows_once(client, past_date):
    occurrence, coordinator, people = past_date
    client.force_login(coordinator)
    came = [people["Ann Going"].pk, people["Sid Silent"].pk]
    response = client.post(attendance_url(occurrence), {"attended": came})
    assert response.status_code == 302 and response["Location"] == occurrence.get_absolute_url()
    assert messages_of(response) == ["Attendance recorded: 2 people came."]
    assert set(
        Rsvp.objects.filter(occurrence=occurrence, attended=True).values_list("user_id", flat=True)
    ) == set(came)
    assert Rsvp.objects.get(occurrence=occurrence, user=people["Sid Silent"]).answer == "going"
    ledger = Participation.objects.filter(kind="attended", source=f"occurrence:{occurrence.pk}")
    assert sorted(ledger.values_list("user_id", flat=True)) == sorted(came)
    occurrence.refresh_from_db()
    assert occurrence.attendance_recorded_at is not None

    # Corrected later: the form is prefilled from what was recorded; no duplicate ledger rows.
    form = client.get(attendance_url(occurrence)).context["form"]
    assert set(form["attended"].value()) == set(came)
    client.post(attendance_url(occurrence), {"attended": [*came, people["Bo Going"].pk]})
    assert ledger.count() == 3
    assert ledger.filter(user=people["Ann Going"]).count() == 1


def test_the_page_shows_who_came_after_recording(client, past_date):
    occurrence, coordinator, people = past_date
    services.attendance_record(
        actor=coordinator, occurrence=occurrence, attended_user_ids={people["Bo Going"].pk}
    )
    client.force_login(people["Ann Going"])
    text = client.get(occurrence.get_absolute_url()).text
    assert "Who came" in text and "Bo Going" in text and "Ann Going</li>" not in text


def test_attendance_before_the_start_is_refused(client):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    occurrence = first(schedule(community, coordinator))
    client.force_login(coordinator)
    response = client.post(attendance_url(occurrence), {"attended": [coordinator.pk]})
    assert response.status_code == 302
    assert messages_of(response) == ["Attendance can be recorded once the activity has started."]
    assert not Rsvp.objects.exists() and not Participation.objects.filter(kind="attended").exists()


def test_attendance_of_a_stranger_is_refused(client, past_date):
    occurrence, coordinator, _ = past_date
    stranger = UserFactory()
    client.force_login(coordinator)
    response = client.post(attendance_url(occurrence), {"attended": [stranger.pk]})
    assert response.status_code == 400
    assert "is not one of the available choices" in response.context["form"].errors["attended"][0]
    assert not Rsvp.objects.filter(attended=True).exists()
    assert Occurrence.objects.get(pk=occurrence.pk).attendance_recorded_at is None


def test_attendance_access(client, member_client, past_date):
    occurrence, coordinator, people = past_date
    client.force_login(people["Ann Going"])
    assert client.get(attendance_url(occurrence)).status_code == 403
    assert client.post(attendance_url(occurrence), {"attended": [people["Ann Going"].pk]}).status_code == 403
    private = CommunityFactory(visibility="private")
    hidden = first(schedule(private, days=-2, past_confirmed=True))
    assert member_client.get(attendance_url(hidden)).status_code == 404
    client.force_login(coordinator)
    assert client.put(attendance_url(occurrence)).status_code == 405
    assert not Rsvp.objects.filter(attended=True).exists()


def test_organizer_tools_offer_attendance_once_started(client, past_date):
    occurrence, coordinator, _ = past_date
    client.force_login(coordinator)
    assert "Record attendance" in client.get(occurrence.get_absolute_url()).text
