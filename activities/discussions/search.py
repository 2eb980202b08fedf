"""Search answered by the discussions: discussions and replies in communities the reader may see.

Hidden and deleted posts never appear; archived communities only when asked for."""

from collections.abc import Collection

from activities.discussions.models import Discussion, Reply
from communities.models import Community
from communities.search import in_communities
from core.search_support import (
    Hit,
    Query,
    Results,
    ranked,
    ranked_page,
    snippet,
    with_headline,
)
from members.models import User


def search_discussions(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
    community_ids: Collection[int] | None = None,
) -> Results:
    discussions = Discussion.objects.filter(
        in_communities(
            "community_id",
            community_ids,
            viewer=viewer,
            community=community,
            include_archived=include_archived,
        ),
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )
    total, capped, page = ranked_page(
        ranked(discussions, query, plain_fields={"title": 2, "body": 1}),
        rows=with_headline(Discussion.objects.select_related("community"), query, field_name="body"),
        order_by=("-rank", "-pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind="discussion",
            title=d.title,
            url=d.get_absolute_url(),
            snippet=snippet(d, query, field_name="body"),
            context=d.community.name,
            at=d.created_at,
        )
        for d in page
    ]
    return Results(kind="discussions", total=total, hits=hits, capped=capped)


def search_replies(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
    community_ids: Collection[int] | None = None,
) -> Results:
    replies = Reply.objects.filter(
        in_communities(
            "discussion__community_id",
            community_ids,
            viewer=viewer,
            community=community,
            include_archived=include_archived,
        ),
        hidden_at__isnull=True,
        deleted_at__isnull=True,
        discussion__hidden_at__isnull=True,
    )
    total, capped, page = ranked_page(
        ranked(replies, query, plain_fields={"body": 1}),
        rows=with_headline(Reply.objects.select_related("discussion__community"), query, field_name="body"),
        order_by=("-rank", "-pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind="reply",
            title=f"Reply in “{r.discussion.title}”",
            url=r.get_absolute_url(),
            snippet=snippet(r, query, field_name="body"),
            context=r.discussion.community.name,
            at=r.created_at,
        )
        for r in page
    ]
    return Results(kind="replies", total=total, hits=hits, capped=capped)
