"""Communities' rules (communities/rules.py) for every kind of person, written out as tables, and the services
refusing with `NotPermitted` exactly where a rule says no (and acting where it says yes)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities import rules, services
from communities.access import access_for
from communities.models import EmailInvitation, Level, Membership
from core.rules import NotPermitted
from tests import rules_tables
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    coordinator_of,
    member_of,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "outsider",
    "former",
    "requested",
    "invited",
    "peripheral",
    "core",
    "coordinator",
    "sponsor",
    "staff",
]

# Rows: the rules; columns: who the person is to the community (a coordinator here is at the active level, so the
# role alone lets them into the core group; a sponsor is not a member; a former member left; `requested` waits
# for the coordinators; `invited` holds an invitation that has not expired). `may_join` is asked of an open
# community, `may_request` of one on approval, the others of both. `level_*` is `may_change_own_level` to that
# level.
CURRENT = """
                        outsider former requested invited peripheral core coordinator sponsor staff
may_join                yes      yes    no        no      no         no   no          yes     yes
may_request             yes      yes    no        no      no         no   no          yes     yes
may_answer_invitation   no       no     no        yes     no         no   no          no      no
level_active            no       no     no        no      yes        yes  yes         no      no
level_core              no       no     no        no      no         yes  yes         no      no
may_leave               no       no     no        no      yes        yes  yes         no      no
may_manage              no       no     no        no      no         no   yes         no      no
may_administer          no       no     no        no      no         no   no          no      yes
"""

# An archived community no longer changes, whoever asks; staff still administer (unarchive it, end a sponsorship).
ARCHIVED = """
                        outsider former requested invited peripheral core coordinator sponsor staff
