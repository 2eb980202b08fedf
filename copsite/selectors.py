"""Reads for the pages that compose every app: where a site-wide search looks."""

from dataclasses import dataclass

from communities.models import Membership
from communities.search import Scope
from communities.selectors import seen_communities
from core import fragments, versions
from core.moments import this_minute
from insights.cached import version_name
from members.models import User


@dataclass(frozen=True)
class Kept:
    """Where a fragment is kept: its row key and version (`core.fragments`)."""

    key: str
    version: str


def recent_activity_kept(memberships: list[Membership], *, listed_all: bool) -> Kept | None:
    """The home page's recent activity is the same for everyone in the same communities: kept under those
    communities (their ids), their data's versions (`insights.cached`: a post, a reply, a hidden or deleted one,
    an author's new name, a renamed or archived community bump them) and the minute (its "2 hours ago" texts).
    None when `memberships` may not be all of them (`listed_all` false): the list is then made afresh."""
    if not listed_all:
        return None
    ids = sorted(m.community_id for m in memberships if m.status == Membership.Status.ACTIVE)
    minute = this_minute()
    token = versions.current(*(version_name(pk) for pk in ids)) if ids else ""
    return Kept(key=fragments.digest(ids), version=f"{token}-{minute}")


@dataclass(frozen=True)
class SearchPage:
    """The communities a search page offers (its filter's choices) and where it looks (`scope`)."""

    scope: Scope
    communities: list[dict]  # the filter's choices (pk, slug, name): those searched when no one is chosen


def search_scope(viewer: User, *, slug: str = "", include_archived: bool = False) -> SearchPage:
    """Where `viewer`'s search looks: `communities.search.Scope`, the communities they may see, current ones
    unless archived ones are asked for, narrowed to the one chosen by `slug` (one they may see: a query). The ids
    come with the filter's choices, so every type of result shares them without a query of its own (kept for the
    viewer: `communities.selectors.seen_communities`)."""
    visible = Scope(viewer, include_archived=True).communities()
    community = visible.filter(slug=slug).first() if slug else None  # archived too: it then finds nothing
    communities = [
        {"pk": pk, "slug": slug, "name": name}
        for pk, slug, name in seen_communities(viewer, include_archived=include_archived)
    ]
    ids = [c["pk"] for c in communities if community is None or c["pk"] == community.pk]
    return SearchPage(
        scope=Scope(viewer, community, include_archived=include_archived, community_ids=ids),
        communities=communities,
    )
