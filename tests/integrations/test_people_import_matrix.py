"""The people import's rows of the authorization matrix (tests/authz/table_integrations.py, ROWS_IMPORT): staff
only, login for the anonymous visitor, refused requests write nothing, an allowed apply writes people."""

import pytest

from tests.authz.conftest import _clean_cache, check, clients, world  # noqa: F401 - the matrix's fixtures
from tests.authz.matrix import cases
from tests.authz.table_integrations import ROWS_IMPORT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS_IMPORT))
def test_route(check, row, kind, cells):  # noqa: F811 - the fixture imported above
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused."""
    check(row, kind, cells)
