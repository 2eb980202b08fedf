"""Staff pages: communities needing attention, sponsors, archiving, appointing coordinators, deactivating people."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership, Sponsorship
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SponsorshipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db
ATTENTION = reverse("communities:staff_attention")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def community(db):
    community = CommunityFactory(name="Reliability Guild")
    coordinator_of(community)
    return community


@pytest.fixture
def private(db):
    return CommunityFactory(name="Secret Society", visibility="private")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name: str, community, *args) -> str:
    return reverse(f"communities:{name}", args=[community.slug, *args])


# --- Communities needing attention -----------------------------------------------------------------------


def test_attention_lists_orphaned_communities_with_an_appoint_form_each(staff_client):
    orphan = CommunityFactory(name="Orphaned", needs_coordinator=True)
    other = CommunityFactory(name="Also orphaned", needs_coordinator=True, visibility="private")
    CommunityFactory(name="Fine")

    response = staff_client.get(ATTENTION)

    assert response.status_code == 200
    assert [c.name for c in response.context["page"].object_list] == ["Also orphaned", "Orphaned"]
    assert "Fine" not in response.text
    for community in (orphan, other):
        assert url("appoint", community) in response.text
        assert f'id="id_appoint_{community.pk}_user"' in response.text


def test_attention_leaves_out_archived_communities(staff_client):
    """An archived community no longer changes, so it is not offered an appoint form."""
    CommunityFactory(name="Closed down", needs_coordinator=True, archived_at=timezone.now())
    assert "Closed down" not in staff_client.get(ATTENTION).text


def test_attention_empty_state(staff_client):
    response = staff_client.get(ATTENTION)
    assert "Every community has a coordinator" in response.text


def test_attention_is_403_for_non_staff(member_client):
    assert member_client.get(ATTENTION).status_code == 403


def test_attention_rejects_post(staff_client):
    assert staff_client.post(ATTENTION).status_code == 405


def test_attention_query_count_is_constant(staff_client):
    """1 the signed-in user, 2 the paginator's count, 3 the page of communities needing a coordinator."""

    def grow(scale: int) -> None:
        from tests.benchdata import seed_scaled

        seed_scaled(scale)
        CommunityFactory.create_batch(10 * scale, needs_coordinator=True)

    assert_constant_queries(staff_client, ATTENTION, grow=grow, expected=3)


# --- Sponsors --------------------------------------------------------------------------------------------


def test_sponsors_lists_sponsorships_with_agreements(staff_client, community):
    SponsorshipFactory(
        community=community,
        sponsor=UserFactory(full_name="Stella Sponsor"),
        provides="Two hours a month.",
        expects="A playbook.",
    )
    response = staff_client.get(url("sponsors", community))
    assert response.status_code == 200
    assert response.context["tab"] == "staff"
    for text in ("Stella Sponsor", "Two hours a month.", "A playbook.", "Archive Reliability Guild"):
        assert text in response.text
    assert 'id="people-suggestions"' in response.text


