"""Background jobs: a task really runs on a real worker over Redis, and the beat schedule is static."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from copsite import tasks
from copsite.celery import app as celery_app
from copsite.tasks import HEARTBEAT_CACHE_KEY

pytestmark = pytest.mark.services


def test_heartbeat_runs_on_a_real_worker_over_redis(celery_worker):
    """The task crosses Redis to a separate worker process, which writes to the shared cache."""
    assert not celery_app.conf.task_always_eager
    result = tasks.heartbeat.apply_async(queue=celery_worker.queue)
    beat = result.get(timeout=60)
    assert result.successful()
    assert cache.get(HEARTBEAT_CACHE_KEY) == beat
    # The worker logs "succeeded" just after storing the result: give it a moment.
    deadline = time.monotonic() + 10
    while "succeeded" not in celery_worker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "heartbeat" in celery_worker.log() and "succeeded" in celery_worker.log()
    assert celery_worker.process.pid != __import__("os").getpid()


def test_eager_mode_runs_tasks_in_process():
    beat = tasks.heartbeat.delay().get()
    assert cache.get(HEARTBEAT_CACHE_KEY) == beat


def test_beat_schedule_is_static_and_tasks_exist():
    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks
    tasks.hourly_tick()


def test_tasks_survive_a_worker_lost():
    """Tasks are acknowledged late and re-queued if the worker dies mid-task."""
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
