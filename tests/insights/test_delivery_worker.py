"""The delivery promise, measured with a real Celery worker on Redis and a real SMTP server (aiosmtpd).

A worker killed mid-batch loses nothing and sends nothing twice, except in the one window between the SMTP
server accepting a mail and its row being marked sent; overlapping runs send once; an SMTP server that is down
for a while gets everything, once, when it comes back. The worker imports the app as in production, so these
tests send the real member digest.

The worker runs on a Redis database of its own: its visibility timeout is lowered to a few seconds so a killed
worker's task comes back quickly, and a worker with such a timeout hands back *every* unacknowledged message it
finds older than that, including other test processes' (their countdown retries, their long tasks); on its own
database it can only hand back ours.
"""

import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from activities.models import Discussion
from copsite.celery import app as celery_app
from insights import tasks
from insights.deliveries import deliveries_plan, due_period
from insights.models import Delivery
from members.notifications import Frequency
from tests.factories import CommunityFactory, UserFactory, member_of
from tests.fixtures.services import start_worker, stop_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

KIND = "member_digest"
VISIBILITY_TIMEOUT = 5
BROKER_DB = 13  # the worker's own Redis database (see the module docstring)


def broker_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{BROKER_DB}"))


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """The worker's settings for these tests: its own Redis database (broker, results, cache), a short
    visibility timeout, quick SMTP retries, and digests due from midnight (so a dispatch finds last week due at
    any hour, as the tests' `force` planning does)."""
    return {
        "REDIS_URL": broker_url(),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DELIVERY_RETRY_BASE_SECONDS": "1",
        "DIGEST_SEND_HOUR": "0",
    }


@pytest.fixture(autouse=True)
def _forget_the_queue(celery_worker):
    """After the test, remove its queue and binding from the worker's Redis database (results expire)."""
    yield
    stop_worker(celery_worker)
    client = redis.Redis.from_url(broker_url())
    client.delete(celery_worker.queue, f"_kombu.binding.{celery_worker.queue}")
    client.close()


def enqueue(task, queue: str, *args) -> str:
    """Send a task to the worker's queue on the worker's Redis database; its task id."""
    with celery_app.connection_for_write(broker_url()) as connection:
        return task.apply_async(args, queue=queue, connection=connection).id


def both_ready(worker) -> None:
    """Both workers on the queue (they share a log) are consuming, so two messages are taken at once."""
    wait_until(lambda: worker.log().count(" ready.") >= 2, timeout=90, what="two workers to be ready")


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def members(settings):
    """Ten members, each the only member of a community where an outsider started a discussion last week:
    each has something new (a discussion titled with their number) in their weekly digest (the default)."""
    settings.DIGEST_SEND_HOUR = 0  # as in the worker
    week = due_period(Frequency.WEEKLY, timezone.localtime(timezone.now(), ZoneInfo("UTC")))
    outsider = UserFactory(full_name="Olga Outsider")
    people = []
    for number in range(1, 11):
        community = CommunityFactory(name=f"Guild {number:02d}")
        person = UserFactory(full_name=f"Member {number:02d}", email=f"m{number:02d}@example.org")
        people.append(member_of(community, user=person))
        moment = week.start + timedelta(hours=30)
        Discussion.objects.create(
            community=community,
            author=outsider,
            title=f"News for member {number:02d}",
            body="Something new.",
            created_at=moment,
            last_activity_at=moment,
        )
    return people


def plan() -> list[int]:
    """Plan last week's member digests now, as the send command does."""
    ids = deliveries_plan(KIND, force=True)
    assert len(ids) == 10
    return ids


def recipients(mailbox) -> Counter:
    with mailbox.lock:
        return Counter(message["To"] for message in mailbox.messages)


def assert_all_sent(ids: list[int]) -> None:
    wait_until(
        lambda: Delivery.objects.filter(pk__in=ids, status="sent").count() == len(ids),
        timeout=30,
        what="every row marked sent",
    )


