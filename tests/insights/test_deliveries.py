"""The delivery machinery (insights.deliveries) on real PostgreSQL and a real SMTP server: due periods, planning,
claiming, sending and giving up, with a test-only digest kind so the builders of the real kinds play no part."""

import threading
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from insights import tasks
from insights.deliveries import (
    DIGEST_KINDS,
    MAX_ATTEMPTS,
    DigestKind,
    Mail,
    _claim,
    deliveries_plan,
    deliveries_send,
    due_period,
    pending_ids,
    register_digest,
)
from insights.models import Delivery
from members.models import NotificationPreference, Profile
from members.notifications import MAIL_KINDS, Frequency, MailKind, register_mail_kind
from tests.factories import CommunityFactory, UserFactory
from tests.fixtures.services import DROP, free_port

KIND = "test_digest"
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
Status = Delivery.Status


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: ZoneInfo = UTC) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


# --- A test-only kind ------------------------------------------------------------------------------------


@dataclass
class FakeDigest:
    """Candidates and a builder that records each call; recipients in `quiet` have nothing new."""

    pairs: list[tuple[int, int | None]] = field(default_factory=list)
    quiet: set[int] = field(default_factory=set)
    calls: list[list[int]] = field(default_factory=list)
    while_building: Callable[[list[Delivery]], None] | None = None  # runs between the claim and the sending

    def candidates(self, community_ids: list[int] | None) -> list[tuple[int, int | None]]:
        return [(u, c) for u, c in self.pairs if community_ids is None or c in community_ids]

    def build(self, deliveries: list[Delivery]) -> dict[int, Mail | None]:
        self.calls.append(sorted(d.pk for d in deliveries))
        if self.while_building is not None:
            self.while_building(deliveries)
        return {
            d.pk: None
            if d.recipient_id in self.quiet
            else Mail(
                "tests/fake_digest", {"period": d.period}, (("figures.csv", "a,b\r\n1,2\r\n", "text/csv"),)
            )
            for d in deliveries
        }


