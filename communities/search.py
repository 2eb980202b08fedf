"""Search answered by communities: communities themselves (name above domain above description), and the set of
communities a search may look in, which every group whose content lives in communities shares."""

from collections.abc import Collection

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.models import Community
from core.search_support import Hit, Query, Results, among, counted_page, ranked, snippet, with_headline
from members.models import User


def _searched(*, viewer: User, community: Community | None, include_archived: bool) -> QuerySet[Community]:
    """The communities a search by `viewer` looks in: those they may see (`Community.objects.visible_to`),
    archived ones only when asked for, narrowed to `community` when one is chosen."""
    communities = Community.objects.visible_to(viewer)
    if not include_archived:
        communities = communities.current()
    if community is not None:
        communities = communities.filter(pk=community.pk)
    return communities


def searchable_community_ids(
    *, viewer: User, community: Community | None = None, include_archived: bool = False
) -> list[int]:
    """The ids of the communities whose content a search by `viewer` looks in (one query). The site-wide search
    finds them once per page and hands them to every group, instead of every group filtering by who sees what."""
    searched = _searched(viewer=viewer, community=community, include_archived=include_archived)
    return list(searched.order_by().values_list("pk", flat=True))


def in_communities(
    field: str,
    community_ids: Collection[int] | None,
    *,
    viewer: User,
    community: Community | None,
    include_archived: bool,
) -> Q:
    """The condition "`field` (a community id) is among the communities searched": the precomputed ids when the
    caller has them (`searchable_community_ids`), else the same rule as a subquery (an app searched alone)."""
    if community_ids is not None:
        return among(field, community_ids)
    searched = _searched(viewer=viewer, community=community, include_archived=include_archived)
    return Q(**{f"{field}__in": searched.values("pk")})


def search_communities(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
    community_ids: Collection[int] | None = None,
) -> Results:
    """Communities whose content the viewer may see, ranked; archived ones only when asked for. One query: the
    count rides on the page's rows, the snippets are computed for them only (`counted_page`)."""
    communities = Community.objects.filter(
        in_communities(
            "pk", community_ids, viewer=viewer, community=community, include_archived=include_archived
        )
    )
    matches = ranked(communities, query, plain_fields={"name": 3, "domain": 2, "description": 1})
    total, page = counted_page(
        with_headline(matches, query, field_name="description").only(
            "name", "slug", "domain", "description", "created_at"
        ),
        order_by=("-rank", "name", "pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind="community",
            title=c.name,
            url=c.get_absolute_url(),
            snippet=snippet(c, query, field_name="description") or mark_safe(escape(c.domain)),  # noqa: S308
            context=c.domain,
            at=c.created_at,
        )
        for c in page
    ]
    return Results(kind="communities", total=total, hits=hits)
