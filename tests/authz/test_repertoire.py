"""The authorization matrix for the repertoire app's routes (see tests/authz/table_repertoire.py)."""

import pytest

from tests.authz.matrix import cases
from tests.authz.table_repertoire import ROWS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)
