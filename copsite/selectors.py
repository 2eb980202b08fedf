"""Reads for the pages that compose every app: where a site-wide search looks."""

from dataclasses import dataclass

from communities.search import Scope
from members.models import User


@dataclass(frozen=True)
class SearchPage:
    """The communities a search page offers (its filter's choices) and where it looks (`scope`)."""

    scope: Scope
    communities: list[dict]  # the filter's choices (pk, slug, name): those searched when no one is chosen


def search_scope(viewer: User, *, slug: str = "", include_archived: bool = False) -> SearchPage:
    """Where `viewer`'s search looks (two queries): `communities.search.Scope`, the communities they may see,
    current ones unless archived ones are asked for, narrowed to the one chosen by `slug` (one they may see). The
    ids come with the filter's choices, so every type of result shares them without a query of its own."""
    visible = Scope(viewer, include_archived=True).communities()
    community = visible.filter(slug=slug).first() if slug else None  # archived too: it then finds nothing
    everywhere = Scope(viewer, include_archived=include_archived)
    communities = list(everywhere.communities().order_by("name").values("pk", "slug", "name"))
    ids = [c["pk"] for c in communities if community is None or c["pk"] == community.pk]
    return SearchPage(
        scope=Scope(viewer, community, include_archived=include_archived, community_ids=ids),
        communities=communities,
    )