may_join                no       no     no        no      no         no   no          no      no
may_request             no       no     no        no      no         no   no          no      no
may_answer_invitation   no       no     no        no      no         no   no          no      no
level_active            no       no     no        no      no         no   no          no      no
level_core              no       no     no        no      no         no   no          no      no
may_leave               no       no     no        no      no         no   no          no      no
may_manage              no       no     no        no      no         no   no          no      no
may_administer          no       no     no        no      no         no   no          no      yes
"""


def table(text: str) -> dict[tuple[str, str], bool]:
    return rules_tables.table(text, ROLES)


person = rules_tables.person


ASKED = {
    "may_join": lambda access: rules.may_join(access),
    "may_request": lambda access: rules.may_request(access),
    "may_answer_invitation": lambda access: rules.may_answer_invitation(access),
    "level_active": lambda access: rules.may_change_own_level(access, Level.ACTIVE),
    "level_core": lambda access: rules.may_change_own_level(access, Level.CORE),
    "may_leave": lambda access: rules.may_leave(access),
    "may_manage": lambda access: rules.may_manage(access),
    "may_administer": lambda access: rules.may_administer(access.viewer),
}
POLICY = {"may_join": "open", "may_request": "approval"}


@pytest.mark.parametrize("kind", ["current", "archived"])
@pytest.mark.parametrize("role", ROLES)
def test_every_rule_for_every_person(kind, role, django_assert_num_queries):
    """Each rule answers as its table says; the answers come from what the access holds, without a query."""
    expected = table(CURRENT if kind == "current" else ARCHIVED)
    archived_at = timezone.now() if kind == "archived" else None
    communities = {
        policy: CommunityFactory(join_policy=policy, archived_at=archived_at)
        for policy in ("open", "approval")
    }
    accesses = {}
    for policy, community in communities.items():
        accesses[policy] = access_for(person(role, community), community)
    with django_assert_num_queries(0):
        for rule, ask in ASKED.items():
            policies = [POLICY[rule]] if rule in POLICY else ["open", "approval"]
            for policy in policies:
                assert ask(accesses[policy]) is expected[(rule, role)], (rule, role, kind, policy)


@pytest.mark.parametrize("policy", ["approval", "invitation"])
def test_only_an_open_community_is_joined_at_once(policy):
    community = CommunityFactory(join_policy=policy)
    access = access_for(UserFactory(), community)
    assert not rules.may_join(access)
    assert "is not open" in rules.join_refusal(access)


@pytest.mark.parametrize(
    ("policy", "refusal"), [("open", "is open: join it directly"), ("invitation", "by invitation only")]
)
def test_only_a_community_on_approval_takes_requests(policy, refusal):
    community = CommunityFactory(join_policy=policy)
    access = access_for(UserFactory(), community)
    assert not rules.may_request(access)
    assert refusal in rules.request_refusal(access)


def test_an_expired_invitation_is_no_longer_answered_and_no_longer_stands_in_the_way():
    community = CommunityFactory(join_policy="open")
    invited = MembershipFactory(
        community=community,
        status="invited",
        joined_at=None,
        invitation_expires_at=timezone.now() - timedelta(minutes=1),
    ).user
    access = access_for(invited, community)
    assert not rules.may_answer_invitation(access)
    assert "has expired" in rules.answer_refusal(access)
    assert rules.may_join(access)


@pytest.mark.parametrize(
    ("state", "allowed"), [("open", True), ("other_address", False), ("used", False), ("expired", False)]
)
def test_an_invitation_link_is_accepted_once_in_time_by_its_address(state, allowed):
    community = CommunityFactory()
    invitation = EmailInvitation.objects.create(
        community=community,
        email="nia@example.org",
        expires_at=timezone.now() + (timedelta(days=-1) if state == "expired" else timedelta(days=3)),
        accepted_at=timezone.now() if state == "used" else None,
    )
    viewer = UserFactory(email="other@example.org" if state == "other_address" else "Nia@example.org")
    assert rules.email_invitation_state(invitation, viewer) == state
    assert rules.may_accept_email_invitation(invitation, viewer) is allowed


# --- The services enforce the same rules ------------------------------------------------------------------------


def test_join_refused_where_may_join_says_no_and_done_where_it_says_yes():
    community = CommunityFactory(join_policy="open")
    member = member_of(community)
    with pytest.raises(NotPermitted, match="already a member"):
        services.membership_join(user=member, community=community)
    outsider = UserFactory()
    assert services.membership_join(user=outsider, community=community).status == Membership.Status.ACTIVE
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    with pytest.raises(NotPermitted, match="is archived"):
        services.membership_join(user=UserFactory(), community=community)


def test_request_refused_where_may_request_says_no_and_done_where_it_says_yes():
    community = CommunityFactory(join_policy="approval")
    invited = person("invited", community)
    with pytest.raises(NotPermitted, match="accept the invitation instead"):
        services.membership_request(user=invited, community=community)
    former = person("former", community)
    assert services.membership_request(user=former, community=community).status == Membership.Status.REQUESTED


def test_answering_an_invitation_follows_may_answer_invitation():
    community = CommunityFactory(join_policy="invitation")
    invitee = person("invited", community)
    invitation = Membership.objects.get(community=community, user=invitee)
    with pytest.raises(NotPermitted, match="someone else"):
        services.invitation_respond(user=UserFactory(), membership=invitation, accept=True)
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    with pytest.raises(NotPermitted, match="is archived"):
        services.invitation_respond(user=invitee, membership=invitation, accept=True)
    community.archived_at = None
    community.save(update_fields=["archived_at"])
    assert services.invitation_respond(user=invitee, membership=invitation, accept=True).is_active


@pytest.mark.parametrize("role", ["peripheral", "core", "sponsor", "staff"])
def test_managing_is_refused_to_all_but_coordinators(role):
    community = CommunityFactory(join_policy="approval")
    coordinator_of(community)
    request = services.membership_request(user=UserFactory(), community=community)
    actor = person(role, community)
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.membership_decide(actor=actor, membership=request, approve=True)
    with pytest.raises(NotPermitted, match="Only coordinators"):
        services.community_update(actor=actor, community=community, stage="maturing")
    assert Membership.objects.get(pk=request.pk).status == Membership.Status.REQUESTED


def test_managing_is_done_by_a_coordinator_until_the_community_is_archived():
    community = CommunityFactory(join_policy="approval")
    coordinator = person("coordinator", community)
    request = services.membership_request(user=UserFactory(), community=community)
    assert services.membership_decide(actor=coordinator, membership=request, approve=True).is_active
    community.archived_at = timezone.now()
    community.save(update_fields=["archived_at"])
    with pytest.raises(NotPermitted, match="is archived"):
        services.membership_change_level(actor=coordinator, membership=request, level=Level.CORE)


def test_own_level_follows_may_change_own_level():
    community = CommunityFactory()
    peripheral = Membership.objects.get(community=community, user=person("peripheral", community))
    with pytest.raises(NotPermitted, match="coordinators' call"):
        services.membership_change_level(actor=peripheral.user, membership=peripheral, level=Level.CORE)
    coordinator = Membership.objects.get(community=community, user=person("coordinator", community))
    assert (
        services.membership_change_level(
            actor=coordinator.user, membership=coordinator, level=Level.CORE
        ).level
        == Level.CORE
    )


def test_staff_actions_follow_may_administer():
    community = CommunityFactory()
    for role in ("coordinator", "sponsor"):
        with pytest.raises(NotPermitted, match="Only staff"):
            services.community_archive(actor=person(role, community), community=community)
    staff = person("staff", community)
    assert services.community_archive(actor=staff, community=community).is_archived
    with pytest.raises(NotPermitted, match="is archived"):
        services.sponsorship_assign(actor=staff, community=community, sponsor=UserFactory())
    assert not services.community_unarchive(actor=staff, community=community).is_archived
