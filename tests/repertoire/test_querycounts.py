"""The library pages, a resource's page and its history run the same number of queries whatever the data size.

Each `grow` adds the benchmark set (copsite.demo.seed_scaled, which seeds resources, revisions, stories, files
and collections in the bench communities), more communities, and ten times as many resources in the viewed
community (or versions and stories of the viewed resource) per unit of scale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Tag, User
from repertoire.models import Application, Resource, ResourceFile, Revision
from tests.benchdata import seed_scaled
from tests.factories import CommunityFactory
from tests.querycount import assert_constant_queries
from tests.repertoire.conftest import make_resource, pdf_upload

pytestmark = pytest.mark.django_db


def add_resources(community, authors: list[User], count: int) -> None:
    """`count` published resources in `community` with two tags, an author and a file each."""
    now = timezone.now()
    resources = Resource.objects.bulk_create(
        [
            Resource(
                community=community,
                title=f"Grown resource {n}",
                summary="Grown.",
                body="Grown body.",
                created_at=now - timedelta(minutes=n),
                updated_at=now,
                published_at=now,
                created_by=authors[n % len(authors)],
                applied_count=n % 4,
            )
            for n in range(count)
        ]
    )
    tags = list(Tag.objects.order_by("-pk")[:2])
    Resource.tags.through.objects.bulk_create(
        [Resource.tags.through(resource=r, tag=t) for r in resources for t in tags]
    )
    Resource.authors.through.objects.bulk_create(
        [
            Resource.authors.through(resource=r, user=authors[n % len(authors)])
            for n, r in enumerate(resources)
        ]
    )
    ResourceFile.objects.bulk_create(
        [
            ResourceFile(
                resource=r,
                file="repertoire/bench/sample.pdf",
                name="f.pdf",
                content_type="application/pdf",
                size=10,
                uploaded_at=now,
            )
            for r in resources
        ]
    )


def grow_library(community):
    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        add_resources(community, list(User.objects.order_by("-pk")[:20]), 10 * scale)

    return grow


def grow_resource(resource):
    """The benchmark set, and ten more versions and applied stories of the viewed resource per unit of scale."""

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        now = timezone.now()
        top = resource.revisions.count()
        Revision.objects.bulk_create(
            [
                Revision(
                    resource=resource,
                    number=top + n + 1,
                    kind=resource.kind,
                    title=resource.title,
                    body=f"Body {n}",
                    created_at=now,
                    edited_by=resource.created_by,
                )
                for n in range(10 * scale)
            ]
        )
        taken = set(resource.applications.values_list("user_id", flat=True))
        people = [u for u in User.objects.order_by("-pk")[: 10 * scale + len(taken)] if u.pk not in taken]
        Application.objects.bulk_create(
            [
                Application(resource=resource, user=u, story="Grown story.", created_at=now)
                for u in people[: 10 * scale]
            ]
        )
        Resource.tags.through.objects.bulk_create(
            [
                Resource.tags.through(resource=resource, tag=t)
                for t in Tag.objects.order_by("-pk")[: 2 * scale]
            ],
            ignore_conflicts=True,
        )

    return grow


def test_community_library_query_count_is_constant(client, guild, author):
    """1 the user, 2 the community with "viewer sponsors" and the viewer's membership, 3 count of the matching
    resources, 4 the page of them with their community, file count, tags and authors (arrays on PostgreSQL), 5 the
    tags for the filter, 6 the collections with their sizes."""
    client.force_login(author)
    url = f"/c/{guild.slug}/library/"
    assert_constant_queries(client, url, grow=grow_library(guild), expected=6)


def test_community_library_search_query_count_is_constant(client, guild, author):
    """The same queries when searching and filtering by kind and tag (the filters are part of queries 3 and 4)."""
    client.force_login(author)
    tag = Tag.objects.create(name="grown tag")
    url = f"/c/{guild.slug}/library/?q=grown&kind=practice&tag={tag.slug}&sort=applied"

    def grow(scale):
        grow_library(guild)(scale)
        Resource.tags.through.objects.bulk_create(
            [
                Resource.tags.through(resource=r, tag=tag)
                for r in guild.resources.filter(title__startswith="Grown")
            ],
            ignore_conflicts=True,
        )

    assert_constant_queries(client, url, grow=grow, expected=6)


def test_organization_library_query_count_is_constant(client, guild, author):
    """Seen again, 1 the user: the visible, open communities (the filter's choices and where the resources are
    looked for) are kept for the viewer, the page of resources with what their cards show and their count for
    every reader of the same communities (4 queries when nothing is kept: `cold`)."""
    client.force_login(author)
    assert_constant_queries(client, "/library/", grow=grow_library(guild), expected=1)


def test_organization_library_query_count_is_constant_after_a_change(client, guild, author):
    """With nothing kept (as after a change of the data): 1 the user, 2 the visible, open communities, 3 the
    page of resources with their community, file count, tags and authors (arrays on PostgreSQL), 4 their count."""
    client.force_login(author)
    assert_constant_queries(client, "/library/", grow=grow_library(guild), expected=4, cold=True)


def test_resource_page_query_count_is_constant(client, guild, author, coordinator):
    """1 the user, 2 the community with the viewer's membership, 3 the resource with its community, who
    recommended it, where it was harvested from, the latest version and whether the viewer wrote or applied it,
    4 its tags, 5 its authors, 6 its files, 7 count of its applied stories, 8 the page of them with their
    authors, 9 the community's collections marked with whether they hold it (for coordinators)."""
    resource = make_resource(guild, author, uploads=[pdf_upload()])
    client.force_login(coordinator)
    assert_constant_queries(client, resource.get_absolute_url(), grow=grow_resource(resource), expected=9)


def test_history_query_count_is_constant(client, guild, author):
    """1 the user, 2 the community with the viewer's membership, 3 the resource with its latest version number,
    4 count of its versions, 5 the page of them with who made each, 6 the two versions compared."""
    resource = make_resource(guild, author)
    client.force_login(author)
    url = f"/c/{guild.slug}/library/{resource.pk}/history/"
    assert_constant_queries(client, url, grow=grow_resource(resource), expected=6)
