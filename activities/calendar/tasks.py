"""Mail about activities: reminders, cancellations, a seat freed from the waitlist. Tasks take ids."""

# Task names are kept from where the tasks first lived (a contract with messages already queued and with the
# beat schedule), whatever module holds them now.

import logging

from celery import shared_task
from django.db.models import QuerySet
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


def _mail(rsvp: Rsvp, template: str, kind: str) -> int:
    """One mail about the date of `rsvp` to the person who answered, unless they turned this kind of mail off."""
    if not _wants(rsvp.user, kind):
        return 0
    context = _context(rsvp.occurrence, rsvp.user)
    return int(
        send_templated_mail(template=f"activities/{template}", to=rsvp.user, context=context, kind=kind)
    )


def _with_mail_context(rsvps: QuerySet[Rsvp]) -> QuerySet[Rsvp]:
    """Answers with what their mail shows: the person (and their zone), the date, its activity and community."""
    return rsvps.select_related("user__profile", "occurrence__activity", "occurrence__community")


@shared_task(
    name="activities.tasks.send_waitlist_promoted",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_waitlist_promoted(rsvp_id: int) -> int:
    """Tell someone a seat freed up and they moved from the waitlist to going."""
    rsvp = _with_mail_context(Rsvp.objects.seated().filter(pk=rsvp_id)).first()
    return 0 if rsvp is None else _mail(rsvp, "waitlist_promoted", CHANGES)


@shared_task(
    name="activities.tasks.send_occurrence_cancelled",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_occurrence_cancelled(occurrence_id: int, rsvp_ids: list[int]) -> int:
    """Tell those going (or maybe going) that a date is cancelled, with the reason."""
    rsvps = _with_mail_context(
        Rsvp.objects.filter(pk__in=rsvp_ids, occurrence_id=occurrence_id, occurrence__cancelled=True)
    )
    return sum(_mail(rsvp, "cancelled", CHANGES) for rsvp in rsvps)


@shared_task(
    name="activities.tasks.send_reminder", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_reminder(rsvp_id: int) -> int:
    """One reminder, for an RSVP already claimed by send_due_reminders (unless the answer changed since)."""
    rsvp = _with_mail_context(Rsvp.objects.seated().filter(pk=rsvp_id)).first()
    if rsvp is None or rsvp.occurrence.cancelled:
        return 0
    return _mail(rsvp, "reminder", REMINDERS)


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
