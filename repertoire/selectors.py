"""Reads for the repertoire: who sees which resource, the library lists, a resource's page, its history, the
collections, the harvest sources and the community home's slot.

Drafts are seen only by their authors and the community's coordinators; everything else follows the community's
own rule (`communities.access`): private communities' resources only for their members, sponsors and staff.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from activities.discussions.models import shown_q
from activities.models import Discussion, Occurrence
from communities.access import CommunityAccess
from communities.models import Community
from communities.selectors import seen_communities
from core.search_support import among
from members.models import Tag, User
from repertoire import rules
from repertoire.models import (
    Application,
    Collection,
    CollectionItem,
    Resource,
    ResourceFile,
    Revision,
)

Status = Resource.Status
SORTS = ("newest", "applied", "title")
STATUS_FILTERS = ("published", "archived", "draft", "all")
TAGS = Resource.tags.through


def library_of(access: CommunityAccess) -> QuerySet[Resource]:
    """One community's resources as the viewer sees them (`Resource.objects.visible_to` within a community whose
    content they see): everything for its coordinators, else all but others' drafts."""
    return Resource.objects.filter(community=access.community).not_others_drafts(
        access.viewer, coordinator=access.is_coordinator
    )


def _file_count() -> Coalesce:
    files = (
        ResourceFile.objects.filter(resource=OuterRef("pk"))
        .order_by()
        .values("resource")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(files, output_field=IntegerField()), 0)


CARD_FIELDS = (
    "pk",
    "community_id",
    "kind",
    "title",
    "summary",
    "status",
    "external_url",
    "created_at",
    "applied_count",
    "recommended_at",
    "community__name",
    "community__slug",
)


class CardTag(NamedTuple):
    slug: str
    name: str


class CardAuthor(NamedTuple):
    full_name: str


