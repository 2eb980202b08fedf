"""Search answered by the calendar: activities in communities the reader may see (archived communities only
when asked for)."""

from collections.abc import Collection

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from activities.calendar.models import Activity, Occurrence
from communities.models import Community
from communities.search import in_communities
from core.search_support import (
    Hit,
    Query,
    Results,
    counted_page,
    ranked,
    snippet,
    with_headline,
)
from members.models import User


def search_activities(
    *,
    viewer: User,
    query: Query,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
    community_ids: Collection[int] | None = None,
) -> Results:
    activities = Activity.objects.filter(
        in_communities(
            "community_id",
            community_ids,
            viewer=viewer,
            community=community,
            include_archived=include_archived,
        )
    )
    matches = ranked(activities, query, plain_fields={"title": 2, "description": 1})
    first_date = Occurrence.objects.filter(activity=OuterRef("pk")).order_by("start").values("pk")[:1]
    total, page = counted_page(
        with_headline(matches, query, field_name="description")
        .select_related("community")
        .annotate(first_occurrence=Subquery(first_date)),
        order_by=("-rank", "-pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind="activity",
            title=a.title,
            url=reverse("activities:occurrence", args=[a.community.slug, a.first_occurrence])
            if a.first_occurrence
            else reverse("activities:community_calendar", args=[a.community.slug]),
            snippet=snippet(a, query, field_name="description"),
            context=a.community.name,
            at=a.created_at,
        )
        for a in page
    ]
    return Results(kind="activities", total=total, hits=hits)
