"""Search answered by communities: communities themselves (name above domain above description), and the set of
communities a search may look in, which every group whose content lives in communities shares."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.models import Community
from core.search_support import Hit, Query, Results, among, counted_page, kept, ranked, snippet, with_headline
from members.models import User


@dataclass(frozen=True)
class Scope:
    """Where a search looks, and for whom: the communities `viewer` may see (`Community.objects.visible_to`),
    current ones unless archived ones are asked for, narrowed to `community` when one is chosen. Every group
    of the site-wide search takes one; `community_ids`, when known (the site-wide search finds them once per
    page), spares each group its subquery."""

    viewer: User
    community: Community | None = None
    include_archived: bool = False
    community_ids: Collection[int] | None = None

    def communities(self) -> QuerySet[Community]:
        communities = Community.objects.visible_to(self.viewer).archived_too(self.include_archived)
        if self.community is not None:
            communities = communities.filter(pk=self.community.pk)
        return communities

    def holds(self, field: str) -> Q:
        """The condition "`field` (a community id) is among the communities searched"."""
        if self.community_ids is not None:
            return among(field, self.community_ids)
        return Q(**{f"{field}__in": self.communities().values("pk")})


# A core.versions name bumped by every community's save or deletion (communities.apps): what its hits show, and
# the community's name every other group's hits show.
COMMUNITIES_VERSION = "search:communities"


@kept("communities", [COMMUNITIES_VERSION])
def search_communities(scope: Scope, query: Query, *, offset: int = 0, limit: int = 5) -> Results:
    """Communities whose content the viewer may see, ranked; archived ones only when asked for. One query: the
    count rides on the page's rows, the snippets are computed for them only (`counted_page`)."""
    communities = Community.objects.filter(scope.holds("pk"))
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
