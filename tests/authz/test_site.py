"""The authorization matrix for the site's own pages and the members app (see tests/authz/table_site.py), and the
private community's memberships and content on pages that take a query string."""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse

from tests.authz.matrix import cases
from tests.authz.table_site import DIRECTORY_QUERY, ROWS_SITE_MEMBERS, SEARCH_QUERY
from tests.authz.world import MARKER

pytestmark = pytest.mark.django_db

PRIVATE_NAME = "Private Guild"  # public itself, but shown beside a person or a map it tells who belongs


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS_SITE_MEMBERS))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)


def _viewers(world):
    """(label, user, may see the private community): who may not see it, and who may (so the probe is real)."""
    private, listed = world.places["private"], world.places["listed"]
    return [
        ("outsider", world.people["outsider"], False),
        ("other_coordinator", world.people["other_coordinator"], False),
        ("removed", private.people["removed"], False),
        ("listed_coordinator", listed.people["coordinator"], False),
        ("peripheral", private.people["peripheral"], True),
        ("sponsor", world.people["sponsor"], True),
        ("staff", world.people["staff"], True),
    ]


def _pages(world):
    """(page, path, what shows only to who may see the private community)."""
    private = world.places["private"]
    return [
        ("profile", reverse("members:profile", args=[private.people["core"].pk]), PRIVATE_NAME),
        ("constellation", reverse("insights:constellation"), PRIVATE_NAME),
        (
            "directory",
            f"{reverse('members:directory')}?{urlencode(DIRECTORY_QUERY)}",
            private.people["core"].full_name,
        ),
        ("search", f"{reverse('search')}?{urlencode(SEARCH_QUERY)}", MARKER),
    ]


def test_private_stays_private(world, clients):
    """A private community's memberships (on profiles, in the directory's filter, on the constellation) and its
    content (in search) show to its members, sponsors and staff, and to nobody else."""
    wrong = []
    for label, user, sees in _viewers(world):
        client = clients.for_user(user)
        for page, path, probe in _pages(world):
            with transaction.atomic():
                response = client.get(path)
                transaction.set_rollback(True)
            clients.after(user, response)
            shown = probe in response.content.decode()
            if response.status_code != 200 or shown != sees:
                wrong.append(
                    f"{page} as {label}: {response.status_code}, {'shows' if shown else 'hides'} {probe}"
                )
    assert not wrong, "\n".join(wrong)
