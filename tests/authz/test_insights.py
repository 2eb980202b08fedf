"""The authorization matrix for the insights app's routes (see tests/authz/table_site.py)."""

import pytest

from tests.authz.matrix import cases
from tests.authz.table_site import ROWS_INSIGHTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS_INSIGHTS))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)
