"""Digests and reports, delivered once: plan what is due, claim it, build it in batches, send, mark it sent.

1. **Plan** (`deliveries_plan`): for each digest kind, find the recipients whose next digest is due (their
   preference's frequency, in their own time zone, at `DIGEST_SEND_HOUR`) and insert one `Delivery` row per
   recipient, kind, period and scope. The unique constraint makes planning idempotent: an overlapping run, a
   retry or a redelivered task inserts nothing new.
2. **Claim** (`_claim`): a send task takes its batch of rows from pending to sending in one conditional update
   (rows locked with SKIP LOCKED, so two tasks never hold the same row). Rows a dead run of the same task claimed
   (a redelivered message has the same task id), or claimed longer ago than `DELIVERY_LEASE_SECONDS`, are taken
   over.
3. **Build**: the kind's builder turns the whole batch into mails with a fixed number of queries.
4. **Send and mark**: each mail goes out over one SMTP connection for the batch, and its row is marked sent
   right after the server accepted it. The only way to send a mail twice is to lose the worker between those two
   steps (see the README's delivery promise). SMTP failures release the unsent rows and the task retries with
   backoff; the dispatcher also re-enqueues pending rows on every tick.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from smtplib import SMTPException, SMTPRecipientsRefused
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.mail import send_templated_mail
from insights.models import Delivery
from members.models import NotificationPreference, User
from members.notifications import MAIL_KINDS, Frequency

logger = logging.getLogger(__name__)
Status = Delivery.Status
BATCH_SIZE = 100
# After this many failed attempts a row is given up (status failed) and logged.
MAX_ATTEMPTS = 8


@dataclass
class Mail:
    """What a builder makes of one delivery: the mail template and its context (None: nothing to send)."""

    template: str
    context: dict
    attachments: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DigestKind:
    """A digest or report: its notification kind, who may receive it, and how a batch is built."""

    key: str
    # (user id, community id or None) pairs of everyone who could receive it, for all or some communities.
    candidates: Callable[[list[int] | None], Iterable[tuple[int, int | None]]]
    # delivery id → Mail, or None when there is nothing new to tell; a fixed number of queries per batch.
    build: Callable[[list[Delivery]], dict[int, Mail | None]]
    frequencies: tuple[str, ...] = field(default=(Frequency.DAILY, Frequency.WEEKLY))


DIGEST_KINDS: dict[str, DigestKind] = {}


def register_digest(kind: DigestKind) -> None:
    DIGEST_KINDS[kind.key] = kind


# --- Periods --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime
    end: datetime


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def due_period(frequency: str, local_now: datetime) -> Period | None:
    """The period whose digest is due at `local_now` (in the recipient's zone), or None before the send hour.

    Daily: yesterday, from the send hour on. Weekly: last week (ISO, Monday to Sunday), from Monday's send hour
    on, all week (a missed Monday is caught up). Monthly: last month, from the 1st's send hour on, all month.
    """
    zone = local_now.tzinfo
    today = local_now.date()
    if frequency == Frequency.DAILY:
        if local_now.hour < settings.DIGEST_SEND_HOUR:
            return None
        day = today - timedelta(days=1)
        return Period(day.isoformat(), _midnight(day, zone), _midnight(today, zone))
    if frequency == Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        if today == monday and local_now.hour < settings.DIGEST_SEND_HOUR:
            return None
        last_monday = monday - timedelta(weeks=1)
        year, week, _ = last_monday.isocalendar()
        return Period(f"{year}-W{week:02d}", _midnight(last_monday, zone), _midnight(monday, zone))
    if frequency == Frequency.MONTHLY:
        first = today.replace(day=1)
        if today == first and local_now.hour < settings.DIGEST_SEND_HOUR:
            return None
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(f"{previous:%Y-%m}", _midnight(previous, zone), _midnight(first, zone))
    return None


def current_period(
    frequency: str, time_zone: str | None, now: datetime, *, force: bool = False
) -> Period | None:
    """The period due at `now` for a recipient in `time_zone` (an unknown zone counts as TIME_ZONE). With
    `force` (the send command, staff previews), the one due today even before the send hour."""
    local_now = timezone.localtime(now, _zone(time_zone))
    if force:
        local_now = local_now.replace(hour=max(local_now.hour, settings.DIGEST_SEND_HOUR))
    return due_period(frequency, local_now)


# --- Planning -------------------------------------------------------------------------------------------


def deliveries_plan(
    key: str, *, now: datetime | None = None, community_ids: list[int] | None = None, force: bool = False
) -> list[int]:
    """Insert the due deliveries of one kind; return the ids of all its rows still to send (any period).

    `force` (the send command) plans every candidate for their frequency's current period even before the send
    hour, and for those who turned the kind off nothing. A fixed number of queries per 1,000 candidates.
    """
    kind = DIGEST_KINDS[key]
    default = MAIL_KINDS[key].default
    now = now or timezone.now()
    pairs = list(kind.candidates(community_ids))
    user_ids = sorted({user_id for user_id, _ in pairs})
    planned: list[Delivery] = []
    for start in range(0, len(user_ids), 1000):
        chunk = user_ids[start : start + 1000]
        frequency = dict.fromkeys(chunk, default)
        frequency.update(
            NotificationPreference.objects.filter(user_id__in=chunk, kind=key).values_list(
                "user_id", "frequency"
            )
        )
        zones = dict(
            User.objects.filter(pk__in=chunk, is_active=True).values_list("pk", "profile__time_zone")
        )
        chunk_set = set(chunk)
        for user_id, community_id in pairs:
            if user_id not in chunk_set or user_id not in zones or frequency[user_id] not in kind.frequencies:
                continue
            period = current_period(frequency[user_id], zones[user_id], now, force=force)
            if period is None:
                continue
            planned.append(unsaved_delivery(key, period, recipient_id=user_id, community_id=community_id))
    Delivery.objects.bulk_create(planned, batch_size=1000, ignore_conflicts=True)
    pending = Delivery.objects.filter(kind=key, status__in=[Status.PENDING, Status.SENDING])
    if community_ids is not None:
        # Only these communities' recipients (a sponsor report covers all of its sponsor's communities).
        pending = pending.filter(recipient_id__in=user_ids)
        if any(community_id for _user_id, community_id in pairs):
            pending = pending.filter(community_id__in=community_ids)
    return list(pending.order_by("pk").values_list("pk", flat=True))


def unsaved_delivery(key: str, period: Period, *, recipient_id: int, community_id: int | None) -> Delivery:
    """A delivery of kind `key` for one recipient and period (and community, for per-community kinds), not saved:
    what planning inserts and what a staff preview builds."""
    return Delivery(
        recipient_id=recipient_id,
        kind=key,
        period=period.key,
        scope=f"community:{community_id}" if community_id else "",
        community_id=community_id,
        period_start=period.start,
        period_end=period.end,
    )


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


def batches(ids: list[int], size: int = BATCH_SIZE) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# --- Claiming, building, sending -----------------------------------------------------------------------


def _claim(ids: list[int], token: str, now: datetime) -> list[int]:
    """Take the batch's sendable rows (pending; or sending but claimed by this same task or long ago)."""
    lease = timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    with transaction.atomic():
        claimable = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids)
            .filter(
                Q(status=Status.PENDING)
                | Q(status=Status.SENDING, claimed_by=token)
                | Q(status=Status.SENDING, claimed_at__lt=now - lease)
            )
        )
        claimed = list(claimable.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=claimed).update(
            status=Status.SENDING, claimed_at=now, claimed_by=token, attempts=F("attempts") + 1
        )
    return claimed


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: list[int] = field(default_factory=list)  # released after an SMTP failure: send again later
    previews: list[str] = field(default_factory=list)  # a dry run: one line per row, what it would do
    taken_over: int = 0  # claimed by another run since this one claimed them (this run's lease ran out)


