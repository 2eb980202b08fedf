"""A person deactivated and reactivated through SCIM ends exactly as one staff deactivate and reactivate by hand:
the same memberships (level, role, status), the same history, the same communities flagged for a coordinator."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership, MembershipEvent
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _with_memberships(email: str, communities) -> object:
    person = UserFactory(email=email)
    MembershipFactory(community=communities[0], user=person, level="core", role="coordinator")
    MembershipFactory(community=communities[1], user=person, level="active")
    return person


def _state(person) -> tuple:
    memberships = sorted(
        Membership.objects.filter(user=person).values_list("community__slug", "status", "level", "role")
    )
    history = list(
        MembershipEvent.objects.filter(user=person)
        .order_by("pk")
        .values_list("community__slug", "kind", "from_value", "to_value", "actor__email")
    )
    return memberships, history


def _by_slug_suffix(state, suffix: str):
    """The state with each community named by its role in the test (by-hand and SCIM use twin communities)."""
    memberships, history = state
    strip = lambda slug: slug.removesuffix(suffix)  # noqa: E731
    return (
        [(strip(slug), *rest) for slug, *rest in memberships],
        [(strip(slug), *rest) for slug, *rest in history],
    )


def test_scim_and_staff_by_hand_end_the_same(scim, admin, client):
    by_hand = [CommunityFactory(slug="guild-hand"), CommunityFactory(slug="circle-hand")]
    through_scim = [CommunityFactory(slug="guild-scim"), CommunityFactory(slug="circle-scim")]
    manual = _with_memberships("manual@example.org", by_hand)
    synced = _with_memberships("synced@example.org", through_scim)

    client.force_login(admin)
    assert client.post(reverse("communities:deactivate_member", args=[manual.pk])).status_code == 302
    deactivated_by_hand = _state(manual)

    created = scim.post(
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "synced@example.org",
            "active": True,
        },
    ).json()
    scim.patch(
        f"Users/{created['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    synced.refresh_from_db()
    assert not synced.is_active
    assert _by_slug_suffix(_state(synced), "-scim") == _by_slug_suffix(deactivated_by_hand, "-hand")
    flagged = set(Community.objects.filter(needs_coordinator=True).values_list("slug", flat=True))
    assert flagged == {"guild-hand", "guild-scim"}

    assert client.post(reverse("communities:reactivate_member", args=[manual.pk])).status_code == 302
    scim.patch(
        f"Users/{created['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "True"}]},
    )
    synced.refresh_from_db()
    manual.refresh_from_db()
    assert synced.is_active and manual.is_active
    assert _by_slug_suffix(_state(synced), "-scim") == _by_slug_suffix(_state(manual), "-hand")
    assert ("guild", "active", "core", "coordinator") in _by_slug_suffix(_state(synced), "-scim")[0]
