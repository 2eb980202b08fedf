"""Background work for insights: the daily snapshot of every community's figures; digests and reports."""

import logging
from datetime import date

from celery import shared_task
from django.conf import settings

from insights.deliveries import (
    DIGEST_KINDS,
    MAX_ATTEMPTS,
    batches,
    deliveries_plan,
    deliveries_send,
    pending_ids,
)
from insights.snapshots import snapshots_take_daily

logger = logging.getLogger(__name__)


@shared_task(name="insights.tasks.take_daily_snapshots")
def take_daily_snapshots(today: str | None = None) -> int:
    """Beat ticks this hourly; it stores yesterday's snapshots and any of the last week's days no run took.

    Each row is an upsert per community and day, so a retry, a redelivery or an overlapping run stores the same
    rows again, never a second copy. `today` (ISO date, the organization's time zone) is for tests and manual
    catch-up; beat sends none. Returns how many rows it stored.
    """
    stored = snapshots_take_daily(today=date.fromisoformat(today) if today else None)
    logger.info("stored %d community snapshots", stored)
    return stored


@shared_task(name="insights.tasks.dispatch_digests", bind=True)
def dispatch_digests(self) -> int:
    """Beat ticks this every 15 minutes: plan the digests and reports now due, and enqueue every pending row in
    batches (rows already enqueued by an earlier tick are claimed only once). The batches go to the queue this
    run came from, so a worker dedicated to a queue finishes the whole job itself. Returns how many rows it
    enqueued."""
    for key in DIGEST_KINDS:
        deliveries_plan(key)
    ids = pending_ids()
    queue = (self.request.delivery_info or {}).get("routing_key")
    for batch in batches(ids):
        send_deliveries.apply_async((batch,), queue=queue)
    logger.info("enqueued %d deliveries", len(ids))
    return len(ids)


@shared_task(
    name="insights.tasks.send_deliveries",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS,
)
def send_deliveries(self, ids: list[int]) -> int:
    """Send one batch (see insights.deliveries). A worker lost mid-batch leaves the message unacknowledged: the
    broker delivers it again, and the same task id takes over the rows it had claimed. SMTP failures release the
    unsent rows and retry them with backoff (see retry_countdown)."""
    result = deliveries_send(ids, token=self.request.id or "local")
    if result.retry:
        raise self.retry(args=[result.retry], countdown=retry_countdown(self.request.retries))
    logger.info(
        "batch done: %d sent, %d with nothing new, %d failed", result.sent, result.skipped, result.failed
    )
    return result.sent


def retry_countdown(retries: int) -> int:
    """Seconds before retry number `retries` + 1: DELIVERY_RETRY_BASE_SECONDS doubled each time, at most an
    hour, and at most half the broker's visibility timeout. A worker holds a message unacknowledged while it
    waits out a countdown, and Redis hands a message held longer than the visibility timeout to another worker:
    two runs with one task id would both hold the batch's rows (a run takes over its own claims)."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(1, min(settings.DELIVERY_RETRY_BASE_SECONDS * 2**retries, 3600, visibility // 2))