@pytest.fixture
def fake(settings, tmp_path):
    """Registers KIND (a notification kind, weekly by default, and its digest) for one test, with its mail
    templates in a temporary folder; removes both afterwards."""
    folder = tmp_path / "templates" / "mail" / "tests"
    folder.mkdir(parents=True)
    (folder / "fake_digest_subject.txt").write_text("Your digest for {{ period }}")
    (folder / "fake_digest_body.txt").write_text(
        "News for {{ recipient.full_name }} ({{ period }}).\nStop these: {{ unsubscribe_url }}\n"
    )
    (folder / "fake_digest_body.html").write_text(
        '<p>News for {{ recipient.full_name }} ({{ period }}).</p><a href="{{ unsubscribe_url }}">Stop</a>'
    )
    templates = deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path / "templates"]
    settings.TEMPLATES = templates
    settings.DIGEST_SEND_HOUR = 7
    digest = FakeDigest()
    register_mail_kind(
        MailKind(
            key=KIND,
            label="Test digest",
            help_text="Only in tests.",
            default=Frequency.WEEKLY,
            allowed=(Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
        )
    )
    register_digest(
        DigestKind(
            key=KIND, candidates=digest.candidates, build=digest.build, frequencies=("daily", "weekly")
        )
    )
    yield digest
    DIGEST_KINDS.pop(KIND)
    MAIL_KINDS.pop(KIND)


def in_zone(user, zone: str):
    Profile.objects.filter(user=user).update(time_zone=zone)
    return user


def prefer(user, frequency: str) -> None:
    NotificationPreference.objects.create(user=user, kind=KIND, frequency=frequency)


def rows() -> list[tuple]:
    return list(
        Delivery.objects.order_by("pk").values_list(
            "pk",
            "recipient_id",
            "kind",
            "period",
            "scope",
            "period_start",
            "period_end",
            "status",
            "created_at",
        )
    )


def delivery(user, **values) -> Delivery:
    values = {
        "kind": KIND,
        "period": "2026-W48",
        "period_start": at(2026, 11, 23),
        "period_end": at(2026, 11, 30),
        **values,
    }
    return Delivery.objects.create(recipient=user, **values)


def statuses(*deliveries: Delivery) -> list[str]:
    by_pk = dict(Delivery.objects.values_list("pk", "status"))
    return [by_pk[d.pk] for d in deliveries]


# --- Due periods -----------------------------------------------------------------------------------------


def test_daily_is_yesterday_from_the_send_hour_on(settings):
    settings.DIGEST_SEND_HOUR = 7
    assert due_period(Frequency.DAILY, at(2026, 11, 30, 6, 59)) is None
    period = due_period(Frequency.DAILY, at(2026, 11, 30, 7))
    assert (period.key, period.start, period.end) == ("2026-11-29", at(2026, 11, 29), at(2026, 11, 30))
    assert due_period(Frequency.DAILY, at(2026, 11, 30, 23, 59)).key == "2026-11-29"
    # January 1st: yesterday is in the year before.
    assert due_period(Frequency.DAILY, at(2027, 1, 1, 8)).key == "2026-12-31"


def test_the_send_hour_is_a_setting(settings):
    settings.DIGEST_SEND_HOUR = 9
    assert due_period(Frequency.DAILY, at(2026, 11, 30, 8, 59)) is None
    assert due_period(Frequency.WEEKLY, at(2026, 11, 30, 8, 59)) is None
    assert due_period(Frequency.DAILY, at(2026, 11, 30, 9)).key == "2026-11-29"


def test_weekly_is_last_iso_week_from_mondays_send_hour_on(settings):
    settings.DIGEST_SEND_HOUR = 7
    assert due_period(Frequency.WEEKLY, at(2026, 11, 30, 6, 59)) is None  # Monday, before the hour
    period = due_period(Frequency.WEEKLY, at(2026, 11, 30, 7))
    assert (period.key, period.start, period.end) == ("2026-W48", at(2026, 11, 23), at(2026, 11, 30))


def test_a_missed_monday_is_caught_up_later_in_the_week(settings):
    """Tuesday to Sunday, at any hour, the week before is still due; the next Monday moves on."""
    settings.DIGEST_SEND_HOUR = 7
    assert due_period(Frequency.WEEKLY, at(2026, 12, 3, 3)).key == "2026-W48"  # Thursday, before the hour
    assert due_period(Frequency.WEEKLY, at(2026, 12, 6, 23, 59)).key == "2026-W48"  # Sunday night
    assert due_period(Frequency.WEEKLY, at(2026, 12, 7, 6)) is None  # Monday again, before the hour
    assert due_period(Frequency.WEEKLY, at(2026, 12, 7, 7)).key == "2026-W49"


def test_weeks_are_iso_weeks_across_the_new_year(settings):
    settings.DIGEST_SEND_HOUR = 7
    period = due_period(Frequency.WEEKLY, at(2027, 1, 4, 7))
    assert (period.key, period.start, period.end) == ("2026-W53", at(2026, 12, 28), at(2027, 1, 4))


def test_monthly_is_last_month_from_the_firsts_send_hour_on(settings):
    settings.DIGEST_SEND_HOUR = 7
    assert due_period(Frequency.MONTHLY, at(2026, 12, 1, 6)) is None
    period = due_period(Frequency.MONTHLY, at(2026, 12, 1, 7))
    assert (period.key, period.start, period.end) == ("2026-11", at(2026, 11, 1), at(2026, 12, 1))
    assert due_period(Frequency.MONTHLY, at(2026, 12, 31, 23)).key == "2026-11"  # all month long
    new_year = due_period(Frequency.MONTHLY, at(2027, 1, 1, 8))
    assert (new_year.key, new_year.start, new_year.end) == ("2026-12", at(2026, 12, 1), at(2027, 1, 1))
    february = due_period(Frequency.MONTHLY, at(2026, 3, 1, 7))
    assert (february.key, february.end - february.start) == ("2026-02", timedelta(days=28))


def test_a_week_with_a_clock_change_runs_from_local_midnight_to_local_midnight(settings):
    """Berlin moves its clocks on the last Sundays of March and October: those weeks are 167 and 169 hours.
    (Measured in UTC: Python subtracts two datetimes of the same zone by their wall clocks.)"""
    settings.DIGEST_SEND_HOUR = 7

    def hours(period) -> timedelta:
        return period.end.astimezone(UTC) - period.start.astimezone(UTC)

    spring = due_period(Frequency.WEEKLY, at(2026, 3, 30, 7, zone=BERLIN))
    assert spring.key == "2026-W13"
    assert spring.start == datetime(2026, 3, 22, 23, tzinfo=UTC)  # 00:00 CET
    assert spring.end == datetime(2026, 3, 29, 22, tzinfo=UTC)  # 00:00 CEST
    assert hours(spring) == timedelta(hours=167)
    autumn = due_period(Frequency.WEEKLY, at(2026, 10, 26, 7, zone=BERLIN))
    assert (autumn.key, hours(autumn)) == ("2026-W43", timedelta(hours=169))
    march = due_period(Frequency.MONTHLY, at(2026, 4, 1, 7, zone=BERLIN))
    assert (march.key, hours(march)) == ("2026-03", timedelta(days=31, hours=-1))


def test_no_period_for_frequencies_digests_do_not_use():
    assert due_period(Frequency.OFF, at(2026, 11, 30, 12)) is None
    assert due_period(Frequency.IMMEDIATELY, at(2026, 11, 30, 12)) is None


# --- Planning --------------------------------------------------------------------------------------------

MONDAY = at(2026, 11, 30, 8)  # 08:00 UTC on the Monday after ISO week 48


@pytest.mark.django_db
def test_planning_twice_stores_the_same_rows(fake):
    ann, bob = UserFactory(), UserFactory()
    fake.pairs = [(ann.pk, None), (bob.pk, None)]
    first = deliveries_plan(KIND, now=MONDAY)
    stored = rows()
    assert [(r[1], r[3], r[4], r[7]) for r in stored] == [
        (ann.pk, "2026-W48", "", "pending"),
        (bob.pk, "2026-W48", "", "pending"),
    ]
    assert deliveries_plan(KIND, now=MONDAY) == first == [r[0] for r in stored]
    assert deliveries_plan(KIND, now=MONDAY + timedelta(days=2)) == first  # a later tick of the same week
    assert rows() == stored


@pytest.mark.django_db
def test_planning_follows_each_members_preference_and_the_default_without_one(fake):
    default, daily, off, immediately = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    prefer(daily, Frequency.DAILY)
    prefer(off, Frequency.OFF)
    prefer(immediately, Frequency.IMMEDIATELY)  # not a frequency this kind has: nothing
    fake.pairs = [(u.pk, None) for u in (default, daily, off, immediately)]
    deliveries_plan(KIND, now=MONDAY)
    planned = dict(Delivery.objects.values_list("recipient_id", "period"))
    assert planned == {default.pk: "2026-W48", daily.pk: "2026-11-29"}


@pytest.mark.django_db
def test_deactivated_members_are_not_planned(fake):
    active, gone = UserFactory(), UserFactory(is_active=False)
    fake.pairs = [(active.pk, None), (gone.pk, None)]
    deliveries_plan(KIND, now=MONDAY)
    assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [active.pk]


@pytest.mark.django_db
def test_a_per_community_digest_is_one_row_per_community(fake):
    ann = UserFactory()
    guild, circle = CommunityFactory(), CommunityFactory()
    fake.pairs = [(ann.pk, guild.pk), (ann.pk, circle.pk)]
    deliveries_plan(KIND, now=MONDAY)
    assert sorted(Delivery.objects.values_list("scope", "community_id")) == sorted(
        [(f"community:{guild.pk}", guild.pk), (f"community:{circle.pk}", circle.pk)]
    )


@pytest.mark.django_db
def test_each_recipient_is_due_in_their_own_time_zone(fake):
    """Sunday 19:00 UTC: it is already Monday 08:00 in Auckland (last week is due), Monday 04:00 in Tokyo
    (before the send hour: nothing yet), and still Sunday in Berlin and Los Angeles (the week before)."""
    auckland = in_zone(UserFactory(), "Pacific/Auckland")
    tokyo = in_zone(UserFactory(), "Asia/Tokyo")
    berlin = in_zone(UserFactory(), "Europe/Berlin")
    los_angeles = in_zone(UserFactory(), "America/Los_Angeles")
    nowhere = in_zone(UserFactory(), "Mars/Olympus_Mons")  # an unknown zone falls back to TIME_ZONE (UTC)
    fake.pairs = [(u.pk, None) for u in (auckland, tokyo, berlin, los_angeles, nowhere)]
    deliveries_plan(KIND, now=at(2026, 11, 29, 19))
    planned = {d.recipient_id: d for d in Delivery.objects.all()}
    assert {pk: d.period for pk, d in planned.items()} == {
        auckland.pk: "2026-W48",
        berlin.pk: "2026-W47",
        los_angeles.pk: "2026-W47",
        nowhere.pk: "2026-W47",
    }
    assert planned[auckland.pk].period_start == at(2026, 11, 23, zone=ZoneInfo("Pacific/Auckland"))
    assert planned[los_angeles.pk].period_end == at(2026, 11, 23, zone=ZoneInfo("America/Los_Angeles"))
    # Three hours later it is 07:00 in Tokyo.
    deliveries_plan(KIND, now=at(2026, 11, 29, 22))
    assert Delivery.objects.get(recipient=tokyo).period == "2026-W48"


@pytest.mark.django_db
def test_force_plans_the_current_period_before_the_send_hour(fake):
    tokyo = in_zone(UserFactory(), "Asia/Tokyo")
    fake.pairs = [(tokyo.pk, None)]
    sunday_evening = at(2026, 11, 29, 19)  # Monday 04:00 in Tokyo
    assert deliveries_plan(KIND, now=sunday_evening) == []
    [pk] = deliveries_plan(KIND, now=sunday_evening, force=True)
    assert Delivery.objects.get(pk=pk).period == "2026-W48"


@pytest.mark.django_db
def test_planning_some_communities_returns_only_their_rows(fake):
    ann, bob = UserFactory(), UserFactory()
    guild, circle = CommunityFactory(), CommunityFactory()
    fake.pairs = [(ann.pk, guild.pk), (bob.pk, circle.pk)]
    everything = deliveries_plan(KIND, now=MONDAY)
    assert len(everything) == 2
    [only] = deliveries_plan(KIND, now=MONDAY, community_ids=[guild.pk])
    assert Delivery.objects.get(pk=only).recipient == ann


# --- Claiming --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_claim_of_the_same_batch_gets_nothing():
    batch = [delivery(UserFactory()).pk for _ in range(3)]
    now = timezone.now()
    assert sorted(_claim(batch, "task-1", now)) == batch
    assert _claim(batch, "task-2", now) == []
    assert set(Delivery.objects.values_list("status", "claimed_by", "attempts")) == {("sending", "task-1", 1)}


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_its_own_rows():
    """A worker died mid-batch: the broker delivers the same message (same task id) again."""
    batch = [delivery(UserFactory()).pk for _ in range(2)]
    _claim(batch, "task-1", timezone.now())
    assert sorted(_claim(batch, "task-1", timezone.now())) == batch
    assert set(Delivery.objects.values_list("claimed_by", "attempts")) == {("task-1", 2)}


@pytest.mark.django_db
def test_a_stale_lease_is_taken_over_by_another_run(settings):
    settings.DELIVERY_LEASE_SECONDS = 900
    stale, fresh = delivery(UserFactory()), delivery(UserFactory())
    now = timezone.now()
    _claim([stale.pk, fresh.pk], "lost", now)
    Delivery.objects.filter(pk=stale.pk).update(claimed_at=now - timedelta(seconds=901))
    Delivery.objects.filter(pk=fresh.pk).update(claimed_at=now - timedelta(seconds=899))
    assert _claim([stale.pk, fresh.pk], "next", now) == [stale.pk]
    assert Delivery.objects.get(pk=stale.pk).claimed_by == "next"
    assert Delivery.objects.get(pk=fresh.pk).claimed_by == "lost"


@pytest.mark.django_db
def test_finished_rows_are_never_claimed_again():
    sent, skipped, failed = (
        delivery(UserFactory(), status=status) for status in (Status.SENT, Status.SKIPPED, Status.FAILED)
    )
    assert _claim([sent.pk, skipped.pk, failed.pk], "task-1", timezone.now()) == []


@pytest.mark.django_db(transaction=True)
def test_rows_another_run_is_claiming_right_now_are_skipped_not_waited_for():
    """Two runs at the same moment: the rows one of them has locked are not the other's (SKIP LOCKED)."""
    batch = [delivery(UserFactory()).pk for _ in range(4)]
    locked, release = threading.Event(), threading.Event()

    def other_run() -> None:
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk__in=batch[:2]))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert locked.wait(10)
    try:
        assert sorted(_claim(batch, "task-2", timezone.now())) == batch[2:]
    finally:
        release.set()
        thread.join()
    assert statuses(*Delivery.objects.order_by("pk")) == ["pending", "pending", "sending", "sending"]


