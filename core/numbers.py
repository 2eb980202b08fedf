"""Whole numbers typed into a URL (`?page=`, `?a=`, an id in a filter), read within what every database stores.

SQLite refuses integers beyond 64 bits in a query and PostgreSQL's `bigint` stops there too, so a number a person
types is either a number in that range or no number at all: a page then shows its nearest valid page or the
default, never an error. (The shared library floor of issue 15 is its future home.)
"""

LARGEST = 2**63 - 1
"""The largest id or count a query may carry."""


def number_param(value: object, default: int, *, low: int = 1, high: int = LARGEST) -> int:
    """`value` as a whole number between `low` and `high` (clamped), or `default` when it is not a number."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)
