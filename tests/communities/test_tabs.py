"""A community's tabs come from each app's registration, each shown by its own rule (communities/tabs.py)."""

import pytest

from communities.access import access_for
from communities.models import Membership
from communities.tabs import tabs_for
from tests.factories import CommunityFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

EVERY_TAB = [
    "overview",
    "activities",
    "discussions",
    "library",
    "members",
    "health",
    "manage",
    "settings",
    "staff",
]


def keys(user, community) -> list[str]:
    return [tab.key for tab, _ in tabs_for(access_for(user, community))]


def test_each_viewer_sees_the_tabs_their_rules_allow_in_order():
    private = CommunityFactory(name="Quiet guild", visibility="private")
    coordinator = member_of(private, role=Membership.Role.COORDINATOR)
    assert keys(UserFactory(), private) == ["overview"]
    assert keys(member_of(private), private) == [
        "overview",
        "activities",
        "discussions",
        "library",
        "members",
    ]
    assert keys(member_of(private, "core"), private) == [
        "overview",
        "activities",
        "discussions",
        "library",
        "members",
        "health",
    ]
    assert keys(coordinator, private) == EVERY_TAB[:-1]
    assert keys(UserFactory(is_staff=True), private) == [
        "overview",
        "activities",
        "discussions",
        "library",
        "members",
        "health",
        "staff",
    ]


def test_every_tab_links_to_the_community():
    community = CommunityFactory(name="Linked guild")
    coordinator = member_of(community, role=Membership.Role.COORDINATOR)
    coordinator.is_staff = True
    tabs = tabs_for(access_for(coordinator, community))
    assert [tab.key for tab, _ in tabs] == EVERY_TAB
    assert all(f"/{community.slug}/" in url or url.endswith(f"/{community.slug}") for _, url in tabs)
