"""Mail about activities, delivered to a real SMTP server: reminders (once per date and person, even when the
job runs twice), cancellations and seats freed from the waitlist; and a reminder sent by a real Celery worker."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from activities.calendar import services, tasks
from activities.models import Activity, Occurrence, Rsvp
from communities import services as community_services
from communities.models import Membership
from members.services import notification_preferences_update
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

BERLIN = ZoneInfo("Europe/Berlin")
PREFIX = f"[{settings.SITE_NAME}] "


def schedule(community, *, hours: float = 12, capacity: int | None = None, title: str = "Practice round"):
    """A one-off activity starting `hours` from now (to the minute), in Berlin time."""
    coordinator = Membership.objects.filter(community=community, role="coordinator").first()
    actor = coordinator.user if coordinator else coordinator_of(community)
    start = (
        (timezone.now() + timedelta(hours=hours))
        .astimezone(BERLIN)
        .replace(tzinfo=None, second=0, microsecond=0)
    )
    activity = services.activity_schedule(
        actor=actor,
        community=community,
        title=title,
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        place="Room 4.12",
        online_link="https://meet.example.org/practice",
        capacity=capacity,
    )
    return activity.occurrences.get()


def going(occurrence: Occurrence, answer: str = Rsvp.Answer.GOING):
    person = member_of(occurrence.community)
    services.rsvp_set(user=person, occurrence=occurrence, answer=answer)
    return person


def reminders(mailbox, person) -> list:
    return [m for m in mailbox.to(person.email) if m["Subject"].startswith(f"{PREFIX}Reminder:")]


@pytest.fixture
def community(db):
    return CommunityFactory(name="Open Data Practice")


@pytest.fixture
def occurrence(community):
    return schedule(community)


# --- Reminders -------------------------------------------------------------------------------------------


def test_two_runs_send_one_reminder_to_each_person(smtp_server, occurrence):
    """The job claims each RSVP by a conditional update: running it again (or twice at once) sends nothing
    more."""
    ada, bo = going(occurrence), going(occurrence)
    assert tasks.send_due_reminders.delay().get() == 2
    assert tasks.send_due_reminders.delay().get() == 0
    assert len(reminders(smtp_server, ada)) == 1
    assert len(reminders(smtp_server, bo)) == 1
    assert len(smtp_server.messages) == 2
    assert not Rsvp.objects.filter(reminded_at__isnull=True).exists()


def test_a_claim_is_made_once_even_by_overlapping_runs(occurrence):
    """Two runs that found the same candidates: the second one's conditional update claims nothing."""
    going(occurrence)
    now = timezone.now()
    first = services.reminders_claim_due(now=now)
    second = services.reminders_claim_due(now=now)
    assert len(first) == 1 and second == []


def test_the_reminder_says_when_and_where_in_the_recipients_time_zone(smtp_server, occurrence):
    """Times in the person's own zone with its abbreviation; the action as an absolute link near the top; why
    they got it and how to stop it at the bottom; a plain-text and an HTML part."""
    person = going(occurrence)
    person.profile.time_zone = "America/New_York"
    person.profile.save(update_fields=["time_zone"])
    tasks.send_due_reminders.delay()

    (mail,) = reminders(smtp_server, person)
    there = occurrence.start.astimezone(ZoneInfo("America/New_York"))
    when = f"{there:%H:%M} {there.tzname()}"
    assert mail["Subject"] == f"{PREFIX}Reminder: Practice round, {there:%A} {there.day} {there:%B}, {when}"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = f"{settings.SITE_URL}{occurrence.get_absolute_url()}"
    for part in (text, html):
        assert link in part
        assert there.strftime("%H:%M") in part and there.tzname() in part
        assert "Room 4.12" in part and "https://meet.example.org/practice" in part
        assert f"{settings.SITE_URL}/" in part and "notification settings" in part
    assert text.index(link) < text.index("Can't come after all?")
    assert "You received this because you answered" in text


def test_someone_who_turned_reminders_off_gets_none(smtp_server, occurrence):
    quiet, keen = going(occurrence), going(occurrence)
    notification_preferences_update(user=quiet, choices={"activity_reminders": "off"})
    tasks.send_due_reminders.delay()
    assert reminders(smtp_server, quiet) == []
    assert len(reminders(smtp_server, keen)) == 1


def _waitlisted(community):
    full = schedule(community, capacity=1)
    going(full)
    person = going(full)
    assert Rsvp.objects.get(user=person).waitlisted
    return person


def _answered(answer):
    def make(community):
        return going(schedule(community), answer)

    return make


def _on_a_cancelled_date(community):
    occurrence = schedule(community)
    person = going(occurrence)
    services.occurrence_cancel(actor=coordinator_of(community), occurrence=occurrence, reason="Room taken")
    return person


def _deactivated(community):
    person = going(schedule(community))
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


def _left_the_community(community):
    person = going(schedule(community))
    community_services.membership_leave(user=person, membership=Membership.objects.get(user=person))
    return person


def _too_far_ahead(community):
    return going(schedule(community, hours=30))


def _already_started(community):
    occurrence = schedule(community, hours=2)
    person = going(occurrence)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=timezone.now() - timedelta(minutes=5), end=timezone.now() + timedelta(minutes=55)
    )
    return person


