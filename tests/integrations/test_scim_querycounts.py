"""SCIM's list and filter keep a fixed number of queries whatever a connection's size (tests/querycount.py)."""

import pytest

from integrations.models import ScimGroup, ScimPerson
from tests.factories import UserFactory
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def grow(connection):
    """Give the connection `n` times more people (and groups of them)."""
    state = {"people": 0}

    def add(n: int) -> None:
        target = 4 * n - 1  # with the connection's maker: users grow tenfold too
        while state["people"] < target:
            index = state["people"]
            user = UserFactory(email=f"p{index}@example.org")
            person = ScimPerson.objects.create(
                connection=connection,
                user=user,
                user_name=user.email,
                external_id=f"x{index}",
                attributes={"emails": [{"value": user.email, "primary": True}]},
            )
            group = ScimGroup.objects.create(connection=connection, display_name=f"Group {index}")
            group.members.add(person)
            state["people"] += 1

    return add


def test_users_list(scim, connection):
    # The connection by its token's hash, with its maker; the count; the page of people with their accounts,
    # profiles and managers (the connection's last use is written once a minute, exempt).
    assert_constant_queries(
        scim.client,
        "/scim/v2/Users?count=100",
        grow=grow(connection),
        exempt_tables={"integrations_directoryconnection"},
        expected=3,
    )


def test_users_filter(scim, connection):
    assert_constant_queries(
        scim.client,
        '/scim/v2/Users?filter=userName sw "p" and meta.lastModified gt "2000-01-01T00:00:00Z"',
        grow=grow(connection),
        exempt_tables={"integrations_directoryconnection"},
        expected=3,
    )


def test_groups_list(scim, connection):
    # The connection; the count; the page of groups; their members with their accounts.
    assert_constant_queries(
        scim.client,
        "/scim/v2/Groups",
        grow=grow(connection),
        exempt_tables={"integrations_directoryconnection"},
    )
