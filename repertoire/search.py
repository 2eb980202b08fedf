"""The repertoire's answer to a search: the resources a reader may see that match, best first.

On PostgreSQL: full-text search on the trigger-filled `search_vector` (title above summary above body, English
stemming, GIN index), or a tag holding every word; ranked by `ts_rank`. On the embedded SQLite default: a plain
case-insensitive match on title, summary, body and tags, title matches first. Drafts appear only to their authors
and the community's coordinators; archived communities only when asked for.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value, When

from communities.models import Community
from members.models import User
from members.search_support import CONFIG, Hit, Results, clean_query, full_text, headlines, ranked_page
from members.search_support import Query as CleanQuery
from repertoire.models import Resource
from repertoire.selectors import TAGS, visible_resources_q


def _all_words_in_tags(words: tuple[str, ...]) -> Q:
    """Resources with a tag holding each word, as `pk IN (…)` sets PostgreSQL hashes once (not a subquery per row)."""
    condition = Q()
    for word in words:
        condition &= Q(pk__in=TAGS.objects.filter(tag__name__icontains=word).values("resource_id"))
    return condition


def _matching(resources: QuerySet[Resource], query: CleanQuery) -> QuerySet[Resource]:
    if full_text():
        search = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        return resources.filter(Q(search_vector=search) | _all_words_in_tags(query.words)).annotate(
            search_rank=Case(
                When(search_vector=search, then=SearchRank(F("search_vector"), search)),
                default=Value(0.01),
                output_field=FloatField(),
            )
        )
    for word in query.words:
        tagged = TAGS.objects.filter(resource=OuterRef("pk"), tag__name__icontains=word)
        resources = resources.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(Exists(tagged))
        )
    phrase = " ".join(query.words)
    any_word_in_title = Q()
    for word in query.words:
        any_word_in_title |= Q(title__icontains=word)
    return resources.annotate(
        search_rank=Case(
            When(title__icontains=phrase, then=Value(3)),
            When(any_word_in_title, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def search_resources(
    *, viewer: User, query: str, community: Community | None = None, include_archived: bool = True
) -> QuerySet[Resource]:
    """Resources `viewer` may see matching `query`, best first (then newest)."""
    cleaned = clean_query(query)
    resources = Resource.objects.filter(visible_resources_q(viewer))
    if community is not None:
        resources = resources.filter(community=community)
    if not include_archived:
        resources = resources.filter(community__archived_at__isnull=True)
    if not cleaned.is_searchable:
        return resources.none()
    return _matching(resources, cleaned).order_by("-search_rank", "-created_at", "-pk")


def search_resource_hits(
    *,
    viewer: User,
    query: CleanQuery,
    community: Community | None = None,
    include_archived: bool = False,
    offset: int = 0,
    limit: int = 5,
) -> Results:
    """The site-wide search's "Resources" group: a count, one page, and snippets for that page only."""
    resources = search_resources(
        viewer=viewer, query=query.text, community=community, include_archived=include_archived
    )
    total, capped, page = ranked_page(
        resources.select_related("community"),
        order_by=("-search_rank", "-created_at", "-pk"),
        offset=offset,
        limit=limit,
    )
    snippets = headlines(Resource, [r.pk for r in page], query, field_name="body")
    hits = [
        Hit(
            kind="resource",
            title=r.title,
            url=r.get_absolute_url(),
            snippet=snippets.get(r.pk) or "",
            context=f"{r.get_kind_display()} · {r.community.name}",
            at=r.created_at,
        )
        for r in page
    ]
    return Results(kind="resources", total=total, hits=hits, capped=capped)
