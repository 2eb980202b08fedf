"""Search answered by communities: communities themselves (name above domain above description)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.access import visible_communities_q
from communities.models import Community
from members.models import User
from members.search_support import Hit, Query, Results, headlines, ranked


def search_communities(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
) -> Results:
    """Communities whose content the viewer may see, ranked; archived ones only when asked for."""
    communities = Community.objects.filter(visible_communities_q(viewer))
    if not include_archived:
        communities = communities.filter(archived_at__isnull=True)
    if community is not None:
        communities = communities.filter(pk=community.pk)
    matches = ranked(communities, query, plain_fields={"name": 3, "domain": 2, "description": 1})
    total = matches.count()
    page = list(matches.order_by("-rank", "name", "pk")[offset : offset + limit])
    snippets = headlines(Community, [c.pk for c in page], query, field_name="description")
    hits = [
        Hit(
            kind="community",
            title=c.name,
            url=c.get_absolute_url(),
            snippet=snippets.get(c.pk) or mark_safe(escape(c.domain)),  # noqa: S308 - escaped
            context=c.domain,
            at=c.created_at,
        )
        for c in page
    ]
    return Results(kind="communities", total=total, hits=hits)
