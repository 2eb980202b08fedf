"""People search: parts of names, job titles and expertise; every word must match; who is left out; the index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.search_support import clean_query
from members.models import Profile, Tag
from members.search import search_people
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def person(name: str, job_title: str = "", expertise: tuple[str, ...] = ()):
    user = UserFactory(full_name=name)
    Profile.objects.filter(user=user).update(job_title=job_title)
    for tag in expertise:
        user.profile.expertise.add(Tag.objects.get_or_create(name=tag)[0])
    return user


def found(text: str, viewer=None) -> list[str]:
    results = search_people(viewer, clean_query(text), offset=0, limit=20)
    names = [hit.title for hit in results.hits]
    assert results.total == len(names)
    return names


def test_a_part_of_a_name_job_title_or_expertise_is_enough():
    person("Quirina Vandermolen", job_title="Data engineer")
    person("Bo Smith", job_title="Quarterly planner")
    person("Al Jones", expertise=("Quantitative forecasting",))
    person("Cy Other", job_title="Gardener")
    assert found("vandermol") == ["Quirina Vandermolen"]
    assert found("QUIR") == ["Quirina Vandermolen"]
    assert found("quarter") == ["Bo Smith"]
    assert found("titative") == ["Al Jones"]
    assert found("qu") == ["Al Jones", "Bo Smith", "Quirina Vandermolen"]


def test_every_word_must_match_the_name_job_title_or_an_expertise():
    person("Quirina Vandermolen", job_title="Data engineer", expertise=("Kaizen",))
    person("Quentin Vandermolen", job_title="Baker")
    person("Kai Zenith", job_title="Data steward")
    assert found("vandermolen kaizen") == ["Quirina Vandermolen"]
    assert found("vandermolen data") == ["Quirina Vandermolen"]
    assert found("vandermolen") == ["Quentin Vandermolen", "Quirina Vandermolen"]
    assert found("data zenith") == ["Kai Zenith"]
    assert found("vandermolen gardening") == []


def test_directory_opt_outs_and_inactive_people_are_left_out():
    person("Quirina Listed")
    hidden = person("Quirina Hidden")
    Profile.objects.filter(user=hidden).update(in_directory=False)
    gone = person("Quirina Gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert found("quirina") == ["Quirina Listed"]


def test_pages_and_totals():
    for n in range(7):
        person(f"Quirina {n}")
    first = search_people(None, clean_query("quirina"), offset=0, limit=5)
    second = search_people(None, clean_query("quirina"), offset=5, limit=5)
    past = search_people(None, clean_query("quirina"), offset=10, limit=5)
    assert (first.total, len(first.hits)) == (7, 5)
    assert (second.total, [hit.title for hit in second.hits]) == (7, ["Quirina 5", "Quirina 6"])
    assert (past.total, past.hits) == (7, [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_query_plan_uses_the_trigram_indexes():
    for n in range(200):
        person(f"Name{n:03}x", job_title=f"Title{n:03}t", expertise=(f"Skill{n % 40:03}s",))
    with connection.cursor() as cursor:
        for table in ("members_user", "members_profile", "members_tag"):
            cursor.execute(f"ANALYZE {table}")
        # On tiny tables reading every row is cheaper; forbid it to prove the indexes match the LIKE.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        with CaptureQueriesContext(connection) as captured:
            search_people(None, clean_query("name042x"), offset=0, limit=5)
        cursor.execute("EXPLAIN " + captured.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("members_user_full_name_trgm", "members_profile_job_title_trgm", "members_tag_name_trgm"):
        assert index in plan, plan
