"""Communities services: each intention succeeds, records history, and refuses bad input changing nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import Community, EmailInvitation, Level, Membership, MembershipEvent, Participation
from communities.services import MembershipError
from core.rules import NotPermitted
from members.models import NotificationPreference, Tag
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db
Event = MembershipEvent.Kind
Status = Membership.Status


def events(community, user=None):
    rows = MembershipEvent.objects.filter(community=community)
    if user:
        rows = rows.filter(user=user)
    return list(rows.order_by("at", "pk").values_list("kind", flat=True))


def snapshot(community):
    """Everything a refused service must leave as it was."""
    return (
        list(Membership.objects.filter(community=community).order_by("pk").values()),
        MembershipEvent.objects.filter(community=community).count(),
        Participation.objects.filter(community=community).count(),
    )


# --- Proposing and editing ------------------------------------------------------------------------------


def test_propose_starts_potential_with_proposer_as_coordinator_and_invites_core_group(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposer, colleague = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        community = services.community_propose(
            proposer=proposer,
            name="  Release Engineering ",
            domain="Making releases boring.",
            topics=["CI", "ci", "Deployments"],
            core_group=[colleague, proposer],
        )
    assert community.name == "Release Engineering" and community.slug == "release-engineering"
    assert community.stage == "potential"
    assert sorted(t.name for t in community.topics.all()) == ["CI", "Deployments"]
    mine = Membership.objects.get(community=community, user=proposer)
    assert (mine.status, mine.role, mine.level) == (Status.ACTIVE, "coordinator", Level.CORE)
    invited = Membership.objects.get(community=community, user=colleague)
    assert (invited.status, invited.level) == (Status.INVITED, Level.CORE)
    assert events(community, proposer) == [Event.JOINED, Event.ROLE_CHANGED]
    assert events(community, colleague) == [Event.INVITED]
    assert Participation.objects.filter(community=community, user=proposer, kind="joined").count() == 1
    assert [m.to for m in mailoutbox] == [[colleague.email]]


def test_propose_refuses_duplicate_name_and_empty_domain():
    CommunityFactory(name="Lean")
    with pytest.raises(MembershipError, match="already exists"):
        services.community_propose(proposer=UserFactory(), name="lean", domain="x")
    with pytest.raises(Exception, match="domain"):
        services.community_propose(proposer=UserFactory(), name="Other", domain="  ")
    assert Community.objects.count() == 1


def test_topics_whose_slugs_collide_get_their_own_tags():
    """ "C++" next to an existing "C" (both slug "c") was a 500; topics are made like every other tag (item 6 of
    issue 14)."""
    c = Tag.objects.create(name="C")
    community = services.community_propose(
        proposer=UserFactory(), name="Systems", domain="d", topics=["C++", "c"]
    )
    tags = {tag.name: tag.slug for tag in community.topics.all()}
    assert tags == {"C": c.slug, "C++": "c-2"}
    settings_page = services.community_update(
        actor=community.memberships.get().user,
        community=community,
        topics=["C#", "C++"],
        name="Systems",
        domain="d",
    )
    assert sorted(tag.name for tag in settings_page.topics.all()) == ["C#", "C++"]


def test_slug_avoids_reserved_paths_and_duplicates():
    CommunityFactory(name="Something", slug="propose-x")
    assert services.community_propose(proposer=UserFactory(), name="Propose", domain="d").slug == "propose-2"


def test_update_by_coordinator_only():
    community = CommunityFactory()
    coordinator, member = coordinator_of(community), member_of(community)
    services.community_update(actor=coordinator, community=community, stage="maturing", topics=["Kaizen"])
    community.refresh_from_db()
    assert community.stage == "maturing"
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.community_update(actor=member, community=community, stage="potential")
    with pytest.raises(ValueError, match="cannot update"):
        services.community_update(actor=coordinator, community=community, archived_at=timezone.now())


def test_archive_is_staff_only_and_makes_community_read_only():
    community = CommunityFactory()
    coordinator, staff = coordinator_of(community), UserFactory(is_staff=True)
    with pytest.raises(NotPermitted, match="Only staff"):
        services.community_archive(actor=coordinator, community=community)
    services.community_archive(actor=staff, community=community)
    with pytest.raises(MembershipError, match="already archived"):
        services.community_archive(actor=staff, community=community)
    with pytest.raises(NotPermitted, match="archived"):
        services.membership_join(user=UserFactory(), community=community)
    with pytest.raises(NotPermitted, match="archived"):
        services.community_update(actor=coordinator, community=community, stage="maturing")
    services.community_unarchive(actor=staff, community=community)
    assert not Community.objects.get(pk=community.pk).is_archived


def test_sponsorship_staff_only_and_unique():
    community, staff, leader = CommunityFactory(), UserFactory(is_staff=True), UserFactory()
    with pytest.raises(NotPermitted):
        services.sponsorship_assign(actor=leader, community=community, sponsor=leader)
    sponsorship = services.sponsorship_assign(
        actor=staff, community=community, sponsor=leader, provides="Time"
    )
    assert sponsorship.since == timezone.localdate()
    with pytest.raises(MembershipError, match="already sponsors"):
        services.sponsorship_assign(actor=staff, community=community, sponsor=leader)
    services.sponsorship_end(actor=staff, sponsorship=sponsorship)
    assert not community.sponsorships.exists()


# --- Joining --------------------------------------------------------------------------------------------


def test_join_open_community_at_chosen_level_records_history_and_ledger():
    community, user = CommunityFactory(join_policy="open"), UserFactory()
    membership = services.membership_join(user=user, community=community, level=Level.ACTIVE)
    assert (membership.status, membership.level, membership.role) == (Status.ACTIVE, Level.ACTIVE, "member")
    assert events(community, user) == [Event.JOINED]
    assert Participation.objects.get(community=community, user=user).kind == "joined"


def test_join_twice_and_join_non_open_are_refused_changing_nothing():
    community, user = CommunityFactory(join_policy="open"), UserFactory()
    services.membership_join(user=user, community=community)
    before = snapshot(community)
    with pytest.raises(NotPermitted, match="already a member"):
        services.membership_join(user=user, community=community)
    with pytest.raises(MembershipError, match="commitment levels"):
        services.membership_join(user=UserFactory(), community=community, level="guru")
    assert snapshot(community) == before
    with pytest.raises(NotPermitted, match="not open"):
        services.membership_join(user=user, community=CommunityFactory(join_policy="approval"))


def test_former_member_rejoins_on_the_same_row():
    community, user = CommunityFactory(), UserFactory()
    first = services.membership_join(user=user, community=community)
    services.membership_leave(user=user, membership=first)
    again = services.membership_join(user=user, community=community, level=Level.OCCASIONAL)
    assert again.pk == first.pk and again.status == Status.ACTIVE
    assert events(community, user) == [Event.JOINED, Event.LEFT, Event.JOINED]


def test_request_then_approve_mails_coordinators_and_requester(
    django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory(join_policy="approval")
    coordinator, requester = coordinator_of(community), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.membership_request(user=requester, community=community, message=" Hello ")
    assert request.status == Status.REQUESTED and request.message == "Hello"
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(actor=coordinator, membership=request, approve=True, reason="Welcome")
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        Status.ACTIVE,
        coordinator,
        "Welcome",
    )
    assert mailoutbox[-1].to == [requester.email]
    assert events(community, requester) == [Event.REQUESTED, Event.APPROVED]
    assert Participation.objects.filter(community=community, user=requester, kind="joined").exists()


def test_decline_and_decide_twice(django_capture_on_commit_callbacks, mailoutbox):
    community = CommunityFactory(join_policy="approval")
    coordinator, requester = coordinator_of(community), UserFactory()
    request = services.membership_request(user=requester, community=community)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(actor=coordinator, membership=request, approve=False, reason="Not yet")
    assert Membership.objects.get(pk=request.pk).status == Status.DECLINED
    assert "Not yet" in mailoutbox[-1].body
    before = snapshot(community)
    with pytest.raises(MembershipError, match="already decided"):
        services.membership_decide(actor=coordinator, membership=request, approve=True)
    assert snapshot(community) == before


def test_only_coordinators_decide_and_request_rules():
    community = CommunityFactory(join_policy="approval")
    coordinator_of(community)
    member, requester = member_of(community), UserFactory()
    request = services.membership_request(user=requester, community=community)
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.membership_decide(actor=member, membership=request, approve=True)
    with pytest.raises(NotPermitted, match="waiting"):
        services.membership_request(user=requester, community=community)
    with pytest.raises(NotPermitted, match="open"):
        services.membership_request(user=UserFactory(), community=CommunityFactory(join_policy="open"))
    with pytest.raises(NotPermitted, match="invitation only"):
        services.membership_request(user=UserFactory(), community=CommunityFactory(join_policy="invitation"))


def test_request_notification_off_sends_nothing(django_capture_on_commit_callbacks, mailoutbox):
    community = CommunityFactory(join_policy="approval")
    coordinator = coordinator_of(community)
    NotificationPreference.objects.create(user=coordinator, kind="membership_requests", frequency="off")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_request(user=UserFactory(), community=community)
    assert mailoutbox == []


# --- Invitations ----------------------------------------------------------------------------------------


def test_invite_accept_decline_expired_and_someone_elses():
    community = CommunityFactory(join_policy="invitation")
    coordinator, invitee, other = coordinator_of(community), UserFactory(), UserFactory()
    invitation = services.membership_invite(
        actor=coordinator, community=community, user=invitee, level=Level.ACTIVE
    )
    assert invitation.invitation_expires_at > timezone.now() + timedelta(days=13)
    with pytest.raises(MembershipError, match="already invited"):
        services.membership_invite(actor=coordinator, community=community, user=invitee)
    with pytest.raises(NotPermitted, match="someone else"):
        services.invitation_respond(user=other, membership=invitation, accept=True)
    joined = services.invitation_respond(user=invitee, membership=invitation, accept=True)
    assert (joined.status, joined.level) == (Status.ACTIVE, Level.ACTIVE)
    with pytest.raises(NotPermitted, match="already answered"):
        services.invitation_respond(user=invitee, membership=invitation, accept=False)

    late = services.membership_invite(actor=coordinator, community=community, user=other)
    Membership.objects.filter(pk=late.pk).update(invitation_expires_at=timezone.now() - timedelta(minutes=1))
    before = snapshot(community)
    with pytest.raises(NotPermitted, match="expired"):
        services.invitation_respond(user=other, membership=late, accept=True)
    assert snapshot(community) == before
    # An expired invitation can be renewed.
    assert (
        services.membership_invite(actor=coordinator, community=community, user=other).status
        == Status.INVITED
    )
    declined = services.invitation_respond(user=other, membership=late, accept=False)
    assert declined.status == Status.DECLINED


def test_invite_refusals():
    community = CommunityFactory(join_policy="approval")
    coordinator, member = coordinator_of(community), member_of(community)
    with pytest.raises(MembershipError, match="already a member"):
        services.membership_invite(actor=coordinator, community=community, user=member)
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.membership_invite(actor=member, community=community, user=UserFactory())
    with pytest.raises(MembershipError, match="left the organization"):
        services.membership_invite(actor=coordinator, community=community, user=UserFactory(is_active=False))
    requester = UserFactory()
    services.membership_request(user=requester, community=community)
    with pytest.raises(MembershipError, match="approve their request"):
        services.membership_invite(actor=coordinator, community=community, user=requester)


def test_email_invitation_for_new_person_and_existing_account(django_capture_on_commit_callbacks, mailoutbox):
    community = CommunityFactory(join_policy="invitation")
    coordinator, existing = coordinator_of(community), UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.email_invitation_create(
            actor=coordinator, community=community, email=" New.Person@Example.org ", level=Level.ACTIVE
        )
    assert isinstance(invitation, EmailInvitation) and invitation.email == "new.person@example.org"
    assert mailoutbox[-1].to == ["new.person@example.org"]
    assert invitation.token in mailoutbox[-1].body
    membership = services.email_invitation_create(
        actor=coordinator, community=community, email="KNOWN@example.org"
    )
    assert isinstance(membership, Membership) and membership.user == existing
    # Inviting the same address again replaces the open invitation.
    again = services.email_invitation_create(
        actor=coordinator, community=community, email="new.person@example.org"
    )
    assert EmailInvitation.objects.filter(community=community, accepted_at__isnull=True).get() == again


def test_email_invitation_accept_rules():
    community = CommunityFactory(join_policy="invitation")
    coordinator = coordinator_of(community)
    invitation = services.email_invitation_create(
        actor=coordinator, community=community, email="nia@example.org"
    )
    stranger = UserFactory(email="other@example.org")
    with pytest.raises(NotPermitted, match="another address"):
        services.email_invitation_accept(user=stranger, invitation=invitation)
    nia = UserFactory(email="nia@example.org")
    membership = services.email_invitation_accept(user=nia, invitation=invitation)
    assert membership.status == Status.ACTIVE
    with pytest.raises(NotPermitted, match="already used"):
        services.email_invitation_accept(user=nia, invitation=invitation)
    expired = services.email_invitation_create(
        actor=coordinator, community=community, email="late@example.org"
    )
    EmailInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotPermitted, match="expired"):
        services.email_invitation_accept(user=UserFactory(email="late@example.org"), invitation=expired)


# --- Levels, roles, leaving, removal --------------------------------------------------------------------


def test_member_changes_own_level_but_not_into_core_group():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    membership = MembershipFactory(community=community, level=Level.PERIPHERAL)
    services.membership_change_level(actor=membership.user, membership=membership, level=Level.ACTIVE)
    with pytest.raises(NotPermitted, match="core group"):
        services.membership_change_level(actor=membership.user, membership=membership, level=Level.CORE)
    services.membership_change_level(actor=coordinator, membership=membership, level=Level.CORE)
    membership.refresh_from_db()
    assert membership.level == Level.CORE
    history = MembershipEvent.objects.filter(user=membership.user, kind=Event.LEVEL_CHANGED).order_by(
        "at", "pk"
    )
    assert [(e.from_value, e.to_value, e.actor) for e in history] == [
        (Level.PERIPHERAL, Level.ACTIVE, membership.user),
        (Level.ACTIVE, Level.CORE, coordinator),
    ]
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.membership_change_level(
            actor=member_of(community), membership=membership, level=Level.ACTIVE
        )


def test_last_coordinator_cannot_step_down_leave_or_be_removed():
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    mine = Membership.objects.get(community=community, user=coordinator)
    before = snapshot(community)
    for attempt in (
        lambda: services.membership_change_role(actor=coordinator, membership=mine, role="member"),
        lambda: services.membership_leave(user=coordinator, membership=mine),
        lambda: services.membership_remove(actor=coordinator, membership=mine),
    ):
        with pytest.raises(MembershipError, match="last coordinator"):
            attempt()
    assert snapshot(community) == before
    # With a second coordinator, the first may step down.
    other = MembershipFactory(community=community)
    services.membership_change_role(actor=coordinator, membership=other, role="coordinator")
    services.membership_change_role(actor=coordinator, membership=mine, role="member")
    assert Membership.objects.get(pk=mine.pk).role == "member"


def test_leave_and_remove(django_capture_on_commit_callbacks, mailoutbox):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    leaver, removed = MembershipFactory(community=community), MembershipFactory(community=community)
    with pytest.raises(NotPermitted, match="only leave for yourself"):
        services.membership_leave(user=coordinator, membership=leaver)
    services.membership_leave(user=leaver.user, membership=leaver)
    with pytest.raises(NotPermitted, match="not a member"):
        services.membership_leave(user=leaver.user, membership=leaver)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(actor=coordinator, membership=removed, reason="Inactive for a year")
    removed.refresh_from_db()
    assert (removed.status, removed.decision_reason) == (Status.REMOVED, "Inactive for a year")
    assert mailoutbox[-1].to == [removed.user.email] and "Inactive for a year" in mailoutbox[-1].body
    with pytest.raises(MembershipError, match="not a member"):
        services.membership_remove(actor=coordinator, membership=removed)


def test_deactivating_a_person_ends_memberships_flags_orphans_and_stops_mail(
    django_capture_on_commit_callbacks, mailoutbox
):
    staff = UserFactory(is_staff=True)
    solo, shared = CommunityFactory(), CommunityFactory()
    person = coordinator_of(solo)
    Membership.objects.create(
        community=shared, user=person, status=Status.ACTIVE, role="coordinator", level="core"
    )
    coordinator_of(shared)
    pending = CommunityFactory(join_policy="approval")
    services.membership_request(user=person, community=pending)
    with django_capture_on_commit_callbacks(execute=True):
        orphaned = services.member_deactivate(actor=staff, user=person)
    person.refresh_from_db()
    assert not person.is_active
    assert orphaned == [solo]
    assert Community.objects.get(pk=solo.pk).needs_coordinator
    assert not Community.objects.get(pk=shared.pk).needs_coordinator
    assert set(Membership.objects.filter(user=person).values_list("status", flat=True)) == {
        "left",
        "declined",
    }
    assert MembershipEvent.objects.filter(user=person, kind=Event.DEACTIVATED).count() == 3
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert solo.name in mailoutbox[0].body
    # No more mail to them, even when something concerns them.
    mailoutbox.clear()
    with pytest.raises(MembershipError, match="left the organization"):
        services.membership_invite(actor=coordinator_of(pending), community=pending, user=person)
    # Staff appoint a new coordinator, which clears the flag.
    services.coordinator_appoint(actor=staff, community=solo, user=UserFactory())
    assert not Community.objects.get(pk=solo.pk).needs_coordinator
    with pytest.raises(MembershipError, match="yourself"):
        services.member_deactivate(actor=staff, user=staff)
    with pytest.raises(NotPermitted, match="Only staff"):
        services.member_deactivate(actor=UserFactory(), user=UserFactory())
