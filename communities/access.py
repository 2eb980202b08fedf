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
from functools import cache

from django.core.exceptions import PermissionDenied
from django.db import connections, router
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


# Every page of a community starts with this read: written out and read with a plain cursor, because the ORM
# spent twice as long building it and making its rows as the database spent answering, and one statement (the
# community, whether the viewer sponsors it, and their membership joined in) rather than two round trips. Whole
# rows, so nothing is deferred; table and column names from the models, values only as parameters.
_COMMUNITY_FIELDS = Community._meta.concrete_fields
_MEMBERSHIP_FIELDS = Membership._meta.concrete_fields
_COMMUNITY_SQL = (
    "SELECT "  # noqa: S608 - table and column names from the models, values as parameters
    + ", ".join(f'c."{field.column}"' for field in _COMMUNITY_FIELDS)
    + f', EXISTS(SELECT 1 FROM "{Sponsorship._meta.db_table}" s '  # noqa: S608
    "WHERE s.community_id = c.id AND s.sponsor_id = %s), "
    + ", ".join(f'm."{field.column}"' for field in _MEMBERSHIP_FIELDS)
    + f' FROM "{Community._meta.db_table}" c LEFT JOIN "{Membership._meta.db_table}" m '
    "ON m.community_id = c.id AND m.user_id = %s WHERE c.slug = %s"
)


@cache
def _converters(model, alias: str) -> list[tuple]:
    """Per field of `model`: its column and the converters a query of the model applies to its values on the
    database `alias` (SQLite hands dates back as text; PostgreSQL needs none of these)."""
    connection = connections[alias]
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        out.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return out


def _instance(model, alias: str, values: list):
    """A `model` instance from its columns' values, converted as a query of the model would."""
    connection = connections[alias]
    converted = []
    for (column, converters), value in zip(_converters(model, alias), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(alias, [field.attname for field in model._meta.concrete_fields], converted)


def _community_and_membership(viewer: User, slug: str) -> tuple[Community, bool, Membership | None] | None:
    """The community of `slug`, whether `viewer` sponsors it, and their membership (None when they have none)."""
    alias = router.db_for_read(Community)
    with connections[alias].cursor() as cursor:
        cursor.execute(_COMMUNITY_SQL, [viewer.pk, viewer.pk, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    size = len(_COMMUNITY_FIELDS)
    community = _instance(Community, alias, list(row[:size]))
    membership_values = list(row[size + 1 :])
    membership = None
    if membership_values[0] is not None:
        membership = _instance(Membership, alias, membership_values)
        membership.community = community
    return community, bool(row[size]), membership


def get_community_for(
    viewer: User, slug: str, *, content: bool = False, manage: bool = False
) -> CommunityAccess:
    """Load a community with the viewer's membership; 404 for outsiders, 403 for members without the right.

    `content=True` needs the right to see its content (private ones: members, sponsors, staff);
    `manage=True` needs an active coordinator of a community that is not archived.
    """
    found = _community_and_membership(viewer, slug)
    if found is None:
        raise Http404("No such community")
    community, sponsors, membership = found
    access = CommunityAccess(community=community, viewer=viewer, membership=membership, is_sponsor=sponsors)
    if (content or manage) and not access.can_see_content:
        raise Http404("No such community")
    if manage and not access.can_manage:
        from communities import rules

        raise PermissionDenied(rules.manage_refusal(access))
    return access


def require_staff(viewer: User) -> None:
    """403 unless `viewer` is staff (`communities.rules.may_administer`): the access helper of every staff page
    (sponsors and archive, offboarding, directory connections, the people import)."""
    from communities import rules

    if not rules.may_administer(viewer):
        raise PermissionDenied(rules.STAFF_ONLY)


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
