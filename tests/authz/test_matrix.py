"""Tests of the matrix itself: every URL has its row, no row is stale, and the check fails when it should."""

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from tests.authz.matrix import ADMIN_PREFIX, Row, check_route, grid, missing_rows, stale_rows, walk
from tests.authz.rules import EVERYONE, NOT_ALLOWED, SIGNED_IN
from tests.authz.table import all_rows

NEW_ROUTES = "tests.authz.urls_with_a_new_route"


def test_every_url_pattern_has_a_row():
    """Ours, allauth's and (as one wildcard) the admin's: a new URL cannot ship without its row."""
    assert missing_rows(all_rows()) == []


def test_no_row_names_a_url_that_does_not_exist():
    assert stale_rows(all_rows()) == []


def test_only_the_admin_is_a_wildcard():
    """Every row names one pattern: by its name, or by its route where it has none; only the admin is one row
    for many."""
    patterns = list(walk())
    assert sum(route.startswith(ADMIN_PREFIX) for route, _ in patterns) > 10
    unnamed = {route for route, name in patterns if name is None and not route.startswith(ADMIN_PREFIX)}
    by_route = {row.name for row in all_rows() if "/" in row.name}
    assert by_route == unnamed | {ADMIN_PREFIX}


@pytest.fixture
def new_routes():
    clear_url_caches()
    with override_settings(ROOT_URLCONF=NEW_ROUTES):
        yield
    clear_url_caches()


def test_a_url_added_without_a_row_is_reported(new_routes):
    assert missing_rows(all_rows()) == ["open_window", "secret_door"]


def test_grids_name_every_role_in_order():
    with pytest.raises(ValueError, match="header"):
        grid("""
         anon outsider
site     ok   ok
""")
    with pytest.raises(ValueError, match="per role"):
        grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
site     ok    ok       maybe      ok   ok          ok          ok      ok      ok
""")


@pytest.mark.django_db
def test_the_check_fails_on_a_wrong_outcome_a_write_and_a_leak(new_routes, world, clients):
    """A refused request that writes, a page that leaks the private content, and a wrong expectation: each is
    reported, cell by cell."""
    slug = lambda c: {"slug": c.slug}  # noqa: E731
    door = Row("secret_door", GET=EVERYONE, POST=NOT_ALLOWED, params=slug)
    with pytest.raises(AssertionError) as failure:
        check_route(door, world, clients, "listed")
    report = str(failure.value)
    assert "GET /c/listed-guild/secret-door/ as outsider: expected ok: got 403" in report
    assert "POST /c/listed-guild/secret-door/ as staff: expected 405: got 403" in report

    refused = Row("secret_door", GET=uniform_403(), POST=uniform_403(), params=slug)
    with pytest.raises(AssertionError) as failure:
        check_route(refused, world, clients, "listed")
    assert 'as core: expected 403: wrote: INSERT INTO "members_tag"' in str(failure.value)

    window = Row("open_window", GET=SIGNED_IN, POST=SIGNED_IN, params=slug)
    with pytest.raises(AssertionError) as failure:
        check_route(window, world, clients, "private")
    report = str(failure.value)
    assert (
        "GET /c/private-guild/open-window/ as outsider: expected ok: shows the private community's content"
        in report
    )
    assert "as anon: expected login: got 200; shows the private community's content" in report
    assert "as staff" not in report  # staff may see the private community


def uniform_403():
    from tests.authz.matrix import uniform

    return uniform("403")
