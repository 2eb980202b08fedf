"""Search answered by the discussions: discussions and replies in communities the reader may see.

Hidden and deleted posts never appear (nor replies in a hidden discussion); archived communities only when asked
for."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models import QuerySet

from activities.discussions.models import Discussion, Reply
from communities.models import Community
from communities.search import COMMUNITIES_VERSION, Scope
from core.search_support import Hit, Query, Results, kept, ranked, ranked_page, snippet, with_headline

# core.versions names bumped by every discussion's and every reply's save or deletion (activities.apps).
DISCUSSIONS_VERSION, REPLIES_VERSION = "search:discussions", "search:replies"


@dataclass(frozen=True)
class _Posts:
    """What searching discussions and searching replies differ in."""

    kind: str  # of one hit
    group: str  # of the results
    shown: Callable[[], QuerySet]  # the posts everyone who reads the thread sees
    community_field: str
    plain_fields: dict[str, int]
    related: str  # what a hit shows beside the post: its community
    shows: tuple[str, ...]  # the columns a hit reads (the body for SQLite's snippet; PostgreSQL's headline)
    title: Callable[[Discussion | Reply], str]
    community: Callable[[Discussion | Reply], Community]


def _search(posts: _Posts, scope: Scope, query: Query, *, offset: int = 0, limit: int = 5) -> Results:
    where = scope.holds(posts.community_field)
    matches = posts.shown().filter(where)
    total, capped, page = ranked_page(
        ranked(matches, query, plain_fields=posts.plain_fields),
        rows=with_headline(
            matches.model.objects.select_related(posts.related).only(*posts.shows), query, field_name="body"
        ),
        order_by=("-rank", "-pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind=posts.kind,
            title=posts.title(post),
            url=post.get_absolute_url(),
            snippet=snippet(post, query, field_name="body"),
            context=posts.community(post).name,
            at=post.created_at,
        )
        for post in page
    ]
    return Results(kind=posts.group, total=total, hits=hits, capped=capped)


DISCUSSIONS = _Posts(
    kind="discussion",
    group="discussions",
    shown=lambda: Discussion.objects.shown(),
    community_field="community_id",
    plain_fields={"title": 2, "body": 1},
    related="community",
    shows=("title", "body", "created_at", "community__slug", "community__name"),
    title=lambda discussion: discussion.title,
    community=lambda discussion: discussion.community,
)
REPLIES = _Posts(
    kind="reply",
    group="replies",
    shown=lambda: Reply.objects.shown().in_discussions_not_hidden(),
    community_field="discussion__community_id",
    plain_fields={"body": 1},
    related="discussion__community",
    shows=(
        "body",
        "created_at",
        "discussion__title",
        "discussion__community__slug",
        "discussion__community__name",
    ),
    title=lambda reply: f"Reply in “{reply.discussion.title}”",
    community=lambda reply: reply.discussion.community,
)

search_discussions = kept("discussions", [DISCUSSIONS_VERSION, COMMUNITIES_VERSION])(
    partial(_search, DISCUSSIONS)
)
# A reply's hit shows its discussion's title, and a hidden discussion hides its replies.
search_replies = kept("replies", [REPLIES_VERSION, DISCUSSIONS_VERSION, COMMUNITIES_VERSION])(
    partial(_search, REPLIES)
)
