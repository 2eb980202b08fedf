"""Every digest kind at every frequency, end to end: a real Celery worker on Redis runs the dispatcher, which plans
and enqueues the due deliveries, and a real SMTP server (aiosmtpd) receives the mails.

Six recipients, one per kind and frequency: coordinator digest daily (a preference) and weekly (the default),
sponsor report weekly (a preference) and monthly (the default), member digest daily (a preference) and weekly (the
default). The worker's clock cannot be set, so its DIGEST_SEND_HOUR is 0 and everyone lives in UTC: whatever the
moment, yesterday, last week and last month are all due. Should UTC midnight pass while the test runs, the periods
are ambiguous and the test skips rather than guess.

The worker runs on a Redis database of its own (as in test_delivery_worker), with an https SITE_URL so the links and
the List-Unsubscribe header can be checked for it.
"""

import re
import time
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from communities import services as community_services
from copsite.celery import app as celery_app
from core.unsubscribe import read_unsubscribe_token
from insights import tasks
from insights.deliveries import due_period
from insights.models import Delivery
from members.notifications import Frequency
from members.services import notification_preferences_update
from tests.factories import UserFactory, coordinator_of, member_of
from tests.fixtures.services import stop_worker
from tests.insights.test_coordinator_digest import person
from tests.insights.test_member_digest import discussion
from tests.insights.test_sponsor_report import sponsoring

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SITE = "https://cop.example.org"
BROKER_DB = 12  # the worker's own Redis database (test_delivery_worker uses 13)
UTC = ZoneInfo("UTC")
# recipient email → (kind, frequency, a preference row or the kind's default)
RECIPIENTS = {
    "cora@example.org": ("coordinator_digest", Frequency.DAILY, True),
    "carl@example.org": ("coordinator_digest", Frequency.WEEKLY, False),
    "spencer@example.org": ("sponsor_report", Frequency.WEEKLY, True),
    "sally@example.org": ("sponsor_report", Frequency.MONTHLY, False),
    "mia@example.org": ("member_digest", Frequency.DAILY, True),
    "max@example.org": ("member_digest", Frequency.WEEKLY, False),
}
PERIOD_SHAPES = {
    Frequency.DAILY: r"\d{4}-\d{2}-\d{2}",
    Frequency.WEEKLY: r"\d{4}-W\d{2}",
    Frequency.MONTHLY: r"\d{4}-\d{2}",
}


def broker_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{BROKER_DB}"))


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """The worker's own Redis database, an https SITE_URL, and every digest due from midnight."""
    return {"REDIS_URL": broker_url(), "SITE_URL": SITE, "DIGEST_SEND_HOUR": "0"}


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


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def dispatched(worker, task_id: str) -> int:
    """Wait for the worker to finish a dispatch; how many rows it enqueued (its logged return value)."""
    pattern = re.compile(rf"dispatch_digests\[{task_id}\] succeeded in [\d.e-]+s: (\d+)")
    found: list[int] = []

    def done() -> bool:
        match = pattern.search(worker.log())
        if match:
            found.append(int(match.group(1)))
        return bool(match)

    wait_until(done, timeout=60, what=f"dispatch {task_id} to finish")
    return found[0]


def expected_periods() -> dict[str, str]:
    """frequency → the period key due now in UTC with the send hour at 0 (as in the worker)."""
    local_now = timezone.localtime(timezone.now(), UTC)
    return {frequency: due_period(frequency, local_now).key for frequency in PERIOD_SHAPES}


@pytest.fixture
def world(settings):
    """Kinds Guild (on approval), coordinated by Cora and Carl, with Mia and Max as members, sponsored by Spencer
    and Sally; Rita waits for a decision; an outsider started a discussion yesterday and one last week."""
    settings.DIGEST_SEND_HOUR = 0  # as in the worker
    settings.SITE_URL = SITE
    people = {email: person(email.split("@")[0].title() + " Kinds", email=email) for email in RECIPIENTS}
    cora, carl = people["cora@example.org"], people["carl@example.org"]
    guild = community_services.community_propose(
        proposer=cora, name="Kinds Guild", domain="Every kind of digest.", join_policy="approval"
    )
    coordinator_of(guild, user=carl)
    member_of(guild, user=people["mia@example.org"])
    member_of(guild, user=people["max@example.org"])
    sponsoring(people["spencer@example.org"], guild)
    sponsoring(people["sally@example.org"], guild)
    community_services.membership_request(user=person("Rita Requester"), community=guild)
    for email, (kind, frequency, chosen) in RECIPIENTS.items():
        if chosen:
            notification_preferences_update(user=people[email], choices={kind: frequency})
    for coordinator in (cora, carl):  # they are members too: only their coordinator digest here
        notification_preferences_update(user=coordinator, choices={"member_digest": "off"})
    outsider = UserFactory(full_name="Olga Outsider")
    now = timezone.localtime(timezone.now(), UTC)
    yesterday = due_period(Frequency.DAILY, now)
    last_week = due_period(Frequency.WEEKLY, now)
    discussion(guild, outsider, "Yesterday's kinds question", yesterday.start + timedelta(hours=1))
    discussion(guild, outsider, "Last week's kinds question", last_week.start + timedelta(hours=1))
    return {"people": people, "guild": guild}


