"""Search answered by activities: activities, discussions and replies in communities the reader may see.

Hidden and deleted posts never appear; archived communities only when asked for."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from activities.models import Activity, Discussion, Occurrence, Reply
from communities.access import visible_communities_q
from communities.models import Community
from members.models import User
from members.search_support import Hit, Query, Results, headlines, ranked, ranked_page


def _communities(viewer: User, community: Community | None, include_archived: bool) -> QuerySet[Community]:
    communities = Community.objects.filter(visible_communities_q(viewer))
    if not include_archived:
        communities = communities.filter(archived_at__isnull=True)
    if community is not None:
        communities = communities.filter(pk=community.pk)
    return communities.values("pk")


def search_activities(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
) -> Results:
    activities = Activity.objects.filter(community_id__in=_communities(viewer, community, include_archived))
    matches = ranked(activities, query, plain_fields={"title": 2, "description": 1})
    total = matches.count()
    first_date = Occurrence.objects.filter(activity=OuterRef("pk")).order_by("start").values("pk")[:1]
    page = list(
        matches.select_related("community")
        .annotate(first_occurrence=Subquery(first_date))
        .order_by("-rank", "-pk")[offset : offset + limit]
    )
    snippets = headlines(Activity, [a.pk for a in page], query, field_name="description")
    hits = [
        Hit(
            kind="activity",
            title=a.title,
            url=reverse("activities:occurrence", args=[a.community.slug, a.first_occurrence])
            if a.first_occurrence
            else reverse("activities:community_calendar", args=[a.community.slug]),
            snippet=snippets.get(a.pk, ""),
            context=a.community.name,
            at=a.created_at,
        )
        for a in page
    ]
    return Results(kind="activities", total=total, hits=hits)


def search_discussions(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
) -> Results:
    discussions = Discussion.objects.filter(
        community_id__in=_communities(viewer, community, include_archived),
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )
    matches = ranked(discussions, query, plain_fields={"title": 2, "body": 1}).select_related(
        "community", "author"
    )
    total, capped, page = ranked_page(matches, order_by=("-rank", "-pk"), offset=offset, limit=limit)
    snippets = headlines(Discussion, [d.pk for d in page], query, field_name="body")
    hits = [
        Hit(
            kind="discussion",
            title=d.title,
            url=d.get_absolute_url(),
            snippet=snippets.get(d.pk, ""),
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
) -> Results:
    replies = Reply.objects.filter(
        discussion__community_id__in=_communities(viewer, community, include_archived),
        hidden_at__isnull=True,
        deleted_at__isnull=True,
        discussion__hidden_at__isnull=True,
    )
    matches = ranked(replies, query, plain_fields={"body": 1}).select_related(
        "discussion__community", "author"
    )
    total, capped, page = ranked_page(matches, order_by=("-rank", "-pk"), offset=offset, limit=limit)
    snippets = headlines(Reply, [r.pk for r in page], query, field_name="body")
    hits = [
        Hit(
            kind="reply",
            title=f"Reply in “{r.discussion.title}”",
            url=r.get_absolute_url(),
            snippet=snippets.get(r.pk, ""),
            context=r.discussion.community.name,
            at=r.created_at,
        )
        for r in page
    ]
    return Results(kind="replies", total=total, hits=hits, capped=capped)
