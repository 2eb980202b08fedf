"""Template helpers for membership: what the status block offers (by the rules), the commitment levels a person may
choose, and level names for mail."""

from django import template

from communities import rules
from communities.access import CommunityAccess
from communities.models import Community, Level, Membership

register = template.Library()


@register.simple_tag
def level_choices(current: str = "") -> list[tuple[str, str]]:
    """The levels a member picks for themselves: every level but the core group, unless they are in it already
    (joining the core group is the coordinators' call)."""
    return [(value, label) for value, label in Level.choices if value != Level.CORE or current == Level.CORE]


@register.filter
def level_label(value: str) -> str:
    """`"occasional"` → `"Occasional"`; unknown values are shown as they are."""
    return dict(Level.choices).get(value, value)


@register.filter
def role_label(value: str) -> str:
    return dict(Membership.Role.choices).get(value, value)


@register.simple_tag(takes_context=True)
def membership_offer(
    context, community: Community, status: str = "", level: str = "", invited_until=None
) -> str:
    """What the status block offers the viewer, asked of `communities.rules` (the same rules the services
    enforce): "member", "archived", "invited" (accept or decline), "requested" (waiting), "join", "request" (ask
    to join) or "closed" (by invitation only). Takes the viewer's membership as the page loaded it (a browse
    card's annotations, or the community header's membership)."""
    membership = (
        Membership(
            community=community,
            status=status,
            level=level or Level.PERIPHERAL,
            invitation_expires_at=invited_until,
        )
        if status
        else None
    )
    access = CommunityAccess(
        community=community, viewer=context["request"].user, membership=membership, is_sponsor=False
    )
    if access.is_member:
        return "member"
    if not rules.accepts_changes(community):
        return "archived"
    if rules.may_answer_invitation(access):
        return "invited"
    if status == Membership.Status.REQUESTED:
        return "requested"
    if rules.may_join(access):
        return "join"
    if rules.may_request(access):
        return "request"
    return "closed"
