"""The library floor's small helpers, at their edges (the pages that use them test the common cases)."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from core import ratelimits
from core.dates import years_from
from core.moments import datetime_attr
from core.viewer_zone import valid_zone_name, viewer_zone_name


def test_years_from_keeps_the_day_and_moves_29_february_to_the_28th():
    assert years_from(date(2026, 12, 7), 5) == date(2031, 12, 7)
    assert years_from(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert years_from(date(2028, 2, 29), -4) == date(2024, 2, 29)


def test_datetime_attr_gives_whole_seconds_in_the_active_zone_and_plain_dates(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    moment = datetime(2026, 12, 4, 0, 50, 37, 991505, tzinfo=UTC)
    assert datetime_attr(moment) == "2026-12-04T01:50:37+01:00"
    assert datetime_attr(datetime(2026, 12, 4, 0, 50, 37, 5)) == "2026-12-04T00:50:37"
    assert datetime_attr(date(2026, 12, 4)) == "2026-12-04"
    assert datetime_attr(None) == "" and datetime_attr("") == ""


def test_a_zone_the_server_does_not_know_is_the_sites(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert valid_zone_name("Mars/Olympus_Mons") == "Europe/Paris"
    assert valid_zone_name("../etc/passwd") == "Europe/Paris"
    assert valid_zone_name("") == "Europe/Paris"
    assert valid_zone_name("Asia/Tokyo") == "Asia/Tokyo"
    assert viewer_zone_name(SimpleNamespace()) == "Europe/Paris"  # no profile at all


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # one machine can fill a /64: counted as one
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::"),
        ("10.0.0.7", "10.0.0.7"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_client_addresses_are_counted_by_their_v6_network(address, counted, monkeypatch):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    monkeypatch.setattr(
        ratelimits, "get_adapter", lambda request: SimpleNamespace(get_client_ip=lambda r: address)
    )
    assert ratelimits.client_address(request) == counted


def test_a_window_evicted_between_add_and_incr_opens_again(settings, monkeypatch):
    """The cache may lose the key between `add` and `incr` (eviction, a flush): the request counts as the first."""
    settings.RATE_LIMITS = {"search": (1, 60)}

    class Forgetful:
        def add(self, key, value, timeout):
            self.added = (key, value)

        def incr(self, key):
            raise ValueError(key)

    cache = Forgetful()
    monkeypatch.setattr(ratelimits, "cache", cache)
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=7))
    assert ratelimits.over_limit(request, "search") is None
    assert cache.added[1] == 1 and cache.added[0].startswith("ratelimit:search:user:7:")
