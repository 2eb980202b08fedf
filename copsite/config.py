"""Strict readers for settings taken from the environment.

django-environ parses URLs well but accepts some malformed values silently (an unknown database scheme
becomes an engine name, "maybe" becomes False). Every reader here fails with a message that names the
variable, so a typo stops start-up instead of running a half-configured site.
"""

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
DATABASE_SCHEMES = {"postgres", "postgresql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}
EMAIL_SCHEMES = {
    "smtp",
    "smtps",
    "smtp+tls",
    "smtp+ssl",
    "consolemail",
    "filemail",
    "memorymail",
    "dummymail",
}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}: expected a boolean (true/false, 1/0, yes/no, on/off), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {number}")
    return number


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    """A rate as `(requests, seconds)`: "30/m" is (30, 60), "60/10m" (60, 600); the period is a unit (s, m, h, d)
    with an optional whole multiple before it. ValueError for anything else."""
    count, _, period = text.strip().partition("/")
    period = period.strip()
    unit = RATE_UNITS.get(period[-1:])
    multiple = period[:-1].strip() or "1"
    if unit is None or not count.strip().isdigit() or not multiple.isdigit():
        raise ValueError(text)
    requests, seconds = int(count), int(multiple) * unit
    if requests < 1 or seconds < 1:
        raise ValueError(text)
    return requests, seconds


def env_rates(name: str, defaults: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Rate limits by name, each `(requests, seconds)`: `defaults`, with any of them replaced by the variable's
    comma-separated `name=rate` items (e.g. `search=60/m,feeds=120/10m`)."""
    rates = dict(defaults)
    value = _raw(name)
    for item in value.split(",") if value else []:
        key, _, rate = item.partition("=")
        key = key.strip()
        if key not in defaults:
            known = ", ".join(defaults)
            raise ImproperlyConfigured(f"{name}: unknown limit {key!r} (known: {known})")
        rates[key] = rate
    parsed = {}
    for key, rate in rates.items():
        try:
            parsed[key] = parse_rate(rate)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {key}={rate.strip()!r} is not a rate like 30/m or 60/10m (requests per s, m, h or d)"
            ) from None
    return parsed


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def _check_url(name: str, value: str, schemes: set[str]) -> None:
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not a valid URL ({exc})") from None
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name}: unknown scheme {parts.scheme!r} (expected one of: {allowed})")
    try:
        parts.port  # noqa: B018 - urlsplit only validates the port when it is read
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}: the port in {value!r} is not a number between 0 and 65535"
        ) from None


def env_database(name: str, default: str) -> dict:
    value = _raw(name) or default
    _check_url(name, value, DATABASE_SCHEMES)
    config = environ.Env.db_url_config(value)
    if config["ENGINE"].endswith("postgresql"):
        config.setdefault("CONN_MAX_AGE", env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
        config["CONN_HEALTH_CHECKS"] = True
        # Page queries are short: PostgreSQL's JIT compiler costs more than it saves on them (tens of ms).
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault("options", "-c jit=off")
    return config


def env_redis_url(name: str) -> str | None:
    value = _raw(name)
    if value is not None:
        _check_url(name, value, REDIS_SCHEMES)
    return value


def env_email(name: str) -> dict | None:
    value = _raw(name)
    if value is None:
        return None
    _check_url(name, value, EMAIL_SCHEMES)
    return environ.Env.email_url_config(value)
