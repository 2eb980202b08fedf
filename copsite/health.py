"""Probes of the services CoPsite depends on, for /healthz."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from copsite.celery import app as celery_app


def _timed(probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:  # noqa: BLE001 - any failure means the service is down; report it as such
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key = "healthz:probe"
    token = str(time.time_ns())
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("a value written to the cache could not be read back")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "in-process"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        conn.default_channel.client.ping()
    return {"mode": "redis"}


def service_states() -> dict[str, dict]:
    """Each service's state: ok, how long the probe took, or the error that made it fail."""
    return {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
