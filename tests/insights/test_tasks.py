"""The daily snapshot task: registered where beat looks for it, idempotent, and run by a real Celery worker."""

import logging
import time
from contextlib import contextmanager
from datetime import date, datetime
from datetime import time as clock_time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from activities.discussions import services as discussion_services
from communities import services as community_services
from copsite.celery import app as celery_app
from insights import tasks
from insights.models import SNAPSHOT_FIGURES, Snapshot
from tests.factories import CommunityFactory, UserFactory

DAY = date(2026, 4, 14)  # the day the fixture's history happens; the task runs on the 15th
TODAY = "2026-04-15"


@contextmanager
def clock(hour: int):
    moment = datetime.combine(DAY, clock_time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def rows() -> dict[tuple[int, date], tuple]:
    return {
        (s.community_id, s.day): (s.pk, *(getattr(s, name) for name in SNAPSHOT_FIGURES))
        for s in Snapshot.objects.all()
    }


@pytest.fixture
def history():
    """Two communities with members and a question on DAY (services that send no mail)."""
    cora, ann = UserFactory(), UserFactory()
    with clock(9):
        guild = community_services.community_propose(
            proposer=cora, name="Guild", domain="Running things well."
        )
        community_services.membership_join(user=ann, community=guild, level="active")
        CommunityFactory(name="Quiet")
    with clock(10):
        discussion_services.discussion_start(author=ann, community=guild, title="How?", body="Any ideas?")
    return guild


def test_beat_schedules_the_task_hourly_by_its_registered_name():
    celery_app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["daily-snapshots"]
    assert entry["task"] == "insights.tasks.take_daily_snapshots" == tasks.take_daily_snapshots.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24


@pytest.mark.django_db
def test_the_task_stores_yesterdays_snapshots_and_says_how_many(history, caplog):
    with caplog.at_level(logging.INFO, logger="insights.tasks"):
        assert tasks.take_daily_snapshots.delay(today=TODAY).get() == 2
    assert "stored 2 community snapshots" in caplog.text
    guild = Snapshot.objects.get(community=history)
    assert (guild.day, guild.members, guild.level_active, guild.discussions, guild.active_members) == (
        DAY,
        2,
        1,
        1,
        1,
    )


@pytest.mark.django_db
def test_running_the_task_twice_stores_no_duplicates(history):
    tasks.take_daily_snapshots(today=TODAY)
    first = rows()
    assert tasks.take_daily_snapshots(today=TODAY) == 2
    assert rows() == first
    assert Snapshot.objects.count() == 2


@pytest.mark.django_db
def test_without_communities_the_task_stores_nothing():
    assert tasks.take_daily_snapshots(today=TODAY) == 0


# --- On a real worker ------------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_snapshots_once_per_community_and_day(history, celery_worker):
    """The task crosses Redis to a separate worker process, which replays the (committed) history of the test
    database; sent again, it overwrites the same two rows rather than adding any."""
    first = tasks.take_daily_snapshots.apply_async(kwargs={"today": TODAY}, queue=celery_worker.queue)
    assert first.get(timeout=60) == 2
    stored = rows()
    assert sorted(day for _pk, day in stored) == [DAY, DAY]
    guild = Snapshot.objects.get(community=history)
    assert (guild.members, guild.coordinators, guild.joined, guild.discussions, guild.answered_share) == (
        2,
        1,
        2,
        1,
        0.0,
    )
    taken_at = guild.taken_at

    second = tasks.take_daily_snapshots.apply_async(kwargs={"today": TODAY}, queue=celery_worker.queue)
    assert second.get(timeout=60) == 2
    assert rows() == stored
    assert Snapshot.objects.get(community=history).taken_at > taken_at
    deadline = time.monotonic() + 10
    while "succeeded" not in celery_worker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = celery_worker.log()
    assert "insights.tasks.take_daily_snapshots" in log and "succeeded" in log