def parts_of(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def assert_a_multipart_mail_with_one_click_unsubscribe(message, user, kind: str, *, csv: bool) -> None:
    """To the recipient; text and HTML alternatives (plus the CSV for the sponsor report); the signed one-click
    link for this person and kind, in the headers and both bodies; every link absolute to SITE_URL."""
    assert message["To"] == user.email
    alternative = next(part for part in message.walk() if part.get_content_type() == "multipart/alternative")
    assert [part.get_content_type() for part in alternative.iter_parts()] == ["text/plain", "text/html"]
    attachments = list(message.iter_attachments())
    if csv:
        assert message.get_content_type() == "multipart/mixed"
        (attachment,) = attachments
        assert attachment.get_content_type() == "text/csv"
        assert attachment.get_content().startswith("Community,Figure,This period,Previous period")
    else:
        assert message.get_content_type() == "multipart/alternative" and attachments == []
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/members/unsubscribe/") and unsubscribe.endswith(">")
    unsubscribe = unsubscribe.strip("<>")
    assert read_unsubscribe_token(unsubscribe.rstrip("/").rsplit("/", 1)[1]) == (user.pk, kind)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts_of(message)
    assert unsubscribe in text and unsubscribe in html
    text_links = re.findall(r"https?://[^\s<>\"')\]]+", text)
    html_links = re.findall(r'href="([^"]+)"', html)
    assert text_links and html_links
    assert all(link.startswith(f"{SITE}/") for link in text_links + html_links), (text_links, html_links)


def test_every_kind_at_every_frequency_arrives_once_through_the_worker(world, smtp_server, celery_worker):
    people = world["people"]
    before = expected_periods()
    enqueued = dispatched(celery_worker, enqueue(tasks.dispatch_digests, celery_worker.queue))
    assert enqueued == 6
    wait_until(
        lambda: Delivery.objects.filter(status="sent").count() == 6, timeout=60, what="six rows marked sent"
    )
    periods = expected_periods()
    if periods != before:  # pragma: no cover - a period boundary passed during the test (UTC midnight)
        pytest.skip("a period boundary passed while the test ran; the expected periods are ambiguous")

    # The rows: one per recipient, with their frequency's period key, sent.
    rows = {row.recipient.email: row for row in Delivery.objects.select_related("recipient")}
    assert set(rows) == set(RECIPIENTS)
    for email, (kind, frequency, _chosen) in RECIPIENTS.items():
        row = rows[email]
        assert (row.kind, row.status) == (kind, "sent")
        assert re.fullmatch(PERIOD_SHAPES[frequency], row.period) and row.period == periods[frequency]
        assert row.scope == (f"community:{world['guild'].pk}" if kind == "coordinator_digest" else "")

    # The mails: one per recipient.
    for email in RECIPIENTS:
        smtp_server.wait_for(email, timeout=30)
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(RECIPIENTS)
    mail = {email: smtp_server.to(email)[0] for email in RECIPIENTS}
    for email, (kind, _frequency, _chosen) in RECIPIENTS.items():
        assert_a_multipart_mail_with_one_click_unsubscribe(
            mail[email], people[email], kind, csv=kind == "sponsor_report"
        )

    # Coordinator digests: the request waiting for a decision, per day and per week.
    prefix = f"[{settings.SITE_NAME}] "
    assert mail["cora@example.org"]["Subject"] == f"{prefix}Your day in Kinds Guild: 1 request waiting"
    assert mail["carl@example.org"]["Subject"] == f"{prefix}Your week in Kinds Guild: 1 request waiting"
    for email in ("cora@example.org", "carl@example.org"):
        for body in parts_of(mail[email]):
            assert "Rita Requester" in body and f"{SITE}/c/{world['guild'].slug}/" in body

    # Sponsor reports: the community and its live member figure (4 active members), weekly and monthly.
    year, week = periods[Frequency.WEEKLY].split("-W")
    month = date.fromisoformat(f"{periods[Frequency.MONTHLY]}-01")
    weekly_subject = f"{prefix}Week {int(week)} of {year}: your community Kinds Guild"
    assert mail["spencer@example.org"]["Subject"] == weekly_subject
    assert mail["sally@example.org"]["Subject"] == f"{prefix}{month:%B %Y}: your community Kinds Guild"
    for email in ("spencer@example.org", "sally@example.org"):
        text, html = parts_of(mail[email])
        assert "Kinds Guild" in text and "Kinds Guild" in html
        assert re.search(r"^Members\s+4\s", text, re.MULTILINE), text
        (attachment,) = mail[email].iter_attachments()
        assert attachment.get_filename() == f"sponsor-report-{rows[email].period}.csv"
        assert "Kinds Guild,Members,4," in attachment.get_content().replace("\r\n", "\n")

    # Member digests: yesterday's discussion for the daily member, last week's for the weekly one.
    assert mail["mia@example.org"]["Subject"].startswith(f"{prefix}Yesterday in your communities: ")
    assert mail["max@example.org"]["Subject"].startswith(f"{prefix}Last week in your communities: ")
    for body in parts_of(mail["mia@example.org"]):
        assert "Yesterday&#x27;s kinds question" in body or "Yesterday's kinds question" in body
        assert "Last week's kinds question" not in body and "Last week&#x27;s kinds question" not in body
    for body in parts_of(mail["max@example.org"]):
        assert "Last week&#x27;s kinds question" in body or "Last week's kinds question" in body

    # A second dispatch finds nothing due and sends nothing more.
    assert dispatched(celery_worker, enqueue(tasks.dispatch_digests, celery_worker.queue)) == 0
    time.sleep(1)
    assert len(smtp_server.messages) == 6
    assert Delivery.objects.count() == 6 and Delivery.objects.filter(status="sent").count() == 6
