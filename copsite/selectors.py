"""Reads for the pages that compose every app: where a site-wide search looks."""

from dataclasses import dataclass

from communities.models import Community
from members.models import User


@dataclass(frozen=True)
class SearchScope:
    """The communities a search page offers and looks in."""

    community: Community | None  # the one chosen with ?community=, when the viewer may see it
    communities: list[
        dict
    ]  # the filter's choices (pk, slug, name): visible, archived ones only when asked for
    community_ids: list[int]  # those searched: the choices, or the chosen one among them


def search_scope(viewer: User, *, slug: str = "", include_archived: bool = False) -> SearchScope:
    """Where `viewer`'s search looks (two queries): the communities they may see (`Community.objects.visible_to`),
    current ones unless archived ones are asked for, narrowed to the one chosen by `slug`. The ids are taken from
    the filter's choices, so every type of result shares them without a query of its own."""
    visible = Community.objects.visible_to(viewer)
    community = visible.filter(slug=slug).first() if slug else None
    choosable = visible if include_archived else visible.current()
    communities = list(choosable.order_by("name").values("pk", "slug", "name"))
    community_ids = [c["pk"] for c in communities if community is None or c["pk"] == community.pk]
    return SearchScope(community=community, communities=communities, community_ids=community_ids)
