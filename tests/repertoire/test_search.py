"""The repertoire's search: what the reader may see, every word matched (tags included), title matches first."""

import pytest
from django.db import connection

from repertoire.search import search_resources
from tests.factories import CommunityFactory, UserFactory, member_of
from tests.repertoire.conftest import make_resource

pytestmark = pytest.mark.django_db


def titles(queryset) -> list[str]:
    return list(queryset.values_list("title", flat=True))


def test_title_matches_come_before_body_matches(guild, author, reader):
    make_resource(guild, author, title="Running workshops", body="Plain text")
    make_resource(guild, author, title="Facilitation", body="How to run a workshop well")
    make_resource(guild, author, title="Workshop", body="Short")
    assert titles(search_resources(viewer=reader, query="WORKSHOP")) == [
        "Workshop",
        "Running workshops",
        "Facilitation",
    ]


def test_every_word_must_match_somewhere_including_tags(guild, author, reader):
    make_resource(guild, author, title="Checklist", body="timeline first", tags=["incident reviews"])
    make_resource(guild, author, title="Other", summary="", body="timeline only")
    assert titles(search_resources(viewer=reader, query="timeline incident")) == ["Checklist"]
    assert titles(search_resources(viewer=reader, query="  reviews ")) == ["Checklist"]
    make_resource(guild, author, title="Summary match", summary="about timelines")
    assert "Summary match" in titles(search_resources(viewer=reader, query="timelines"))


@pytest.mark.parametrize("query", ["", "   ", None])
def test_an_empty_query_finds_nothing(guild, author, reader, query):
    make_resource(guild, author)
    assert not search_resources(viewer=reader, query=query).exists()


def test_what_the_reader_may_not_see_never_appears(guild, author, reader, coordinator):
    private = CommunityFactory(visibility="private")
    insider = member_of(private)
    make_resource(private, insider, title="Secret lesson")
    make_resource(guild, author, title="Draft lesson", status="draft")
    make_resource(guild, author, title="Published lesson")
    outsider = UserFactory()
    assert titles(search_resources(viewer=outsider, query="lesson")) == ["Published lesson"]
    assert set(titles(search_resources(viewer=author, query="lesson"))) == {
        "Draft lesson",
        "Published lesson",
    }
    assert set(titles(search_resources(viewer=coordinator, query="lesson"))) == {
        "Draft lesson",
        "Published lesson",
    }
    assert set(titles(search_resources(viewer=insider, query="lesson"))) == {
        "Secret lesson",
        "Published lesson",
    }
    staff = UserFactory(is_staff=True)
    assert set(titles(search_resources(viewer=staff, query="lesson"))) == {
        "Secret lesson",
        "Published lesson",
    }
    assert titles(search_resources(viewer=insider, query="lesson", community=private)) == ["Secret lesson"]


def test_very_long_queries_are_cut_not_refused(guild, author, reader):
    make_resource(guild, author, title="Alpha")
    assert titles(search_resources(viewer=reader, query="alpha " * 500)) == ["Alpha"]


def found(reader, word: str) -> list[str]:
    """What the search finds for `word`; on PostgreSQL also checks the search vector itself holds it."""
    result = titles(search_resources(viewer=reader, query=word))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        from repertoire.models import Resource

        in_vector = Resource.objects.filter(search_vector=SearchQuery(word, config="english"))
        assert sorted(result) == sorted(titles(in_vector))
    return result


def test_a_word_only_in_a_tag_finds_the_resource_and_the_match_follows_its_tags(guild, author, reader):
    """Tags are searchable like the summary (on PostgreSQL through the resource's search vector, refreshed by
    triggers): adding, replacing, renaming and removing tags change what the search finds."""
    from members.models import Tag
    from repertoire import services

    resource = make_resource(guild, author, title="Checklist", body="Plain text", tags=["Zeppelin hangars"])
    make_resource(guild, author, title="Other", body="Plain text", tags=["Airships"])
    assert found(reader, "zeppelin") == ["Checklist"]
    assert titles(search_resources(viewer=reader, query="hangars checklist")) == ["Checklist"]

    def edit(tags: list[str]) -> None:
        services.resource_update(
            actor=author,
            resource=resource,
            title="Checklist",
            kind=resource.kind,
            body="Plain text",
            tags=tags,
        )

    edit(["Blimp moorings"])
    assert found(reader, "zeppelin") == []
    assert found(reader, "blimp") == ["Checklist"]
    Tag.objects.filter(name="Blimp moorings").update(name="Dirigible moorings")
    assert found(reader, "blimp") == []
    assert found(reader, "dirigible") == ["Checklist"]
    resource.tags.clear()
    assert found(reader, "dirigible") == []


def test_tags_added_in_bulk_are_found(guild, author, reader):
    """Bulk inserts into the tags table (as the benchmark seeding does) refresh the resources concerned."""
    from members.models import Tag
    from repertoire.models import Resource

    first = make_resource(guild, author, title="First", body="Plain text")
    second = make_resource(guild, author, title="Second", body="Plain text")
    tag = Tag.objects.create(name="Quarterly zeppelin review")
    Resource.tags.through.objects.bulk_create(
        [Resource.tags.through(resource=first, tag=tag), Resource.tags.through(resource=second, tag=tag)]
    )
    assert sorted(found(reader, "zeppelin")) == ["First", "Second"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_the_resource_search_uses_the_gin_index_alone(guild, author, reader):
    """A tag word is matched by the search vector's GIN index: no second condition over the tags keeps PostgreSQL
    off the index."""
    for n in range(50):
        make_resource(guild, author, title=f"Resource {n}", body=f"body {n}", tags=[f"topic {n}"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE repertoire_resource")
        # On a tiny table reading every row is cheaper; forbid it to prove the index matches the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = search_resources(viewer=reader, query="topic").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "repertoire_resource_search_gin" in plan, plan
    assert "repertoire_resource_tags" not in plan, plan
