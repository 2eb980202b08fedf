"""The repertoire's plain search: what the reader may see, every word matched, title matches first."""

import pytest

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
