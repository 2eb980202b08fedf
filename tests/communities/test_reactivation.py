"""Bringing back someone who was deactivated: sign-in, mail and the memberships the deactivation ended return, at
the level and role they held, with history; nothing else comes back."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Membership, MembershipEvent
from core.rules import Refused
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of

Event = MembershipEvent.Kind


@pytest.fixture
def leaver(db):
    return UserFactory(full_name="Rita Returner")


def _membership(community, user) -> Membership:
    return Membership.objects.get(community=community, user=user)


def _deactivated(staff, leaver, **memberships):
    """`leaver` with a membership per `name=(level, role)`, deactivated by staff; the communities by name."""
    communities = {}
    for name, (level, role) in memberships.items():
        community = CommunityFactory(name=name)
        MembershipFactory(community=community, user=leaver, level=level, role=role)
        communities[name] = community
    services.member_deactivate(actor=staff, user=leaver)
    return communities


def test_reactivation_restores_sign_in_and_each_membership_at_its_level_and_role(staff, leaver):
    places = _deactivated(staff, leaver, Guild=("core", "coordinator"), Circle=("occasional", "member"))
    assert Community.objects.get(name="Guild").needs_coordinator

    restored = services.member_reactivate(actor=staff, user=leaver)

    leaver.refresh_from_db()
    assert leaver.is_active
    assert sorted(m.community.name for m in restored) == ["Circle", "Guild"]
    guild = _membership(places["Guild"], leaver)
    assert (guild.status, guild.level, guild.role) == ("active", "core", "coordinator")
    circle = _membership(places["Circle"], leaver)
    assert (circle.status, circle.level, circle.role) == ("active", "occasional", "member")
    assert not Community.objects.get(name="Guild").needs_coordinator  # its coordinator is back
    history = list(
        MembershipEvent.objects.filter(community=places["Guild"], user=leaver)
        .order_by("at", "pk")
        .values_list("kind", "from_value", "to_value", "actor")
    )
    assert history[-3:] == [
        (Event.DEACTIVATED, "core", "coordinator", staff.pk),
        (Event.REACTIVATED, "", "core", staff.pk),
        (Event.ROLE_CHANGED, "member", "coordinator", staff.pk),
    ]


def test_memberships_ended_otherwise_or_in_archived_communities_stay_ended(staff, leaver):
    left_before = CommunityFactory(name="Left before")
    MembershipFactory(community=left_before, user=leaver, level="active")
    services.membership_leave(user=leaver, membership=_membership(left_before, leaver))
    asked = CommunityFactory(name="Asked", visibility="private")
    MembershipFactory(community=asked, user=leaver, status="requested", joined_at=None)
    places = _deactivated(staff, leaver, Archived=("active", "member"), Kept=("peripheral", "member"))
    Community.objects.filter(name="Archived").update(archived_at=timezone.now())

    restored = services.member_reactivate(actor=staff, user=leaver)

    assert [m.community.name for m in restored] == ["Kept"]
    assert _membership(left_before, leaver).status == "left"
    assert _membership(asked, leaver).status == "declined"  # the request was declined: they may ask again
    assert _membership(places["Archived"], leaver).status == "left"


def test_reactivating_twice_changes_nothing_the_second_time(staff, leaver):
    _deactivated(staff, leaver, Guild=("active", "member"))
    services.member_reactivate(actor=staff, user=leaver)
    events = MembershipEvent.objects.count()

    assert services.member_reactivate(actor=staff, user=leaver) == []
    assert MembershipEvent.objects.count() == events


def test_a_membership_taken_up_again_is_not_touched(staff, leaver):
    places = _deactivated(staff, leaver, Guild=("core", "member"))
    leaver.is_active = True
    leaver.save()
    services.membership_join(user=leaver, community=places["Guild"], level="peripheral")

    assert services.member_reactivate(actor=staff, user=leaver) == []
    assert _membership(places["Guild"], leaver).level == "peripheral"


def test_only_staff_reactivate(leaver):
    someone = UserFactory()
    leaver.is_active = False
    leaver.save()
    with pytest.raises(Refused):
        services.member_reactivate(actor=someone, user=leaver)
    leaver.refresh_from_db()
    assert not leaver.is_active


def test_a_second_deactivation_after_a_return_is_undone_by_the_next_return(staff, leaver):
    places = _deactivated(staff, leaver, Guild=("active", "member"))
    services.member_reactivate(actor=staff, user=leaver)
    services.membership_change_level(
        actor=leaver, membership=_membership(places["Guild"], leaver), level="occasional"
    )
    services.member_deactivate(actor=staff, user=leaver)

    services.member_reactivate(actor=staff, user=leaver)

    assert _membership(places["Guild"], leaver).level == "occasional"


# --- The staff page ----------------------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_staff_reactivate_from_the_profile_and_are_told_what_came_back(client, staff, leaver):
    _deactivated(staff, leaver, Guild=("active", "member"))
    client.force_login(staff)
    profile = reverse("members:profile", args=[leaver.pk])
    assert "Reactivate Rita Returner" in client.get(profile).text

    response = client.post(reverse("communities:reactivate_member", args=[leaver.pk]))

    assert response.status_code == 302
    assert response["Location"] == profile
    (message,) = _messages(response)
    assert message == (
        "Rita Returner is active again: they sign in and get mail. Their memberships are back, at the level and "
        "role they held: Guild."
    )
    leaver.refresh_from_db()
    assert leaver.is_active
    assert "Reactivate Rita Returner" not in client.get(profile).text


def test_reactivating_someone_active_says_there_is_nothing_to_do(client, staff, leaver):
    client.force_login(staff)
    response = client.post(reverse("communities:reactivate_member", args=[leaver.pk]))
    assert _messages(response) == ["Rita Returner is active: there is nothing to bring back."]


def test_reactivating_with_nothing_to_restore_says_so(client, staff, leaver):
    services.member_deactivate(actor=staff, user=leaver)
    client.force_login(staff)
    response = client.post(reverse("communities:reactivate_member", args=[leaver.pk]))
    (message,) = _messages(response)
    assert message.endswith(
        "No membership to bring back (none ended with the deactivation, or their communities are archived)."
    )


def test_reactivation_is_403_for_others_404_for_nobody_and_405_for_get(client, staff, leaver):
    services.member_deactivate(actor=staff, user=leaver)
    client.force_login(coordinator_of(CommunityFactory()))
    assert client.post(reverse("communities:reactivate_member", args=[leaver.pk])).status_code == 403
    leaver.refresh_from_db()
    assert not leaver.is_active
    client.force_login(staff)
    assert client.post(reverse("communities:reactivate_member", args=[999999])).status_code == 404
    assert client.get(reverse("communities:reactivate_member", args=[leaver.pk])).status_code == 405
