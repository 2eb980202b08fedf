"""The site-wide search: each app answers for its own content; this module composes them by type."""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from activities.calendar.search import search_activities
from activities.discussions.search import search_discussions, search_replies
from communities.search import search_communities, searchable_community_ids
from core.search_support import Query, Results
from members.search import search_people
from repertoire.search import search_resource_hits


@dataclass(frozen=True)
class SearchType:
    key: str
    label: str
    search: Callable[..., Results]


TYPES = [
    SearchType("communities", "Communities", search_communities),
    SearchType("people", "People", search_people),
    SearchType("activities", "Activities", search_activities),
    SearchType("discussions", "Discussions", search_discussions),
    SearchType("replies", "Replies", search_replies),
    SearchType("resources", "Resources", search_resource_hits),
]
BY_KEY = {t.key: t for t in TYPES}


def search_all(
    *,
    viewer,
    query: Query,
    community=None,
    include_archived: bool = False,
    per_type: int = 5,
    community_ids: Collection[int] | None = None,
):
    """The first results of every type, with each type's total.

    The communities searched are found once for the page (`community_ids`, one query unless the caller already
    has them) and handed to every type, rather than every type filtering by who may see which community."""
    if community_ids is None:
        community_ids = searchable_community_ids(
            viewer=viewer, community=community, include_archived=include_archived
        )
    return [
        (
            t,
            t.search(
                viewer=viewer,
                query=query,
                community=community,
                include_archived=include_archived,
                offset=0,
                limit=per_type,
                community_ids=community_ids,
            ),
        )
        for t in TYPES
    ]