def test_sponsors_assigns_a_sponsor(staff_client, staff, community):
    leader = UserFactory(email="leader@example.org", full_name="Lea Leader")
    response = staff_client.post(
        url("sponsors", community),
        {"sponsor": "LEADER@example.org", "since": "2026-02-01", "provides": "Time", "expects": "Results"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("sponsors", community)
    sponsorship = Sponsorship.objects.get(community=community)
    assert (sponsorship.sponsor, sponsorship.since, sponsorship.provides, sponsorship.expects) == (
        leader,
        datetime.date(2026, 2, 1),
        "Time",
        "Results",
    )
    assert sponsorship.created_by == staff
    assert messages_of(response) == ["Lea Leader now sponsors Reliability Guild."]


def test_sponsors_with_unknown_address_says_so_and_saves_nothing(staff_client, community):
    response = staff_client.post(
        url("sponsors", community), {"sponsor": "ghost@example.org", "provides": "Kept"}
    )
    assert response.status_code == 400
    assert "Nobody at CoPsite has the address ghost@example.org." in response.text
    assert "Kept" in response.text
    assert not Sponsorship.objects.exists()


def test_sponsors_refuses_the_same_sponsor_twice(staff_client, community):
    existing = SponsorshipFactory(community=community)
    response = staff_client.post(url("sponsors", community), {"sponsor": existing.sponsor.email})
    assert response.status_code == 400
    # Beside the field it is about, with what was typed kept.
    assert response.context["form"].errors["sponsor"] == [
        f"{existing.sponsor} already sponsors Reliability Guild."
    ]
    assert f'value="{existing.sponsor.email}"' in response.text
    assert Sponsorship.objects.count() == 1


def test_appoint_in_an_archived_community_is_refused(staff_client, community):
    """An archived community no longer changes, also for staff (issue 14, item 5)."""
    person = UserFactory(email="new.lead@example.org")
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    response = staff_client.post(url("appoint", community), {"user": person.email})
    assert response.status_code == 302
    assert any("is archived" in message for message in messages_of(response))
    assert not Membership.objects.filter(community=community, user=person).exists()


def test_sponsors_of_an_archived_community_takes_no_new_sponsor(staff_client, community):
    """An archived community no longer changes: a new sponsor is refused with the reason (the matrix found it)."""
    leader = UserFactory(email="leader@example.org")
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    response = staff_client.post(url("sponsors", community), {"sponsor": leader.email})
    assert response.status_code == 400
    assert any("is archived" in message for message in response.context["form"].non_field_errors())
    assert "is archived" in response.text
    assert not Sponsorship.objects.exists()


def test_sponsors_is_403_for_members_and_coordinators(client, community):
    for person in (member_of(community), community.memberships.get(role="coordinator").user):
        client.force_login(person)
        assert client.get(url("sponsors", community)).status_code == 403
        assert client.post(url("sponsors", community), {"sponsor": person.email}).status_code == 403
    assert not Sponsorship.objects.exists()


def test_sponsors_is_403_for_outsiders_of_a_listed_community(member_client, community):
    assert member_client.get(url("sponsors", community)).status_code == 403


def test_sponsors_is_404_for_outsiders_of_a_private_community(member_client, private):
    assert member_client.get(url("sponsors", private)).status_code == 404


def test_sponsors_is_403_for_the_sponsor_of_a_private_community(client, private):
    """A sponsor sees the private community, but only staff assign sponsors."""
    client.force_login(SponsorshipFactory(community=private).sponsor)
    assert client.get(url("sponsors", private)).status_code == 403


def test_sponsors_of_unknown_community_is_404(staff_client):
    assert staff_client.get(reverse("communities:sponsors", args=["nope"])).status_code == 404


def test_sponsors_rejects_other_methods(staff_client, community):
    assert staff_client.put(url("sponsors", community)).status_code == 405


# --- Ending a sponsorship --------------------------------------------------------------------------------


def test_end_sponsorship(staff_client, community):
    sponsorship = SponsorshipFactory(community=community, sponsor=UserFactory(full_name="Stella Sponsor"))
    response = staff_client.post(url("end_sponsorship", community, sponsorship.pk))
    assert response.status_code == 302
    assert response["Location"] == url("sponsors", community)
    assert not Sponsorship.objects.exists()
    assert messages_of(response) == ["Stella Sponsor no longer sponsors Reliability Guild."]


def test_end_sponsorship_of_another_community_is_404(staff_client, community):
    elsewhere = SponsorshipFactory()
    assert staff_client.post(url("end_sponsorship", community, elsewhere.pk)).status_code == 404
    assert Sponsorship.objects.filter(pk=elsewhere.pk).exists()


def test_end_sponsorship_rejects_get(staff_client, community):
    sponsorship = SponsorshipFactory(community=community)
    assert staff_client.get(url("end_sponsorship", community, sponsorship.pk)).status_code == 405


def test_end_sponsorship_is_403_for_members_and_404_for_outsiders_of_private(client, community, private):
    sponsorship = SponsorshipFactory(community=community)
    client.force_login(member_of(community))
    assert client.post(url("end_sponsorship", community, sponsorship.pk)).status_code == 403
    hidden = SponsorshipFactory(community=private)
    assert client.post(url("end_sponsorship", private, hidden.pk)).status_code == 404
    assert Sponsorship.objects.count() == 2


# --- Archiving -------------------------------------------------------------------------------------------


def test_archive_and_unarchive(staff_client, community):
    response = staff_client.post(url("archive", community), {"action": "archive"})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.is_archived
    assert community not in staff_client.get(reverse("communities:browse")).context["page"].object_list
    assert "Bring it back" in staff_client.get(url("sponsors", community)).text

    staff_client.post(url("archive", community), {"action": "unarchive"})
    community.refresh_from_db()
    assert not community.is_archived


def test_archive_twice_says_so(staff_client, community):
    staff_client.post(url("archive", community), {"action": "archive"})
    response = staff_client.post(url("archive", community), {"action": "archive"})
    assert "Reliability Guild is already archived." in messages_of(response)


def test_archive_without_a_valid_action_changes_nothing(staff_client, community):
    response = staff_client.post(url("archive", community), {"action": "explode"})
    assert response.status_code == 302
    assert messages_of(response) == ["Choose whether to archive the community or bring it back."]
    community.refresh_from_db()
    assert not community.is_archived


def test_archive_rejects_get(staff_client, community):
    assert staff_client.get(url("archive", community)).status_code == 405


def test_archive_is_403_for_coordinators_and_404_for_outsiders_of_private(client, community, private):
    client.force_login(community.memberships.get(role="coordinator").user)
    assert client.post(url("archive", community), {"action": "archive"}).status_code == 403
    assert client.post(url("archive", private), {"action": "archive"}).status_code == 404
    assert not Community.objects.filter(archived_at__isnull=False).exists()


# --- Appointing a coordinator ----------------------------------------------------------------------------


def test_appoint_a_coordinator_to_an_orphaned_community(staff_client):
    orphan = CommunityFactory(name="Orphaned", needs_coordinator=True)
    newcomer = UserFactory(email="new@example.org", full_name="Nia New")

    response = staff_client.post(url("appoint", orphan), {"user": "new@example.org"})

    assert response.status_code == 302
    assert response["Location"] == ATTENTION
    orphan.refresh_from_db()
    assert not orphan.needs_coordinator
    membership = Membership.objects.get(community=orphan, user=newcomer)
    assert (membership.status, membership.role) == ("active", "coordinator")
    assert messages_of(response) == ["Nia New now coordinates Orphaned."]


def test_appoint_an_unknown_address_says_so_and_changes_nothing(staff_client):
    orphan = CommunityFactory(name="Orphaned", needs_coordinator=True)
    response = staff_client.post(url("appoint", orphan), {"user": "ghost@example.org"})
    assert response.status_code == 200
    assert "Nobody at CoPsite has the address ghost@example.org." in response.text
    assert 'value="ghost@example.org"' in response.text  # typed text kept in that community's form
    orphan.refresh_from_db()
    assert orphan.needs_coordinator
    assert not Membership.objects.filter(community=orphan).exists()


def test_appoint_rejects_get(staff_client, community):
    assert staff_client.get(url("appoint", community)).status_code == 405


def test_appoint_is_403_for_coordinators_and_404_for_outsiders_of_private(client, community, private):
    coordinator = community.memberships.get(role="coordinator").user
    client.force_login(coordinator)
    someone = UserFactory()
    assert client.post(url("appoint", community), {"user": someone.email}).status_code == 403
    assert client.post(url("appoint", private), {"user": coordinator.email}).status_code == 404
    assert not Membership.objects.filter(user=someone).exists()
    assert not Membership.objects.filter(community=private).exists()


# --- Deactivating someone who left -----------------------------------------------------------------------


def test_deactivate_ends_memberships_and_lists_communities_left_without_coordinator(staff_client):
    leaver = UserFactory(full_name="Leo Leaver")
    alone = CommunityFactory(name="Alone")
    MembershipFactory(community=alone, user=leaver, role="coordinator", level="core")
    shared = CommunityFactory(name="Shared")
    MembershipFactory(community=shared, user=leaver, role="coordinator", level="core")
    coordinator_of(shared)

    response = staff_client.post(reverse("communities:deactivate_member", args=[leaver.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:profile", args=[leaver.pk])
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not Membership.objects.filter(user=leaver, status="active").exists()
    assert Community.objects.get(name="Alone").needs_coordinator
    assert not Community.objects.get(name="Shared").needs_coordinator
    (message,) = messages_of(response)
    assert message.startswith("Leo Leaver is deactivated")
    assert "Left without a coordinator (flagged for staff): Alone." in message


def test_deactivate_someone_already_gone_says_so(staff_client):
    gone = UserFactory(full_name="Gone Person", is_active=False)
    response = staff_client.post(reverse("communities:deactivate_member", args=[gone.pk]))
    assert response.status_code == 302
    assert messages_of(response) == ["Gone Person was already deactivated."]


def test_deactivate_oneself_is_refused(staff_client, staff):
    response = staff_client.post(reverse("communities:deactivate_member", args=[staff.pk]))
    assert response.status_code == 302
    assert messages_of(response) == ["You cannot deactivate yourself."]
    staff.refresh_from_db()
    assert staff.is_active


def test_deactivate_unknown_person_is_404(staff_client):
    assert staff_client.post(reverse("communities:deactivate_member", args=[999999])).status_code == 404


def test_deactivate_is_403_for_non_staff(member_client):
    person = UserFactory()
    assert member_client.post(reverse("communities:deactivate_member", args=[person.pk])).status_code == 403
    person.refresh_from_db()
    assert person.is_active


def test_deactivate_rejects_get(staff_client):
    person = UserFactory()
    assert staff_client.get(reverse("communities:deactivate_member", args=[person.pk])).status_code == 405


def test_archived_community_sponsors_page_still_opens_for_staff(staff_client, community):
    community.archived_at = timezone.now()
    community.save()
    response = staff_client.get(url("sponsors", community))
    assert response.status_code == 200
    assert "Bring it back" in response.text


# --- The admin ----------------------------------------------------------------------------------------------------


def test_the_admin_shows_memberships_read_only_with_a_link_to_where_they_are_managed(staff_client, community):
    """A status or role changed in the admin would skip the rules and the history: the admin only shows them."""
    membership = MembershipFactory(community=community, level="active")
    manage = reverse("communities:manage_members", args=[community.slug])
    change = reverse("admin:communities_membership_change", args=[membership.pk])

    listing = staff_client.get(reverse("admin:communities_membership_changelist"))
    assert listing.status_code == 200
    assert f'href="{manage}"' in listing.text

    page = staff_client.get(change)
    assert page.status_code == 200
    assert f'href="{manage}"' in page.text
    assert 'name="status"' not in page.text and 'name="role"' not in page.text
    assert 'type="submit"' not in page.text.split('id="membership_form"')[-1]

    response = staff_client.post(
        change,
        {
            "community": community.pk,
            "user": membership.user.pk,
            "status": "removed",
            "level": "core",
            "role": "coordinator",
        },
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.status, membership.level, membership.role) == ("active", "active", "member")
    assert not community.membership_events.exists()
    assert staff_client.get(reverse("admin:communities_membership_add")).status_code == 403