def assert_a_real_digest(message, number: str) -> None:
    """A multipart digest with its member's news, absolute links and the one-click unsubscribe headers."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"News for member {number}" in text and f"News for member {number}" in html
    assert f"{settings.SITE_URL}/" in text
    assert message["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def kill_and_restart(worker, killed_at: list[float]) -> None:
    """Wait for the kill the SMTP handler did, then restart the worker once the broker would hand the lost
    message back (it does so when a worker starts, for messages older than the visibility timeout)."""
    wait_until(lambda: killed_at, timeout=60, what="the worker to be killed")
    worker.process.wait(timeout=10)
    time.sleep(max(0.0, killed_at[0] + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    worker.restart()


# --- A worker lost mid-batch -------------------------------------------------------------------------------


def test_a_worker_killed_before_the_fourth_mail_loses_nothing_and_repeats_nothing(
    members, smtp_server, celery_worker
):
    """The worker is killed (SIGKILL) while the SMTP server holds the 4th mail, before accepting it: 3 went
    out. The broker hands the unacknowledged task to the restarted worker, which takes over the rows its dead
    run had claimed (same task id) and sends the other 7: exactly 10 mails, each member once."""
    ids = plan()
    killed_at: list[float] = []

    def kill_before_the_fourth(message, accepted: int) -> str | None:
        if accepted == 3 and not killed_at:
            celery_worker.kill()
            killed_at.append(time.monotonic())
            return "451 The worker is gone"
        return None

    smtp_server.before_accept = kill_before_the_fourth
    task_id = enqueue(tasks.send_deliveries, celery_worker.queue, ids)
    kill_and_restart(celery_worker, killed_at)
    assert_all_sent(ids)
    assert celery_worker.log().count(f"send_deliveries[{task_id}] received") == 2  # delivered again

    assert recipients(smtp_server) == Counter({person.email: 1 for person in members})
    assert len(smtp_server.messages) == 10
    for message in smtp_server.messages:
        assert_a_real_digest(message, message["To"][1:3])
    rows = Delivery.objects.filter(pk__in=ids)
    assert {row.claimed_by for row in rows} == {rows[0].claimed_by}  # one task id throughout
    assert sorted(row.attempts for row in rows) == [1, 1, 1] + [2] * 7  # the first 3 were claimed once


def test_a_worker_killed_after_the_server_accepted_a_mail_sends_that_one_twice(
    members, smtp_server, celery_worker
):
    """The one window of the promise: the SMTP server accepted the 4th mail, and the worker dies before it
    marks that row sent. After the restart that row is sent again: 11 mails, the duplicate is the 4th
    member's, and nobody else gets two. This window is all there is."""
    ids = plan()
    killed_at: list[float] = []

    def kill_after_the_fourth(message, accepted: int) -> None:
        if accepted == 3 and not killed_at:
            celery_worker.kill()
            killed_at.append(time.monotonic())

    smtp_server.after_accept = kill_after_the_fourth
    task_id = enqueue(tasks.send_deliveries, celery_worker.queue, ids)
    kill_and_restart(celery_worker, killed_at)
    assert_all_sent(ids)
    assert celery_worker.log().count(f"send_deliveries[{task_id}] received") == 2

    fourth = smtp_server.messages[3]["To"]
    expected = Counter({person.email: 1 for person in members})
    expected[fourth] += 1
    assert recipients(smtp_server) == expected
    assert len(smtp_server.messages) == 11
    assert fourth == members[3].email  # rows are sent in the order they were planned


# --- Overlapping runs --------------------------------------------------------------------------------------


def test_two_overlapping_dispatches_send_each_digest_once(members, smtp_server, celery_worker, tmp_path):
    """Two workers on the queue, two dispatch ticks at once: both plan (one row per member and period, whoever
    inserts it) and both enqueue the pending rows; the claims give each row to one run only: exactly 10."""
    second = start_worker(tmp_path, celery_worker.queue, **celery_worker.env)
    try:
        both_ready(celery_worker)
        enqueue(tasks.dispatch_digests, celery_worker.queue)
        enqueue(tasks.dispatch_digests, celery_worker.queue)
        wait_until(
            lambda: Delivery.objects.filter(kind=KIND, status="sent").count() == 10,
            timeout=60,
            what="ten digests marked sent",
        )
        time.sleep(2)  # let any batch still in flight finish: it must find nothing to send
    finally:
        stop_worker(second)
    assert recipients(smtp_server) == Counter({person.email: 1 for person in members})
    assert Delivery.objects.count() == 10
    log = celery_worker.log()
    assert log.count("insights.tasks.dispatch_digests") >= 2


def test_the_same_batch_enqueued_twice_is_sent_once(members, smtp_server, celery_worker, tmp_path):
    """Two copies of the batch (a retry and a tick, or a message delivered twice), taken at the same moment by
    two workers: exactly 10."""
    ids = plan()
    second = start_worker(tmp_path, celery_worker.queue, **celery_worker.env)
    try:
        both_ready(celery_worker)
        enqueue(tasks.send_deliveries, celery_worker.queue, ids)
        enqueue(tasks.send_deliveries, celery_worker.queue, ids)
        assert_all_sent(ids)
        time.sleep(2)
    finally:
        stop_worker(second)
    assert recipients(smtp_server) == Counter({person.email: 1 for person in members})


# --- The SMTP server down for a while ----------------------------------------------------------------------


def test_an_smtp_server_down_for_a_while_gets_everything_once_when_it_is_back(
    members, smtp_server, celery_worker
):
    """The server is down: the batch is released and retried with backoff (1 s, 2 s, … here). It comes back
    after two failed tries; everything arrives, once."""
    ids = plan()
    smtp_server.stop()
    enqueue(tasks.send_deliveries, celery_worker.queue, ids)
    wait_until(
        lambda: Delivery.objects.filter(pk__in=ids, status="pending", attempts__gte=2).count() == 10,
        timeout=60,
        what="two failed tries",
    )
    assert "Connection refused" in Delivery.objects.filter(pk__in=ids).first().last_error
    assert smtp_server.messages == []
    smtp_server.start()
    assert_all_sent(ids)
    assert recipients(smtp_server) == Counter({person.email: 1 for person in members})
    assert "Retry in" in celery_worker.log()


def test_a_server_refusing_mid_batch_gets_the_rest_on_a_retry(members, smtp_server, celery_worker):
    """The server takes 5 mails, then answers "try later" for a while: the 5 others are released, retried,
    and arrive once it accepts again; nobody gets two."""
    ids = plan()
    refusing = {"on": True}

    def busy_after_five(message, accepted: int) -> str | None:
        return "451 Too busy, try later" if accepted >= 5 and refusing["on"] else None

    smtp_server.before_accept = busy_after_five
    enqueue(tasks.send_deliveries, celery_worker.queue, ids)
    wait_until(
        lambda: Delivery.objects.filter(pk__in=ids, status="pending", attempts__gte=2).count() == 5,
        timeout=60,
        what="the refused half to be tried twice",
    )
    refusing["on"] = False
    assert_all_sent(ids)
    assert recipients(smtp_server) == Counter({person.email: 1 for person in members})
