"""The repertoire's answer to a search: the resources a reader may see that match, best first.

On PostgreSQL: full-text search on the trigger-filled `search_vector` (title above summary and tags above body,
English stemming, GIN index; migration 0003's triggers follow tag changes), ranked by `ts_rank`. On the embedded
SQLite default: a plain case-insensitive match on title, summary, body and tags, title matches first. Drafts
appear only to their authors and the community's coordinators; archived communities only when asked for.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

from communities.models import Community
from communities.search import COMMUNITIES_VERSION, Scope
from core import fragments, versions
from core.search_support import (
    CONFIG,
    Hit,
    Results,
    among,
    clean_query,
    full_text,
    kept,
    merged,
    ranked_page,
    snippet,
    with_headline,
)
from core.search_support import Query as CleanQuery
from members.models import User
from members.search import TAGS_VERSION
from repertoire.models import Resource
from repertoire.selectors import TAGS


def _matching(resources: QuerySet[Resource], query: CleanQuery) -> QuerySet[Resource]:
    if full_text():
        search = SearchQuery(query.text, search_type="websearch", config=CONFIG)
        return resources.filter(search_vector=search).annotate(
            search_rank=SearchRank(F("search_vector"), search)
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
    resources = Resource.objects.visible_to(viewer)
    if community is not None:
        resources = resources.filter(community=community)
    if not include_archived:
        resources = resources.in_current()
    if not cleaned.is_searchable:
        return resources.none()
    return _matching(resources, cleaned).order_by("-search_rank", "-created_at", "-pk")


# A core.versions name bumped by every resource's save or deletion and by changes of its tags, authors and files
# (repertoire.apps).
RESOURCES_VERSION = "search:resources"


def search_resource_hits(scope: Scope, query: CleanQuery, *, offset: int = 0, limit: int = 5) -> Results:
    """The site-wide search's "Resources" group: a count, one page, and snippets for that page only. Within the
    communities searched (`scope`, already those the viewer may see), others' drafts stay out.

    What everyone searching the same communities finds, drafts left out, is kept in the cache (`_published_hits`);
    the drafts the viewer may see there (`drafts_seen_by`), when there are any, are searched among themselves
    (`_draft_hits`, kept for whoever sees the same drafts) and merged in rank order (`merged`)."""
    if scope.community_ids is None or not query.is_searchable:
        return _resource_hits(scope, query, offset=offset, limit=limit, viewer=scope.viewer)
    searched = set(scope.community_ids)
    seen = [pk for pk, community_id in drafts_seen_by(scope.viewer) if community_id in searched]
    drafts = seen and _draft_hits(scope, query, seen, limit=offset + limit)
    if not drafts or not drafts.total:
        return _published_hits(scope, query, offset=offset, limit=limit)
    published = _published_hits(scope, query, offset=0, limit=offset + limit)
    return merged(published, drafts, offset=offset, limit=limit)


def drafts_seen_by(viewer: User) -> list[tuple[int, int]]:
    """The drafts `viewer` may see (`ResourceQuerySet.not_others_drafts`: theirs, and those of the communities they
    coordinate), as (pk, community id): few, kept for the viewer under the resources' version (a draft's status,
    its authors) and the memberships' (who coordinates)."""
    from communities.selectors import MEMBERSHIPS_VERSION

    def read() -> list[tuple[int, int]]:
        drafts = Resource.objects.filter(status=Resource.Status.DRAFT).not_others_drafts(viewer)
        return list(drafts.order_by().values_list("pk", "community_id"))

    version = versions.current(RESOURCES_VERSION, MEMBERSHIPS_VERSION)
    return fragments.kept("drafts-seen", viewer.pk, version, read)


def _draft_hits(scope: Scope, query: CleanQuery, drafts: list[int], *, limit: int) -> Results:
    """The first `limit` of `drafts` (ids of drafts a viewer may see) that match `query`: kept for everyone who
    sees the same drafts, under the versions of the resources, tags and communities (what a hit shows)."""
    version = versions.current(RESOURCES_VERSION, TAGS_VERSION, COMMUNITIES_VERSION)
    where = fragments.digest((sorted(drafts), query.text, limit))
    return fragments.kept(
        "draft-hits",
        where,
        version,
        lambda: _resource_hits(scope, query, offset=0, limit=limit, viewer=scope.viewer, drafts=drafts),
    )


def _resource_hits(
    scope: Scope,
    query: CleanQuery,
    *,
    offset: int,
    limit: int,
    viewer: User | None,
    drafts: list[int] | None = None,
) -> Results:
    """The group's results, with the drafts `viewer` may see; with no viewer, with no draft; `drafts` (drafts the
    viewer may see, from `drafts_seen_by`): among those alone."""
    if query.is_searchable and drafts is not None:
        resources = _matching(Resource.objects.filter(among("pk", drafts)), query)
    elif query.is_searchable:
        searched = Resource.objects.filter(scope.holds("community_id"))
        if viewer is None:
            searched = searched.exclude(status=Resource.Status.DRAFT)
        else:
            searched = searched.not_others_drafts(viewer)
        resources = _matching(searched, query)
    else:
        resources = Resource.objects.none()
    total, capped, page = ranked_page(
        resources,
        rows=with_headline(
            Resource.objects.select_related("community").only(
                "title", "kind", "created_at", "body", "community__slug", "community__name"
            ),
            query,
            field_name="body",
        ),
        order_by=("-search_rank", "-created_at", "-pk"),
        offset=offset,
        limit=limit,
    )
    hits = [
        Hit(
            kind="resource",
            title=r.title,
            url=r.get_absolute_url(),
            snippet=snippet(r, query, field_name="body"),
            context=f"{r.get_kind_display()} · {r.community.name}",
            at=r.created_at,
            extra={"order_key": r.order_key},
        )
        for r in page
    ]
    return Results(kind="resources", total=total, hits=hits, capped=capped)


@kept("resources", [RESOURCES_VERSION, TAGS_VERSION, COMMUNITIES_VERSION])
def _published_hits(scope: Scope, query: CleanQuery, *, offset: int, limit: int) -> Results:
    """What everyone who may see no draft there finds in the communities searched."""
    return _resource_hits(scope, query, offset=offset, limit=limit, viewer=None)