# --- Sending ---------------------------------------------------------------------------------------------


def plan_for(fake, *users) -> list[int]:
    fake.pairs = [(u.pk, None) for u in users]
    return deliveries_plan(KIND, now=MONDAY)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_batch_is_built_once_sent_and_marked(fake, smtp_server):
    ann, bob, quiet = UserFactory(full_name="Ann Alder"), UserFactory(), UserFactory()
    fake.quiet = {quiet.pk}
    ids = plan_for(fake, ann, bob, quiet)
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.skipped, result.failed, result.retry) == (2, 1, 0, [])
    assert fake.calls == [ids]  # one build for the whole batch
    by_recipient = dict(Delivery.objects.values_list("recipient_id", "status"))
    assert by_recipient == {ann.pk: "sent", bob.pk: "sent", quiet.pk: "skipped"}
    assert Delivery.objects.filter(status="sent", sent_at__isnull=False).count() == 2
    [mail] = smtp_server.to(ann.email)
    assert mail["Subject"].endswith("Your digest for 2026-W48")
    assert "News for Ann Alder (2026-W48)" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].strip("<>") in text_of(mail)
    [attachment] = mail.iter_attachments()
    assert attachment.get_filename() == "figures.csv"
    assert smtp_server.to(quiet.email) == []
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_a_batch_sent_again_sends_nothing(fake, smtp_server):
    ids = plan_for(fake, UserFactory(), UserFactory())
    deliveries_send(ids, token="task-1")
    again = deliveries_send(ids, token="task-2")
    same_task = deliveries_send(ids, token="task-1")
    assert (again.sent, same_task.sent) == (0, 0)
    assert len(smtp_server.messages) == 2
    assert len(fake.calls) == 1