def for_cards(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """What a resource card shows: its community, tags (`tag_list`, by name), authors' names (`author_list`, by
    name) and how many files it has; only the columns the card reads (bodies are long). On PostgreSQL the tags
    and authors are arrays the resources' own query fills (`with_card_lists` makes the lists of them); elsewhere
    they are prefetched."""
    resources = resources.select_related("community").only(*CARD_FIELDS).annotate(file_count=_file_count())
    if connection.vendor == "postgresql":
        tags = Tag.objects.filter(resources=OuterRef("pk")).order_by("name")
        authors = User.objects.filter(authored_resources=OuterRef("pk")).order_by("full_name", "pk")
        return resources.annotate(
            tag_slugs=ArraySubquery(tags.values("slug")),
            tag_names=ArraySubquery(tags.values("name")),
            author_names=ArraySubquery(authors.values("full_name")),
        )
    return resources.prefetch_related(
        Prefetch(
            "tags", queryset=Tag.objects.order_by("name").only("pk", "name", "slug"), to_attr="tag_list"
        ),
        Prefetch(
            "authors",
            queryset=User.objects.order_by("full_name", "pk").only("pk", "full_name"),
            to_attr="author_list",
        ),
    )


def with_card_lists(resources: Iterable[Resource]) -> None:
    """Give resources of `for_cards` their `tag_list` and `author_list` (made from the arrays PostgreSQL read; the
    prefetch made them elsewhere)."""
    for resource in resources:
        if hasattr(resource, "tag_names"):
            resource.tag_list = [
                CardTag(slug, name) for slug, name in zip(resource.tag_slugs, resource.tag_names, strict=True)
            ]
            resource.author_list = [CardAuthor(name) for name in resource.author_names]


def _filtered(
    resources: QuerySet[Resource], *, kind: str = "", tag: str = "", sort: str = "", ranked: bool = False
) -> QuerySet[Resource]:
    if kind:
        resources = resources.filter(kind=kind)
    if tag:
        resources = resources.filter(Exists(TAGS.objects.filter(resource=OuterRef("pk"), tag__slug=tag)))
    if sort == "applied":
        return resources.order_by("-applied_count", "-created_at", "-pk")
    if sort == "title":
        return resources.order_by("title", "pk")
    if sort == "newest" or not ranked:
        return resources.order_by("-created_at", "-pk")
    return resources  # the search's own order: title matches first


def community_library(
    *,
    access: CommunityAccess,
    query: str = "",
    kind: str = "",
    tag: str = "",
    status: str = "published",
    sort: str = "",
) -> QuerySet[Resource]:
    """One community's library as the viewer may see it, searched (plainly), filtered and sorted."""
    from repertoire.search import search_resources

    if query:
        resources = search_resources(viewer=access.viewer, query=query, community=access.community)
    else:
        resources = library_of(access)
    if status in (Status.PUBLISHED, Status.ARCHIVED, Status.DRAFT):
        resources = resources.filter(status=status)
    return for_cards(_filtered(resources, kind=kind, tag=tag, sort=sort, ranked=bool(query)))


def organization_library(
    *,
    viewer: User,
    communities: list[tuple[int, str, str]],
    query: str = "",
    kind: str = "",
    tag: str = "",
    community: str = "",
    sort: str = "",
) -> QuerySet[Resource]:
    """Published resources of every community the viewer may see that is not archived: `communities`, from
    `library_communities(viewer)`, narrowed to the one whose slug is `community` when one is chosen."""
    from repertoire.search import search_resources

    if query:
        resources = search_resources(viewer=viewer, query=query).published().in_current()
        if community:
            resources = resources.filter(community__slug=community)
    else:
        # `Resource.objects.visible_to` for published resources: whoever sees their community sees them (the
        # drafts' rule does not apply). On the community ids alone (one array), the count reads only the
        # (community, status) index, and no visibility subquery is compiled twice (count and page).
        ids = [pk for pk, slug, _name in communities if not community or slug == community]
        resources = Resource.objects.published().filter(among("community_id", ids))
    return for_cards(_filtered(resources, kind=kind, tag=tag, sort=sort, ranked=bool(query)))


def library_tags(community: Community) -> QuerySet:
    """The tags a community's published resources carry, as (slug, name): the choices of its library's tag
    filter."""
    used = TAGS.objects.filter(
        tag=OuterRef("pk"), resource__community=community, resource__status=Status.PUBLISHED
    )
    return Tag.objects.filter(Exists(used)).order_by("name").values_list("slug", "name")


def library_communities(viewer: User) -> list[tuple[int, str, str]]:
    """The communities the organization-wide library shows, as (pk, slug, name) by name: those the viewer may see
    that are not archived (its community filter's choices; `communities.selectors.seen_communities`)."""
    return seen_communities(viewer)


def community_collections(community: Community) -> QuerySet[Collection]:
    """A community's collections with how many resources each holds."""
    return Collection.objects.filter(community=community).annotate(size=Count("items")).order_by("title")


# --- One resource ---------------------------------------------------------------------------------------


def _revision_stats(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    latest = Revision.objects.filter(resource=OuterRef("pk")).order_by("-number").values("number")[:1]
    return resources.annotate(latest_version=Coalesce(Subquery(latest), 0))


def resource_for(access: CommunityAccess, pk: int, *, detail: bool = False) -> Resource:
    """One resource of this community that the viewer may see (404 otherwise: elsewhere, or another's draft).

    `detail=True` also loads what its page shows: tags, authors, files, who recommended it, where it was
    harvested from, whether the viewer applied it and how many versions it has."""
    viewer = access.viewer
    resources = Resource.objects.filter(pk=pk, community=access.community).select_related("community")
    resources = _revision_stats(resources.with_viewer_is_author(viewer))
    if detail:
        resources = resources.select_related(
            "recommended_by",
            "source_discussion",
            "source_occurrence__activity",
        ).prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("authors", queryset=User.objects.order_by("full_name")),
            Prefetch("files", queryset=ResourceFile.objects.order_by("name", "pk")),
        )
        resources = resources.annotate(
            viewer_applied=Exists(Application.objects.filter(resource=OuterRef("pk"), user=viewer))
        )
    resource = resources.first()
    if resource is None or not rules.may_see(access, resource):
        raise Http404("No such resource")
    return resource


def file_for(resource: Resource, pk: int) -> ResourceFile:
    """One file of this resource (404 if it belongs to another)."""
    attachment = ResourceFile.objects.filter(pk=pk, resource=resource).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment


def applications_of(resource: Resource) -> QuerySet[Application]:
    """The “I applied this” stories under a resource, newest first."""
    return Application.objects.filter(resource=resource).select_related("user").order_by("-created_at", "-pk")


def collections_with(resource: Resource) -> QuerySet[Collection]:
    """The community's collections by title, each marked with whether it holds this resource."""
    holds = CollectionItem.objects.filter(collection=OuterRef("pk"), resource=resource)
    return (
        Collection.objects.filter(community_id=resource.community_id)
        .annotate(holds=Exists(holds))
        .order_by("title")
    )


# --- History --------------------------------------------------------------------------------------------


def revisions_of(resource: Resource) -> QuerySet[Revision]:
    return Revision.objects.filter(resource=resource).select_related("edited_by").order_by("-number")


def revision_pair(resource: Resource, older: int, newer: int) -> tuple[Revision | None, Revision | None]:
    """Two versions of this resource by number (None for a number it does not have)."""
    found = {r.number: r for r in revisions_of(resource).filter(number__in=[older, newer])}
    return found.get(older), found.get(newer)


# --- Collections ----------------------------------------------------------------------------------------


def collection_for(access: CommunityAccess, pk: int) -> Collection:
    """One collection of this community (404 if it belongs to another)."""
    collection = (
        Collection.objects.filter(pk=pk, community=access.community).select_related("community").first()
    )
    if collection is None:
        raise Http404("No such collection")
    return collection


def collection_items(access: CommunityAccess, collection: Collection) -> QuerySet[CollectionItem]:
    """A collection's resources in order, as the viewer may see them."""
    visible = library_of(access).values("pk")
    return (
        CollectionItem.objects.filter(collection=collection, resource__in=visible)
        .select_related("resource")
        .prefetch_related(Prefetch("resource__tags", queryset=Tag.objects.order_by("name")))
        .order_by("position", "pk")
    )


def addable_resources(collection: Collection) -> QuerySet[Resource]:
    """Published resources of the community that the collection does not hold yet."""
    held = CollectionItem.objects.filter(collection=collection, resource=OuterRef("pk"))
    return (
        Resource.objects.published()
        .filter(community_id=collection.community_id)
        .exclude(Exists(held))
        .order_by("title")
        .only("pk", "title")
    )


# --- Harvest --------------------------------------------------------------------------------------------


def _harvested(**source) -> Subquery:
    return Subquery(Resource.objects.filter(**source).order_by("pk").values("pk")[:1])


def harvestable_discussions(community: Community) -> QuerySet[Discussion]:
    """A community's discussions with a visible accepted answer, newest activity first, each with the resource
    it was harvested into (if any)."""
    return (
        Discussion.objects.shown()
        .filter(shown_q("accepted_reply__"), community=community, accepted_reply__isnull=False)
        .select_related("accepted_reply__author")
        .annotate(harvested_pk=_harvested(source_discussion=OuterRef("pk")))
        .order_by("-last_activity_at", "-pk")
    )


def harvestable_occurrences(community: Community) -> QuerySet[Occurrence]:
    """A community's activity dates with notes, newest first, each with the resource harvested from them."""
    return (
        Occurrence.objects.filter(community=community)
        .exclude(notes="")
        .select_related("activity")
        .annotate(harvested_pk=_harvested(source_occurrence=OuterRef("pk")))
        .order_by("-start", "-pk")
    )


def harvested_from(access: CommunityAccess, **source) -> Resource | None:
    """The resource harvested from `source_discussion=…` or `source_occurrence=…` (the harvest services make at
    most one), with `viewer_is_author`, or None: one query."""
    return (
        Resource.objects.filter(community=access.community, **source)
        .with_viewer_is_author(access.viewer)
        .only("pk", "status", "community_id")
        .order_by("pk")
        .first()
    )


def harvestable_discussion_for(access: CommunityAccess, pk: int) -> Discussion:
    discussion = Discussion.objects.filter(pk=pk, community=access.community).first()
    if discussion is None:
        raise Http404("No such discussion")
    return discussion


def harvestable_occurrence_for(access: CommunityAccess, pk: int) -> Occurrence:
    occurrence = Occurrence.objects.filter(pk=pk, community=access.community).first()
    if occurrence is None:
        raise Http404("No such activity")
    return occurrence


# --- The community home's slot --------------------------------------------------------------------------


@dataclass
class LibraryHighlights:
    latest: list[Resource]
    most_applied: list[Resource]


def library_highlights(community: Community, *, size: int = 3) -> LibraryHighlights:
    """The latest published resources, and the most applied ones (at least once)."""
    published = (
        Resource.objects.published()
        .filter(community=community)
        .only(
            "pk", "title", "kind", "summary", "applied_count", "created_at", "recommended_at", "community_id"
        )
    )
    latest = list(published.order_by("-created_at", "-pk")[:size])
    applied = list(
        published.filter(applied_count__gt=0).order_by("-applied_count", "-created_at", "-pk")[:size]
    )
    for resource in (*latest, *applied):
        resource.community = community
    return LibraryHighlights(latest=latest, most_applied=applied)
