"""The site-wide search: each app answers for its own content; this module composes them by type."""

from collections.abc import Callable
from dataclasses import dataclass

from activities.calendar.search import search_activities
from activities.discussions.search import search_discussions, search_replies
from communities.search import Scope, search_communities
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


def search_all(scope: Scope, query: Query, *, per_type: int = 5) -> list[tuple[SearchType, Results]]:
    """The first results of every type, with each type's total. The communities searched are found once for the
    page (`copsite.selectors.search_scope`) and handed to every type in the `scope`, rather than every type
    filtering by who may see which community."""
    return [(t, t.search(scope, query, offset=0, limit=per_type)) for t in TYPES]
