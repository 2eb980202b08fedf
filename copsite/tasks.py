"""Project-wide periodic tasks: a heartbeat that proves the worker and beat are alive."""

import logging
import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task
def heartbeat() -> dict:
    """Record when and where a worker last ran a task; /healthz shows it."""
    beat = {"at": timezone.now().isoformat(), "worker": socket.gethostname()}
    cache.set(HEARTBEAT_CACHE_KEY, beat, timeout=None)
    return beat


@shared_task
def hourly_tick() -> None:
    """A placeholder the digests hang off: each later job finds its own due work in the database."""
    logger.info("hourly tick")
