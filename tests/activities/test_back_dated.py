"""Back-dated history (`at=`, used by demo data and tests): every timestamp the calendar and discussion
services write is the given moment, checks read "now" as that moment, and without `at` nothing changes."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from activities.calendar import services as calendar
from activities.calendar.services import ActivityError
from activities.discussions import services as discussions
from activities.models import Follow, Mention, Rsvp
from communities.models import Participation
from tests.factories import CommunityFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Back-dated Practice")


@pytest.fixture
def coordinator(community):
    return coordinator_of(community, user__full_name="Cora Coordinator", user__email="cora@example.org")


@pytest.fixture
def member(community):
    return member_of(community, user__full_name="Ada Asker", user__email="ada.asker@example.org")


def ledger(user, kind: str) -> list[tuple[str, datetime]]:
    return list(Participation.objects.filter(user=user, kind=kind).values_list("source", "at"))


def local(days: int) -> datetime:
    """Ten o'clock, `days` from today, as a naive time in Berlin (what people type)."""
    today = timezone.localdate()
    return datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=10)


def test_a_series_scheduled_weeks_ago_needs_no_confirmation_and_is_created_then(community, coordinator):
    """At the moment given, the first date was still ahead: no "confirm the past" needed."""
    at = timezone.now() - timedelta(days=30)
    activity = calendar.activity_schedule(
        actor=coordinator,
        community=community,
        title="Monthly clinic",
        start_local=local(-20),
        end_local=local(-20) + timedelta(hours=1),
        time_zone="Europe/Berlin",
        repeat="weekly",
        repeat_count=4,
        at=at,
    )
    activity.refresh_from_db()
    assert activity.created_at == at and activity.updated_at == at
    assert list(activity.hosts.all()) == [coordinator]
    assert activity.occurrences.count() == 4


def test_a_date_already_past_at_the_moment_given_still_needs_confirmation(community, coordinator):
    with pytest.raises(ActivityError):
        calendar.activity_schedule(
            actor=coordinator,
            community=community,
            title="Recorded late",
            start_local=local(-20),
            end_local=local(-20) + timedelta(hours=1),
            time_zone="Europe/Berlin",
            at=timezone.now() - timedelta(days=10),
        )
    activity = calendar.activity_schedule(
        actor=coordinator,
        community=community,
        title="Recorded late",
        start_local=local(-20),
        end_local=local(-20) + timedelta(hours=1),
        time_zone="Europe/Berlin",
        at=timezone.now() - timedelta(days=10),
        past_confirmed=True,
    )
    assert activity.occurrences.get().start < timezone.now()


def test_rsvp_and_attendance_back_dated_write_their_times_and_ledger_rows(community, coordinator, member):
    activity = calendar.activity_schedule(
        actor=coordinator,
        community=community,
        title="Clinic",
        start_local=local(-3),
        end_local=local(-3) + timedelta(hours=1),
        time_zone="Europe/Berlin",
        capacity=1,
        at=timezone.now() - timedelta(days=20),
    )
    occurrence = activity.occurrences.get()
    answered = occurrence.start - timedelta(days=5)
    rsvp = calendar.rsvp_set(user=member, occurrence=occurrence, answer="going", at=answered)
    assert rsvp.answered_at == answered and not rsvp.waitlisted
    # The coordinator answers later: the one seat is taken, so they wait.
    later = calendar.rsvp_set(
        user=coordinator, occurrence=occurrence, answer="going", at=answered + timedelta(hours=1)
    )
    assert later.waitlisted
    source = f"occurrence:{occurrence.pk}"
    assert ledger(member, Participation.Kind.RSVP) == [(source, answered)]
    recorded = occurrence.end + timedelta(hours=2)
    assert (
        calendar.attendance_record(
            actor=coordinator, occurrence=occurrence, attended_user_ids={member.pk}, at=recorded
        )
        == 1
    )
    occurrence.refresh_from_db()
    assert occurrence.attendance_recorded_at == recorded
    assert ledger(member, Participation.Kind.ATTENDED) == [(source, recorded)]
    assert Rsvp.objects.get(occurrence=occurrence, user=member).attended


def test_answers_close_when_the_date_was_over_at_the_moment_given(community, coordinator, member):
    activity = calendar.activity_schedule(
        actor=coordinator,
        community=community,
        title="Clinic",
        start_local=local(-3),
        end_local=local(-3) + timedelta(hours=1),
        time_zone="Europe/Berlin",
        past_confirmed=True,
    )
    occurrence = activity.occurrences.get()
    with pytest.raises(ActivityError):
        calendar.rsvp_set(user=member, occurrence=occurrence, answer="going", at=occurrence.end)
    with pytest.raises(ActivityError):
        calendar.attendance_record(
            actor=coordinator,
            occurrence=occurrence,
            attended_user_ids={member.pk},
            at=occurrence.start - timedelta(minutes=1),
        )
    assert not Rsvp.objects.exists()
    assert not Participation.objects.filter(user=member).exclude(kind="joined").exists()


def test_a_back_dated_discussion_reply_and_accepted_answer(community, coordinator, member):
    asked = timezone.now() - timedelta(days=40)
    discussion = discussions.discussion_start(
        author=member, community=community, title="Where to start?", body="Any advice, @cora?", at=asked
    )
    assert discussion.created_at == asked and discussion.last_activity_at == asked
    assert Follow.objects.get(discussion=discussion, user=member).created_at == asked
    assert Mention.objects.get(discussion=discussion, user=coordinator).created_at == asked
    assert ledger(member, Participation.Kind.POSTED) == [(f"discussion:{discussion.pk}", asked)]
    replied = asked + timedelta(hours=3)
    reply = discussions.reply_add(
        author=coordinator, discussion=discussion, body="With one case.", at=replied
    )
    assert reply.created_at == replied
    assert Follow.objects.get(discussion=discussion, user=coordinator).created_at == replied
    assert ledger(coordinator, Participation.Kind.REPLIED) == [(f"reply:{reply.pk}", replied)]
    solved = replied + timedelta(days=1)
    discussions.reply_accept(actor=member, discussion=discussion, reply=reply, at=solved)
    discussion.refresh_from_db()
    assert discussion.first_answer_at == replied and discussion.last_activity_at == replied
    assert discussion.reply_count == 1 and discussion.accepted_reply == reply
    assert discussion.solved_at == solved


def test_without_at_the_services_write_now(community, coordinator, member):
    before = timezone.now()
    discussion = discussions.discussion_start(author=member, community=community, title="Now?", body="Yes.")
    reply = discussions.reply_add(author=coordinator, discussion=discussion, body="Now.")
    discussions.reply_accept(actor=member, discussion=discussion, reply=reply)
    discussion.refresh_from_db()
    assert before <= discussion.created_at <= reply.created_at <= discussion.solved_at <= timezone.now()
    assert Follow.objects.get(discussion=discussion, user=coordinator).created_at >= before
    assert all(at >= before for _, at in ledger(coordinator, Participation.Kind.REPLIED))