@pytest.mark.django_db
def test_a_refused_recipient_is_given_up_and_the_rest_is_sent(fake, smtp_server):
    ann, bob, cid = UserFactory(), UserFactory(), UserFactory()
    smtp_server.refuse = {bob.email}
    ids = plan_for(fake, ann, bob, cid)
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.failed, result.retry) == (2, 1, [])
    refused = Delivery.objects.get(recipient=bob)
    assert refused.status == "failed" and "No such user" in refused.last_error
    assert [m["To"] for m in smtp_server.messages] == [ann.email, cid.email]


@pytest.mark.django_db
def test_a_server_that_hangs_up_mid_batch_gets_the_rest_released(fake, smtp_server):
    """The server accepts the first mail and hangs up on the second: the second and third go back to pending
    (returned for a retry); sent again, only they go out."""
    users = [UserFactory() for _ in range(3)]
    ids = plan_for(fake, *users)
    smtp_server.before_accept = lambda message, accepted: DROP if accepted == 1 else None
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.retry) == (1, ids[1:])
    assert statuses(*Delivery.objects.order_by("pk")) == ["sent", "pending", "pending"]
    errors = {Delivery.objects.get(pk=pk).last_error for pk in ids[1:]}
    assert errors == {"Connection unexpectedly closed"}  # smtplib's SMTPServerDisconnected

    smtp_server.before_accept = None
    retried = deliveries_send(result.retry, token="task-1")
    assert (retried.sent, retried.retry) == (2, [])
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(u.email for u in users)


