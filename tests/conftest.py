"""Fixtures shared by every test: clean cache keys, eager Celery by default, real services on request."""

import pytest
from django.conf import settings

from copsite.celery import app as celery_app
from tests.factories import UserFactory

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.browser"]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with none of our cache keys (rate limits, heartbeats); other keys are left alone."""
    from django.core.cache import cache

    _delete_prefixed_keys(cache)
    yield
    _delete_prefixed_keys(cache)


def _delete_prefixed_keys(cache) -> None:
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{settings.CACHE_KEY_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test asks for the real worker (the celery_worker fixture)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def member(db):
    return UserFactory(full_name="Mia Member")


@pytest.fixture
def staff(db):
    return UserFactory(full_name="Sam Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


# --- The authorization matrix's count (tests/authz/): summed from every worker's reports -----------------------

_matrix = {"cells": 0, "routes": set(), "tests": 0}


def pytest_runtest_logreport(report):
    if report.when != "call" or not report.passed:
        return
    properties = dict(report.user_properties)
    if "matrix_cells" in properties:
        _matrix["cells"] += properties["matrix_cells"]
        _matrix["routes"].add(properties["matrix_route"])
        _matrix["tests"] += 1


def pytest_terminal_summary(terminalreporter):
    if _matrix["tests"]:
        from tests.authz.world import KINDS, ROLES

        terminalreporter.write_line(
            f"authorization matrix: {len(_matrix['routes'])} URL patterns (the admin's as one) x {len(ROLES)} roles "
            f"x GET and POST, in {len(KINDS)} kinds of community where the URL names one: "
            f"{_matrix['cells']} cells checked"
        )
