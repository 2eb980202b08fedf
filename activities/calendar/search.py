"""Search answered by the calendar: activities in communities the reader may see (archived communities only
when asked for)."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from activities.calendar.models import Activity, Occurrence
from communities.search import COMMUNITIES_VERSION, Scope
from core.search_support import (
    Hit,
    Query,
    Results,
    counted_page,
    kept,
    ranked,
    snippet,
    with_headline,
)

# A core.versions name bumped by every activity's and date's save or deletion (activities.apps).
ACTIVITIES_VERSION = "search:activities"


@kept("activities", [ACTIVITIES_VERSION, COMMUNITIES_VERSION])
def search_activities(scope: Scope, query: Query, *, offset: int = 0, limit: int = 5) -> Results:
    activities = Activity.objects.filter(scope.holds("community_id"))
    matches = ranked(activities, query, plain_fields={"title": 2, "description": 1})
    first_date = Occurrence.objects.filter(activity=OuterRef("pk")).order_by("start").values("pk")[:1]
    total, page = counted_page(
        with_headline(
            matches.only("title", "created_at", "description", "community__slug", "community__name"),
            query,
            field_name="description",
        )
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
