"""Who may see and change what: the one place that answers 404 or 403 for a community.

| who                         | listed community            | private community                       |
|-----------------------------|-----------------------------|-----------------------------------------|
| any signed-in user          | content and member list     | name, domain and how to ask to join     |
| active member               | content and member list     | content and member list                 |
| sponsor, staff              | content and member list     | content and member list                 |
| coordinator                 | + manage membership, edit   | + manage membership, edit               |
| staff                       | + assign sponsors, archive  | + assign sponsors, archive              |
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities.models import Community, Level, Membership, Sponsorship
from members.models import User


@dataclass
class CommunityAccess:
    """A community and what the viewer may do there."""

    community: Community
    viewer: User
    membership: Membership | None
    is_sponsor: bool

    @property
    def is_member(self) -> bool:
        return bool(self.membership and self.membership.is_active)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.membership and self.membership.is_coordinator)

    @property
    def is_core(self) -> bool:
        return self.is_member and self.membership.level == Level.CORE

    @property
    def is_staff(self) -> bool:
        return self.viewer.is_staff

    @property
    def can_see_content(self) -> bool:
        return not self.community.is_private or self.is_member or self.is_sponsor or self.is_staff

    @property
    def can_manage(self) -> bool:
        """`communities.rules.may_manage`, for templates (the rule lives there; rules imports this module)."""
        from communities import rules

        return rules.may_manage(self)

    @property
    def pending_status(self) -> str | None:
        """The viewer's own request or invitation, if one is waiting."""
        if self.membership and self.membership.status in (
            Membership.Status.REQUESTED,
            Membership.Status.INVITED,
        ):
            return self.membership.status
        return None


def access_for(viewer: User, community: Community) -> CommunityAccess:
    """Who `viewer` is to `community`, for a service about to act (two small queries: the membership, and
    whether they sponsor it). Views have theirs from `get_community_for`."""
    return CommunityAccess(
        community=community,
        viewer=viewer,
        membership=Membership.objects.filter(community=community, user=viewer).order_by().first(),
        is_sponsor=Sponsorship.objects.filter(community=community, sponsor=viewer).exists(),
    )


# Every page of a community starts with these two reads: written out, because the ORM spent twice as long
# building them as the database spent answering (3 ms to 1 ms a page). Whole rows, so nothing is deferred; table
# and column names from the models, values only as parameters.
_COMMUNITY_SQL = (
    f'SELECT c.*, EXISTS(SELECT 1 FROM "{Sponsorship._meta.db_table}" s WHERE s.community_id = c.id '  # noqa: S608
    f'AND s.sponsor_id = %s) AS viewer_sponsors FROM "{Community._meta.db_table}" c WHERE c.slug = %s'
)
_MEMBERSHIP_SQL = f'SELECT * FROM "{Membership._meta.db_table}" WHERE community_id = %s AND user_id = %s'  # noqa: S608


def get_community_for(
    viewer: User, slug: str, *, content: bool = False, manage: bool = False
) -> CommunityAccess:
    """Load a community with the viewer's membership; 404 for outsiders, 403 for members without the right.

    `content=True` needs the right to see its content (private ones: members, sponsors, staff);
    `manage=True` needs an active coordinator of a community that is not archived.
    """
    community = next(iter(Community.objects.raw(_COMMUNITY_SQL, [viewer.pk, slug])), None)
    if community is None:
        raise Http404("No such community")
    membership = next(iter(Membership.objects.raw(_MEMBERSHIP_SQL, [community.pk, viewer.pk])), None)
    access = CommunityAccess(
        community=community, viewer=viewer, membership=membership, is_sponsor=bool(community.viewer_sponsors)
    )
    if (content or manage) and not access.can_see_content:
        raise Http404("No such community")
    if manage and not access.can_manage:
        from communities import rules

        raise PermissionDenied(rules.manage_refusal(access))
    return access


def get_membership_for(access: CommunityAccess, pk: int) -> Membership:
    """A membership of this community (404 if it belongs elsewhere)."""
    membership = (
        Membership.objects.select_related("user", "community")
        .filter(pk=pk, community=access.community)
        .first()
    )
    if membership is None:
        raise Http404("No such membership")
    return membership
