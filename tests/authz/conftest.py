"""Fixtures of the authorization matrix: one world per test module (built once, rolled back at its end), one
logged-in client per person, and sessions that survive from one route to the next."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from tests.authz.matrix import Clients, check_route
from tests.authz.world import build_world


@pytest.fixture(autouse=True)
def _clean_cache():
    """Like the suite's own, each route starts without rate-limit counters, but the matrix's logins survive."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        keys = [
            key
            for key in client.scan_iter(f"{settings.CACHE_KEY_PREFIX}:*", count=1000)
            if b"django.contrib.sessions" not in key
        ]
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, in a transaction that every request nests in (as a savepoint) and that is rolled back last."""
    media = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world):
    return Clients()


@pytest.fixture
def check(world, clients, record_property):
    """Check a route in one community (all cells, or the given (method, role) cells) and record the count."""

    def run(row, kind, cells=None):
        checked = check_route(row, world, clients, kind, cells)
        record_property("matrix_cells", checked)
        record_property("matrix_route", row.name)

    return run
