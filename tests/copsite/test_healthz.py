"""/healthz answers JSON with the state of database, cache and broker, and 503 when one is down."""

import json

import pytest
from django.urls import reverse

from copsite.celery import app as celery_app
from tests.fixtures.services import free_port
from tests.members.test_accounts import run_django

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_service_up(client):
    """Against the real PostgreSQL and Redis, every service is ok."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["services"]["database"]["ok"] and body["services"]["database"]["vendor"] == "postgresql"
    assert body["services"]["cache"] == {**body["services"]["cache"], "ok": True, "backend": "RedisCache"}
    assert body["services"]["broker"]["ok"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_cache_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["services"]["cache"]["ok"] is False
    assert "ConnectionError" in body["services"]["cache"]["error"]
    assert body["services"]["database"]["ok"] is True


def test_healthz_reports_broker_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["services"]["broker"]["ok"] is False


def test_healthz_reports_database_down():
    """A database that cannot be reached is reported as down, with 503, while the rest stays ok."""
    result = run_django(
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code)\n"
        "print(r.content.decode())\n",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    services = json.loads(body)["services"]
    assert services["database"]["ok"] is False
    assert services["cache"]["ok"] is True


def test_healthz_in_process_mode_reports_broker_in_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert client.get(reverse("healthz")).json()["services"]["broker"] == {
        "ok": True,
        "ms": pytest.approx(0, abs=50),
        "mode": "in-process",
    }


def test_healthz_is_exempt_from_https_redirect(client, settings):
    """Behind HTTPS, every page redirects to https except /healthz, which load balancers probe."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("account_login")).status_code == 301
    assert client.get(reverse("healthz")).status_code == 200


def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405
