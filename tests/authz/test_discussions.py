"""The authorization matrix for the discussions of the activities app (see tests/authz/table_discussions.py)."""

import pytest

from tests.authz.matrix import cases
from tests.authz.table_discussions import ROWS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)
