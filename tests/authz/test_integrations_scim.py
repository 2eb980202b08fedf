"""The authorization matrix for SCIM and the staff pages of directory connections (tests/authz/table_integrations.py):
sessions never open SCIM (401), only staff reach the connections' pages."""

import pytest

from tests.authz.matrix import cases
from tests.authz.table_integrations import ROWS_SCIM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS_SCIM))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)