@pytest.mark.django_db
def test_a_temporary_refusal_releases_the_rest(fake, smtp_server):
    ids = plan_for(fake, UserFactory(), UserFactory())
    smtp_server.before_accept = lambda message, accepted: "451 Try again later"
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.retry) == (0, ids)
    assert statuses(*Delivery.objects.order_by("pk")) == ["pending", "pending"]


@pytest.mark.django_db
def test_a_server_that_is_down_releases_the_whole_batch(fake, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    ids = plan_for(fake, UserFactory(), UserFactory())
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.retry) == (0, ids)
    assert [(d.status, d.attempts, bool(d.last_error)) for d in Delivery.objects.order_by("pk")] == [
        ("pending", 1, True),
        ("pending", 1, True),
    ]


@pytest.mark.django_db
def test_a_row_another_run_took_over_meanwhile_is_left_to_it(fake, smtp_server):
    """This run was slow: its lease ran out and another run claimed one of its rows. It sends the others and
    leaves that one alone (it checks and renews its claim on each row right before sending it)."""
    ann, bob, cid = UserFactory(), UserFactory(), UserFactory()
    ids = plan_for(fake, ann, bob, cid)

    def another_run_takes_bob(deliveries: list[Delivery]) -> None:
        Delivery.objects.filter(recipient=bob).update(claimed_by="another-run")

    fake.while_building = another_run_takes_bob
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.taken_over) == (2, 1)
    assert [m["To"] for m in smtp_server.messages] == [ann.email, cid.email]
    assert Delivery.objects.get(recipient=bob).status == "sending"
    assert Delivery.objects.get(recipient=ann).claimed_at > Delivery.objects.get(recipient=bob).claimed_at


