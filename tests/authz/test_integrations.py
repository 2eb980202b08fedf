"""The authorization matrix for the integrations (tests/authz/table_integrations.py): sessions never open SCIM
(401), only staff reach the directory connections' pages and the people import (the anonymous visitor is asked
to sign in), and a refused request writes nothing."""

import pytest

from tests.authz.matrix import cases
from tests.authz.table_integrations import ROWS_IMPORT, ROWS_SCIM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("row", "kind", "cells"), cases(ROWS_SCIM + ROWS_IMPORT))
def test_route(check, row, kind, cells):
    """Every role gets the row's expected outcome by GET and POST, writes nothing when refused, leaks nothing."""
    check(row, kind, cells)