def deliveries_send(ids: list[int], *, token: str, dry_run: bool = False) -> SendResult:
    """Claim, build and send one batch; mark each row sent right after the SMTP server accepted its mail.

    A dry run claims nothing, changes nothing and sends nothing: it builds the batch and says, in `previews`,
    what each row would do."""
    result = SendResult()
    now = timezone.now()
    claimed = _claim(ids, token, now) if not dry_run else list(ids)
    if not claimed:
        return result
    rows = list(
        Delivery.objects.filter(pk__in=claimed).select_related("recipient", "recipient__profile", "community")
    )
    mails: dict[int, Mail | None] = {}
    by_kind: dict[str, list[Delivery]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for key, group in by_kind.items():
        mails.update(DIGEST_KINDS[key].build(group))
    if dry_run:
        for row in rows:
            mail = mails.get(row.pk)
            where = f" ({row.community.name})" if row.community else ""
            what = f"would send {mail.template}" if mail else "nothing new: would skip"
            result.previews.append(f"{row.kind} {row.period}{where} to {row.recipient.email}: {what}")
        return result
    empty = [row.pk for row in rows if mails.get(row.pk) is None]
    if empty:
        Delivery.objects.filter(pk__in=empty, status=Status.SENDING, claimed_by=token).update(
            status=Status.SKIPPED
        )
        result.skipped = len(empty)
    to_send = [row for row in rows if mails.get(row.pk) is not None]
    if not to_send:
        return result
    connection = get_connection()
    try:
        connection.open()
    except OSError as error:  # refused, unreachable, timed out: nothing went out, all of it waits for a retry
        return _release(to_send, error, result, token)
    try:
        for position, row in enumerate(to_send):
            mail = mails[row.pk]
            # Renew the claim and check it is still ours: a run that outlived its lease may have been replaced
            # by another (see pending_ids), which then sends this row itself.
            if not Delivery.objects.filter(pk=row.pk, status=Status.SENDING, claimed_by=token).update(
                claimed_at=timezone.now()
            ):
                result.taken_over += 1
                continue
            try:
                delivered = send_templated_mail(
                    template=mail.template,
                    to=row.recipient,
                    context=mail.context,
                    kind=row.kind,
                    connection=connection,
                    attachments=mail.attachments,
                )
            except SMTPRecipientsRefused as error:
                _give_up(row, error)
                result.failed += 1
                continue
            except (SMTPException, OSError) as error:
                return _release(to_send[position:], error, result, token)
            if not delivered:  # the recipient left the organization since the row was planned
                Delivery.objects.filter(pk=row.pk).update(status=Status.SKIPPED)
                result.skipped += 1
                continue
            Delivery.objects.filter(pk=row.pk).update(status=Status.SENT, sent_at=timezone.now())
            result.sent += 1
            logger.info("sent %s %s to user %s", row.kind, row.period, row.recipient_id)
    finally:
        _close_quietly(connection)
    return result


def _release(unsent: list[Delivery], error: Exception, result: SendResult, token: str) -> SendResult:
    """Put the rows not yet sent back to pending (the task retries them; the dispatcher would too)."""
    ids = [row.pk for row in unsent]
    Delivery.objects.filter(pk__in=ids, status=Status.SENDING, claimed_by=token).update(
        status=Status.PENDING, last_error=str(error)[:300]
    )
    result.retry = ids
    logger.warning("SMTP failed after %s sent in a batch: %s; %s released", result.sent, error, len(ids))
    return result


def _close_quietly(connection) -> None:
    """Close the batch's SMTP connection; a server that already hung up must not hide the batch's result."""
    try:
        connection.close()
    except (SMTPException, OSError) as error:
        logger.info("closing the SMTP connection failed: %s", error)


def _give_up(row: Delivery, error: Exception) -> None:
    Delivery.objects.filter(pk=row.pk).update(status=Status.FAILED, last_error=str(error)[:300])
    logger.error("gave up %s %s to user %s: %s", row.kind, row.period, row.recipient_id, error)


def pending_ids(*, now: datetime | None = None) -> list[int]:
    """Rows a tick should (re-)enqueue: pending ones, and sending ones whose lease ran out (a lost worker)."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    stale = Q(status=Status.SENDING, claimed_at__lt=now - lease)
    rows = Delivery.objects.filter(Q(status=Status.PENDING) | stale).filter(attempts__lt=MAX_ATTEMPTS)
    Delivery.objects.filter(Q(status=Status.PENDING) | stale, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error="gave up after repeated failures"
    )
    return list(rows.order_by("pk").values_list("pk", flat=True))
