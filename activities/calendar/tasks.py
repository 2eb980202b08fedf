"""Mail about activities: reminders, cancellations, a seat freed from the waitlist. Tasks take ids."""

# Task names are kept from where the tasks first lived (a contract with messages already queued and with the
# beat schedule), whatever module holds them now.

import logging

from celery import shared_task
from django.urls import reverse

from activities.calendar.models import Occurrence, Rsvp
from core.mail import send_templated_mail
from members.notifications import Frequency
from members.services import notification_frequency

logger = logging.getLogger(__name__)

REMINDERS = "activity_reminders"
CHANGES = "activity_changes"


def _wants(user, kind: str) -> bool:
    return user.is_active and notification_frequency(user=user, kind=kind) != Frequency.OFF


def _context(occurrence: Occurrence, user) -> dict:
    return {
        "occurrence": occurrence,
        "activity": occurrence.activity,
        "community": occurrence.community,
        "time_zone": getattr(getattr(user, "profile", None), "time_zone", None)
        or occurrence.activity.time_zone,
        "action_url": reverse("activities:occurrence", args=[occurrence.community.slug, occurrence.pk]),
    }


@shared_task(
    name="activities.tasks.send_waitlist_promoted",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_waitlist_promoted(rsvp_id: int) -> int:
    """Tell someone a seat freed up and they moved from the waitlist to going."""
    rsvp = (
        Rsvp.objects.select_related("user__profile", "occurrence__activity", "occurrence__community")
        .filter(pk=rsvp_id, answer=Rsvp.Answer.GOING, waitlisted=False)
        .first()
    )
    if rsvp is None or not _wants(rsvp.user, CHANGES):
        return 0
    return int(
        send_templated_mail(
            template="activities/waitlist_promoted",
            to=rsvp.user,
            context=_context(rsvp.occurrence, rsvp.user),
            kind=CHANGES,
        )
    )


@shared_task(
    name="activities.tasks.send_occurrence_cancelled",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_occurrence_cancelled(occurrence_id: int, rsvp_ids: list[int]) -> int:
    """Tell those going (or maybe going) that a date is cancelled, with the reason."""
    rsvps = Rsvp.objects.select_related(
        "user__profile", "occurrence__activity", "occurrence__community"
    ).filter(pk__in=rsvp_ids, occurrence_id=occurrence_id, occurrence__cancelled=True)
    sent = 0
    for rsvp in rsvps:
        if _wants(rsvp.user, CHANGES):
            sent += send_templated_mail(
                template="activities/cancelled",
                to=rsvp.user,
                context=_context(rsvp.occurrence, rsvp.user),
                kind=CHANGES,
            )
    return sent


@shared_task(
    name="activities.tasks.send_reminder", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_reminder(rsvp_id: int) -> int:
    """One reminder, for an RSVP already claimed by send_due_reminders (unless the answer changed since)."""
    rsvp = (
        Rsvp.objects.select_related("user__profile", "occurrence__activity", "occurrence__community")
        .filter(pk=rsvp_id, answer=Rsvp.Answer.GOING, waitlisted=False)
        .first()
    )
    if rsvp is None or rsvp.occurrence.cancelled or not _wants(rsvp.user, REMINDERS):
        return 0
    return int(
        send_templated_mail(
            template="activities/reminder",
            to=rsvp.user,
            context=_context(rsvp.occurrence, rsvp.user),
            kind=REMINDERS,
        )
    )


@shared_task(name="activities.tasks.send_due_reminders", bind=True)
def send_due_reminders(self) -> int:
    """Beat ticks this; it claims due reminders in the database (once per date and person) and sends them.

    Each reminder is a task of its own (one failing mail server retries only that mail), sent to the queue this
    run came from, so a worker dedicated to a queue finishes the whole job itself."""
    from activities.calendar.services import reminders_claim_due

    claimed = reminders_claim_due()
    queue = (self.request.delivery_info or {}).get("routing_key")
    for rsvp_id in claimed:
        send_reminder.apply_async((rsvp_id,), queue=queue)
    logger.info("claimed %d reminders", len(claimed))
    return len(claimed)
