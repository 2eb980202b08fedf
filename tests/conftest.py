"""Fixtures shared by every test: clean cache keys, eager Celery by default, real services on request."""

import pytest
from django.conf import settings

from copsite.celery import app as celery_app

# Passwords are hashed and checked with a fast hasher in the test process (signing in is what the tests check,
# not the cost of PBKDF2, which takes 0.4 s a password here); the site's own hashers still read older hashes.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]

from tests.factories import UserFactory  # noqa: E402 - its password hash uses the hasher above

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.browser"]


def pytest_collection_modifyitems(items):
    """A test that starts a real Celery worker is a `services` test, whether its module says so or not, so that
    `make test-fast` (which leaves them out) cannot start one by accident."""
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.services)


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


@pytest.fixture(autouse=True)
def _no_replayed_benchmark_rows():
    """Each test starts without benchmark rows replayed by tests/benchdata.py (its transaction is new)."""
    from tests.benchdata import forget_replayed

    forget_replayed()


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