@pytest.mark.parametrize(
    "make",
    [
        _waitlisted,
        _answered(Rsvp.Answer.NOT_GOING),
        _answered(Rsvp.Answer.MAYBE),
        _on_a_cancelled_date,
        _deactivated,
        _left_the_community,
        _too_far_ahead,
        _already_started,
    ],
    ids=[
        "waitlisted",
        "not-going",
        "maybe",
        "cancelled-date",
        "deactivated",
        "left-the-community",
        "more-than-24h-ahead",
        "already-started",
    ],
)
def test_no_reminder(smtp_server, community, make):
    """Only people seated and going, to a date within the next 24 hours, still active members, are reminded."""
    person = make(community)
    tasks.send_due_reminders.delay()
    tasks.send_due_reminders.delay()
    assert reminders(smtp_server, person) == []


def test_a_date_coming_into_the_window_is_reminded_then(smtp_server, community):
    """Thirty hours ahead: nothing yet; once it is within 24 hours, the next run sends it."""
    occurrence = schedule(community, hours=30)
    person = going(occurrence)
    tasks.send_due_reminders.delay()
    assert reminders(smtp_server, person) == []
    claimed = services.reminders_claim_due(now=timezone.now() + timedelta(hours=7))
    assert claimed == [Rsvp.objects.get(user=person).pk]
    tasks.send_reminder.delay(claimed[0])
    assert len(reminders(smtp_server, person)) == 1


def test_an_answer_changed_between_claim_and_sending_is_not_reminded(smtp_server, occurrence):
    """The claim and the mail are two tasks: someone who said "not going" in between gets no reminder."""
    person = going(occurrence)
    (claimed,) = services.reminders_claim_due()
    services.rsvp_set(user=person, occurrence=occurrence, answer=Rsvp.Answer.NOT_GOING)
    assert tasks.send_reminder.delay(claimed).get() == 0
    assert reminders(smtp_server, person) == []


# --- Other mail about activities -------------------------------------------------------------------------


def test_a_cancelled_date_is_announced_with_its_reason(
    smtp_server, community, django_capture_on_commit_callbacks
):
    """Those going or maybe going hear of it (in their own time zone), with the reason; not those not going."""
    occurrence = schedule(community, hours=48)
    yes, maybe = going(occurrence), going(occurrence, Rsvp.Answer.MAYBE)
    no = going(occurrence, Rsvp.Answer.NOT_GOING)
    with django_capture_on_commit_callbacks(execute=True):
        services.occurrence_cancel(
            actor=coordinator_of(community), occurrence=occurrence, reason="The room flooded"
        )

    for person in (yes, maybe):
        (mail,) = smtp_server.to(person.email)
        local = occurrence.start.astimezone(ZoneInfo("UTC"))
        assert mail["Subject"].startswith(f"{PREFIX}Cancelled: Practice round, ")
        assert f"{local:%H:%M} UTC" in mail["Subject"]
        text = mail.get_body(("plain",)).get_content()
        assert "The room flooded" in text and "is cancelled" in text
        assert "The room flooded" in mail.get_body(("html",)).get_content()
        assert f"{settings.SITE_URL}{occurrence.get_absolute_url()}" in text
    assert smtp_server.to(no.email) == []


def test_a_seat_freed_from_the_waitlist_is_announced(
    smtp_server, community, django_capture_on_commit_callbacks
):
    occurrence = schedule(community, hours=48, capacity=1)
    seated = going(occurrence)
    waiting = going(occurrence)
    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_set(user=seated, occurrence=occurrence, answer=Rsvp.Answer.NOT_GOING)

    assert Rsvp.objects.get(user=waiting).waitlisted is False
    (mail,) = smtp_server.to(waiting.email)
    assert mail["Subject"].startswith(f"{PREFIX}A seat freed up: you're going to Practice round, ")
    text = mail.get_body(("plain",)).get_content()
    assert "first on the waitlist" in text and "Room 4.12" in text
    assert "first on the waitlist" in mail.get_body(("html",)).get_content()
    assert smtp_server.to(seated.email) == []


def test_the_mails_render_for_a_recurring_series(smtp_server, community, django_capture_on_commit_callbacks):
    """A cancelled date of a series says the other dates stay."""
    actor = coordinator_of(community)
    start = (
        (timezone.now() + timedelta(days=2)).astimezone(BERLIN).replace(tzinfo=None, second=0, microsecond=0)
    )
    series = services.activity_schedule(
        actor=actor,
        community=community,
        title="Weekly clinic",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        repeat=Activity.Repeat.WEEKLY,
        repeat_count=3,
    )
    first = series.occurrences.get(sequence=1)
    person = going(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.occurrence_cancel(actor=actor, occurrence=first, reason="Holiday")
    (mail,) = smtp_server.to(person.email)
    assert "other dates of the series stay" in mail.get_body(("plain",)).get_content()


# --- On a real worker ------------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_reminder(smtp_server, celery_worker):
    """send_due_reminders crosses Redis to a separate worker process, which claims the reminder in the (shared,
    committed) test database and hands each mail to its own task on the same queue; the mail arrives at the
    SMTP server, once, even when the job is sent twice."""
    community = CommunityFactory(name="Worker Practice")
    occurrence = schedule(community, hours=6)
    person = going(occurrence)
    bystander = UserFactory()

    first = tasks.send_due_reminders.apply_async(queue=celery_worker.queue)
    assert first.get(timeout=60) == 1
    (mail,) = smtp_server.wait_for(person.email, timeout=30)
    assert mail["Subject"].startswith(f"{PREFIX}Reminder: Practice round")

    second = tasks.send_due_reminders.apply_async(queue=celery_worker.queue)
    assert second.get(timeout=60) == 0
    assert Rsvp.objects.get(user=person).reminded_at is not None
    assert len(reminders(smtp_server, person)) == 1
    assert smtp_server.to(bystander.email) == []
    log = celery_worker.log()
    assert "activities.tasks.send_reminder" in log and "succeeded" in log
