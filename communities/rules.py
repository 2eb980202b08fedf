"""Who may do what to memberships and communities: named, pure predicates, each with its refusal beside it.

Each predicate reads a `CommunityAccess` (who the viewer is to the community: their membership, whether they
sponsor it) and what the page or service already loaded; none runs a query. The services enforce them with
`core.rules.require(rules.may_x(access), ...)`, which raises `NotPermitted` with the refusal below the predicate;
the views, templates and tasks ask the same predicates (and `access.can_manage`, which is `may_manage`), so a
page never offers what the service would refuse, and the 403 page and the service say the same thing.

An archived community is kept for reference: it no longer changes, whoever asks.
"""

from django.utils import timezone

from communities.access import CommunityAccess
from communities.models import Community, EmailInvitation, Level, Membership

Status = Membership.Status
JoinPolicy = Community.JoinPolicy

STAFF_ONLY = "Only staff can do that."
NOT_YOUR_INVITATION = "This invitation is for someone else."
NOT_YOURS_TO_LEAVE = "You can only leave for yourself."


# --- The community itself -------------------------------------------------------------------------------------


def accepts_changes(community: Community) -> bool:
    """A community changes (people join, coordinators manage it, staff sponsor it) until it is archived."""
    return not community.is_archived


def archived_refusal(community: Community) -> str:
    return f"{community.name} is archived: it is kept for reference and can no longer change."


# --- Starting a membership: joining, asking to join -----------------------------------------------------------


def invitation_expired(membership: Membership) -> bool:
    """An invitation past its expiry is shown as expired; accepting it is refused, starting anew is not."""
    return bool(membership.invitation_expires_at and membership.invitation_expires_at <= timezone.now())


def _start_refusal(access: CommunityAccess) -> str:
    """Why the viewer may not start a membership here (an empty string when they may): they already belong, they
    asked and wait for the coordinators, or an invitation that has not expired waits for their answer."""
    membership, name = access.membership, access.community.name
    if membership is None:
        return ""
    if membership.status == Status.ACTIVE:
        return f"You are already a member of {name}."
    if membership.status == Status.REQUESTED:
        return f"Your request to join {name} is waiting for the coordinators."
    if membership.status == Status.INVITED and not invitation_expired(membership):
        return f"You are invited to {name}: accept the invitation instead."
    return ""


def may_join(access: CommunityAccess) -> bool:
    """Anyone joins an open community at once (not an archived one), unless they already belong to it, wait for
    their request, or hold an invitation that has not expired (they accept it instead). Former members may."""
    community = access.community
    return (
        accepts_changes(community) and community.join_policy == JoinPolicy.OPEN and not _start_refusal(access)
    )


def join_refusal(access: CommunityAccess) -> str:
    community = access.community
    if not accepts_changes(community):
        return archived_refusal(community)
    if community.join_policy != JoinPolicy.OPEN:
        return f"{community.name} is not open: ask to join or wait for an invitation."
    return _start_refusal(access)


def may_request(access: CommunityAccess) -> bool:
    """Anyone asks to join a community on approval (not an archived one), under the same conditions as joining:
    not already a member, no request waiting, no invitation that has not expired."""
    community = access.community
    return (
        accepts_changes(community)
        and community.join_policy == JoinPolicy.APPROVAL
        and not _start_refusal(access)
    )


def request_refusal(access: CommunityAccess) -> str:
    community = access.community
    if not accepts_changes(community):
        return archived_refusal(community)
    if community.join_policy == JoinPolicy.OPEN:
        return f"{community.name} is open: join it directly."
    if community.join_policy == JoinPolicy.INVITATION:
        return f"{community.name} welcomes members by invitation only. Ask one of its coordinators."
    return _start_refusal(access)


# --- Invitations ----------------------------------------------------------------------------------------------


def may_answer_invitation(access: CommunityAccess) -> bool:
    """The invitee accepts or declines their invitation while it waits and has not expired, in a community that
    is not archived."""
    membership = access.membership
    return (
        membership is not None
        and membership.status == Status.INVITED
        and not invitation_expired(membership)
        and accepts_changes(access.community)
    )


def answer_refusal(access: CommunityAccess) -> str:
    membership, community = access.membership, access.community
    if membership is None:
        return f"You have no invitation to {community.name}."
    if membership.status != Status.INVITED:
        return "This invitation was already answered or withdrawn."
    if invitation_expired(membership):
        return "This invitation has expired. Ask a coordinator to invite you again."
    return archived_refusal(community)


def email_invitation_state(invitation: EmailInvitation, viewer) -> str:
    """Where an invitation link mailed to an address stands for the person who opened it: "used", "expired",
    "anonymous" (signed out: sign up or sign in first), "other_address" (sent to another address than theirs)
    or "open" (they may accept it and join)."""
    if invitation.accepted_at:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if not viewer.is_authenticated:
        return "anonymous"
    if invitation.email.lower() != (viewer.email or "").lower():
        return "other_address"
    return "open"


def may_accept_email_invitation(invitation: EmailInvitation, viewer) -> bool:
    """An invitation link is accepted once, before it expires, by the person signed in with the address it was
    sent to (the community must still take members: see `accepts_changes`)."""
    return email_invitation_state(invitation, viewer) == "open"


EMAIL_INVITATION_REFUSALS = {
    "used": "This invitation link was already used.",
    "expired": "This invitation has expired. Ask a coordinator to invite you again.",
    "anonymous": "Sign in or sign up with the address the invitation was sent to.",
    "other_address": "This invitation was sent to another address. Sign in with the address it was sent to.",
}


def email_invitation_refusal(invitation: EmailInvitation, viewer) -> str:
    return EMAIL_INVITATION_REFUSALS[email_invitation_state(invitation, viewer)]


# --- One's own membership -------------------------------------------------------------------------------------


def may_change_own_level(access: CommunityAccess, level: str) -> bool:
    """A member changes their own commitment level (not in an archived community); joining the core group is the
    coordinators' call, so only a coordinator puts themselves in it (who is in it may stay)."""
    membership = access.membership
    return (
        access.is_member
        and accepts_changes(access.community)
        and (level != Level.CORE or membership.level == Level.CORE or membership.is_coordinator)
    )


def own_level_refusal(access: CommunityAccess, level: str) -> str:
    if not access.is_member:
        return f"You are not a member of {access.community.name}."
    if not accepts_changes(access.community):
        return archived_refusal(access.community)
    return "Joining the core group is the coordinators' call: ask one of them."


def may_leave(access: CommunityAccess) -> bool:
    """A member leaves a community that is not archived (the last coordinator cannot: the service checks that
    against the other coordinators)."""
    return access.is_member and accepts_changes(access.community)


def leave_refusal(access: CommunityAccess) -> str:
    return "You are not a member." if not access.is_member else archived_refusal(access.community)


# --- Coordinators and staff -----------------------------------------------------------------------------------


def may_manage(access: CommunityAccess) -> bool:
    """Active coordinators run their community's membership (requests, invitations, levels, roles, removals) and
    settings, until it is archived."""
    return access.is_coordinator and accepts_changes(access.community)


def manage_refusal(access: CommunityAccess) -> str:
    if not access.is_coordinator:
        return f"Only coordinators of {access.community.name} can do that."
    return archived_refusal(access.community)


def may_administer(viewer) -> bool:
    """Staff name and end sponsorships, archive communities and bring them back, appoint a coordinator where
    none is left, and deactivate people who left the organization (some of these concern no one community, so
    the rule reads the person, not a `CommunityAccess`)."""
    return bool(viewer.is_staff)
