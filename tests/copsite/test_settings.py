"""Settings come from the environment; a malformed value stops start-up with a message naming it."""

import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from copsite import config
from tests.fixtures.services import ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "copsite.example.org",
    "SITE_URL": "https://copsite.example.org",
}


def start_django(command: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only the given variables (plus PATH and HOME)."""
    import os

    base = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME") or key.startswith("COVERAGE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: expected a boolean"),
        ("DATABASE_URL", "mongodb://localhost/copsite", "DATABASE_URL: unknown scheme 'mongodb'"),
        ("DATABASE_URL", "postgres://localhost:fivefour/copsite", "DATABASE_URL: the port"),
        ("REDIS_URL", "redis://localhost:sixthree/0", "REDIS_URL: the port"),
        ("REDIS_URL", "memcached://localhost", "REDIS_URL: unknown scheme"),
        ("EMAIL_URL", "smtp://mail:twentyfive", "EMAIL_URL: the port"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL: unknown scheme"),
        ("PAGE_SIZE", "lots", "PAGE_SIZE: expected a whole number"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE: unknown time zone"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(variable, value, message):
    result = start_django(["check"], **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_needs_a_secret_key():
    result = start_django(["check"], DEBUG="false", ALLOWED_HOSTS="copsite.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY: required when DEBUG is off" in result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path):
    """`manage.py check --deploy` with production settings reports nothing at all."""
    result = start_django(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_env_readers():
    import os

    os.environ["COPSITE_TEST_BOOL"] = "Yes"
    os.environ["COPSITE_TEST_LIST"] = " a.org, ,b.org "
    os.environ["COPSITE_TEST_INT"] = "-1"
    try:
        assert config.env_bool("COPSITE_TEST_BOOL", False) is True
        assert config.env_bool("COPSITE_TEST_UNSET", True) is True
        assert config.env_list("COPSITE_TEST_LIST") == ["a.org", "b.org"]
        assert config.env_list("COPSITE_TEST_UNSET", ["x"]) == ["x"]
        with pytest.raises(ImproperlyConfigured, match="COPSITE_TEST_INT: must be at least 0"):
            config.env_int("COPSITE_TEST_INT", 1, minimum=0)
        assert config.env_redis_url("COPSITE_TEST_UNSET") is None
        assert config.env_email("COPSITE_TEST_UNSET") is None
    finally:
        for key in ("COPSITE_TEST_BOOL", "COPSITE_TEST_LIST", "COPSITE_TEST_INT"):
            del os.environ[key]


def test_database_url_sets_pooling_options_for_postgres():
    import os

    os.environ["COPSITE_TEST_DB"] = "postgres://app@db:5432/copsite"
    try:
        db = config.env_database("COPSITE_TEST_DB", "sqlite:///x")
    finally:
        del os.environ["COPSITE_TEST_DB"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["NAME"] == "copsite"
