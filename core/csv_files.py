"""CSV downloads that are safe to open in a spreadsheet.

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe (OWASP "CSV injection"); numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._]+")  # dashes too, so a run of them becomes one


def csv_response(*, filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    """A ``text/csv`` attachment of ``header`` then ``rows``, every cell neutralized against formulas."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    writer = csv.writer(response)
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response


def csv_cell(value: object) -> str | int | float | Decimal:
    """One cell: a number as it is, None as empty, text with an apostrophe first if it reads as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # A number cannot be a formula; NaN and infinity are no value to a spreadsheet.
        return value if math.isfinite(value) else ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_filename(filename: str) -> str:
    """``filename`` cut down to letters, digits, . - and _; ends in .csv, never hidden or empty."""
    name = _UNSAFE_FILENAME.sub("-", filename)[:100].strip(".-") or "export"
    return name if name.lower().endswith(".csv") else f"{name}.csv"
