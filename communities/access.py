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
from django.db import connections
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


# Every page of a community starts with this read: written out, because the ORM spent twice as long building
# it as the database spent answering (3 ms to 1 ms a page), and one statement (the community, whether the viewer
# sponsors it, and their membership joined in) rather than two round trips. Whole rows, so nothing is deferred;
# table and column names from the models, values only as parameters.
_MEMBERSHIP_FIELDS = Membership._meta.concrete_fields
_MEMBERSHIP_PREFIX = "viewer_membership__"
_COMMUNITY_SQL = (
    f'SELECT c.*, EXISTS(SELECT 1 FROM "{Sponsorship._meta.db_table}" s WHERE s.community_id = c.id '  # noqa: S608
    "AND s.sponsor_id = %s) AS viewer_sponsors, "
    + ", ".join(f'm."{field.column}" AS "{_MEMBERSHIP_PREFIX}{field.column}"' for field in _MEMBERSHIP_FIELDS)
    + f' FROM "{Community._meta.db_table}" c LEFT JOIN "{Membership._meta.db_table}" m '
    "ON m.community_id = c.id AND m.user_id = %s WHERE c.slug = %s"
)


def _joined_membership(community: Community) -> Membership | None:
    """The viewer's membership from the joined columns (None when the join found none), its values converted as
    a query of the model would (SQLite hands dates back as text), its community the one already loaded."""
    values = [community.__dict__.pop(f"{_MEMBERSHIP_PREFIX}{field.column}") for field in _MEMBERSHIP_FIELDS]
    if values[0] is None:
        return None
    connection = connections[community._state.db]
    converted = []
    for field, value in zip(_MEMBERSHIP_FIELDS, values, strict=True):
        column = field.get_col(Membership._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    membership = Membership.from_db(
        community._state.db, [field.attname for field in _MEMBERSHIP_FIELDS], converted
    )
    membership.community = community
    return membership


def get_community_for(
    viewer: User, slug: str, *, content: bool = False, manage: bool = False
) -> CommunityAccess:
    """Load a community with the viewer's membership; 404 for outsiders, 403 for members without the right.

    `content=True` needs the right to see its content (private ones: members, sponsors, staff);
    `manage=True` needs an active coordinator of a community that is not archived.
    """
    community = next(iter(Community.objects.raw(_COMMUNITY_SQL, [viewer.pk, viewer.pk, slug])), None)
    if community is None:
        raise Http404("No such community")
    membership = _joined_membership(community)
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
