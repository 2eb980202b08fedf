"""The whole authorization matrix: every route's row, app by app (each app's rows live in its table_<app>.py,
its grids written from the README's who-sees-what rules in tests/authz/rules.py)."""

from importlib import import_module

SECTIONS = ("communities", "calendar", "discussions", "repertoire", "site", "accounts", "integrations")


def all_rows() -> list:
    rows = []
    for section in SECTIONS:
        module = import_module(f"tests.authz.table_{section}")
        rows += [row for name in dir(module) if name.startswith("ROWS") for row in getattr(module, name)]
    return rows
