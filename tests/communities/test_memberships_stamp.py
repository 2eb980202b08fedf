"""`memberships_stamp` changes with every change of any membership: a join (bulk inserts too), a change of level
or status, a deletion; and reads no more than two index entries and a cache key."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Membership
from communities.selectors import memberships_stamp
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_kind_of_change_gives_another_stamp():
    community = CommunityFactory()
    seen = [memberships_stamp()]
    membership = MembershipFactory(community=community)
    seen.append(memberships_stamp())
    membership.level = "core"
    membership.save()
    seen.append(memberships_stamp())
    Membership.objects.bulk_create([Membership(community=community, user=UserFactory(), status="active")])
    seen.append(memberships_stamp())
    membership.delete()
    seen.append(memberships_stamp())
    assert len(set(seen)) == len(seen)
    assert memberships_stamp() == seen[-1]  # nothing changed: the same stamp


def test_one_query_of_two_maxima():
    MembershipFactory()
    with CaptureQueriesContext(connection) as captured:
        memberships_stamp()
    assert len(captured.captured_queries) == 1
    assert (
        "MAX(" in captured.captured_queries[0]["sql"] and "COUNT(" not in captured.captured_queries[0]["sql"]
    )
