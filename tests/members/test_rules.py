"""Every rule of members/rules.py for every kind of viewer, written out as a table (no database needed: the rules
run no query)."""

from types import SimpleNamespace

import pytest

from members import rules

OWNER_PK = 7
VIEWERS = {
    "someone": SimpleNamespace(pk=1, is_staff=False),
    "the person": SimpleNamespace(pk=OWNER_PK, is_staff=False),
    "staff": SimpleNamespace(pk=2, is_staff=True),
}

# viewer: (sees a profile in the directory, sees one out of it, sees people who left)
TABLE = {
    "someone": (True, False, False),
    "the person": (True, True, False),
    "staff": (True, True, True),
}


@pytest.mark.parametrize("role", TABLE)
def test_each_rule_for_each_viewer(role):
    viewer = VIEWERS[role]
    listed, unlisted, left = TABLE[role]
    assert rules.may_see_profile(viewer, person_pk=OWNER_PK, in_directory=True) is listed
    assert rules.may_see_profile(viewer, person_pk=OWNER_PK, in_directory=False) is unlisted
    assert rules.sees_people_who_left(viewer) is left