@pytest.mark.django_db
def test_someone_who_left_since_planning_is_skipped(fake, smtp_server):
    stays, leaves = UserFactory(), UserFactory()
    ids = plan_for(fake, stays, leaves)
    type(leaves).objects.filter(pk=leaves.pk).update(is_active=False)
    result = deliveries_send(ids, token="task-1")
    assert (result.sent, result.skipped) == (1, 1)
    assert Delivery.objects.get(recipient=leaves).status == "skipped"
    assert [m["To"] for m in smtp_server.messages] == [stays.email]


@pytest.mark.django_db
def test_a_dry_run_says_what_it_would_do_and_changes_nothing(fake, smtp_server):
    ann, quiet = UserFactory(email="ann@example.org"), UserFactory(email="quiet@example.org")
    fake.quiet = {quiet.pk}
    ids = plan_for(fake, ann, quiet)
    before = rows()
    result = deliveries_send(ids, token="task-1", dry_run=True)
    assert result.previews == [
        f"{KIND} 2026-W48 to ann@example.org: would send tests/fake_digest",
        f"{KIND} 2026-W48 to quiet@example.org: nothing new: would skip",
    ]
    assert rows() == before
    assert Delivery.objects.filter(attempts=0, claimed_by="").count() == 2
    assert smtp_server.messages == []


# --- What the dispatcher re-enqueues --------------------------------------------------------------------


@pytest.mark.django_db
def test_pending_ids_re_enqueue_stale_rows_and_give_up_after_max_attempts(settings):
    settings.DELIVERY_LEASE_SECONDS = 900
    now = timezone.now()
    old = now - timedelta(seconds=901)
    pending = delivery(UserFactory())
    fresh = delivery(UserFactory(), status=Status.SENDING, claimed_at=now, claimed_by="busy", attempts=1)
    stale = delivery(UserFactory(), status=Status.SENDING, claimed_at=old, claimed_by="lost", attempts=1)
    sent = delivery(UserFactory(), status=Status.SENT, attempts=1)
    worn_out = delivery(UserFactory(), attempts=MAX_ATTEMPTS)
    stale_worn_out = delivery(
        UserFactory(), status=Status.SENDING, claimed_at=old, claimed_by="lost", attempts=MAX_ATTEMPTS
    )
    assert pending_ids(now=now) == [pending.pk, stale.pk]
    assert statuses(pending, fresh, stale, sent, worn_out, stale_worn_out) == [
        "pending",
        "sending",
        "sending",
        "sent",
        "failed",
        "failed",
    ]
    assert Delivery.objects.get(pk=worn_out.pk).last_error == "gave up after repeated failures"


def test_retries_back_off_and_never_outwait_the_visibility_timeout(settings):
    """A countdown is waited out by a worker holding the message: longer than the broker's visibility timeout,
    and Redis would hand the same task to a second worker."""
    settings.DELIVERY_RETRY_BASE_SECONDS = 60
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    assert [tasks.retry_countdown(n) for n in range(8)] == [60, 120, 240, 480, 960, 1800, 1800, 1800]
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 10_000}
    assert tasks.retry_countdown(7) == 3600
    settings.DELIVERY_RETRY_BASE_SECONDS = 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
    assert [tasks.retry_countdown(n) for n in range(4)] == [1, 2, 2, 2]


# --- The tasks, in-process -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dispatch_plans_and_sends_what_is_due(fake, smtp_server, settings):
    """With the send hour at midnight last week is always due: the tick plans and sends it; the next tick finds
    nothing to send."""
    settings.DIGEST_SEND_HOUR = 0
    ann, bob = UserFactory(), UserFactory()
    fake.pairs = [(ann.pk, None), (bob.pk, None)]
    assert tasks.dispatch_digests.delay().get() == 2
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([ann.email, bob.email])
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert tasks.dispatch_digests.delay().get() == 0
    assert len(smtp_server.messages) == 2
