"""Search answered by members: people by name, job title and expertise (directory opt-outs excluded)."""

from functools import cache
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.search_support import Hit, Query, Results, counted_page, kept, plain_snippet
from members.models import OrgUnit, Profile, Tag, User


class _Person(NamedTuple):
    """What a person's hit shows."""

    pk: int
    full_name: str
    job_title: str
    org_unit: str | None
    expertise: list[str]


def _profiles_matching(word: str) -> QuerySet:
    """The profiles whose person's name, job title or an expertise tag holds `word`: one set PostgreSQL builds from
    three indexed lookups (trigram indexes, members migration 0003), not a condition checked on every member."""
    by_name = Profile.objects.filter(user__full_name__icontains=word).order_by().values("pk")
    by_job_title = Profile.objects.filter(job_title__icontains=word).order_by().values("pk")
    by_expertise = (
        Profile.expertise.through.objects.filter(tag__name__icontains=word).order_by().values("profile_id")
    )
    return by_name.union(by_job_title, by_expertise, all=True)


def _with_expertise(people: QuerySet) -> QuerySet:
    """People with the names of their expertise: one more query for the page (the fallback's path)."""
    return people.prefetch_related("profile__expertise")


@cache
def _people_sql(words: int) -> str:
    """The PostgreSQL statement of `search_people` for a number of words (built once per number of words).

    Raw SQL because this search runs on every search page and the ORM spent more time building and compiling it
    than PostgreSQL spent answering it. Each word is one set of profiles built from three trigram-indexed lookups
    (members migration 0003: the LIKEs below match the indexes' `UPPER(…)` expressions); the count rides on the
    page's rows (`COUNT(*) OVER ()`) and the expertise names are an array PostgreSQL fills for the page only."""
    user, profile = User._meta.db_table, Profile._meta.db_table
    org_unit, tag, expertise = (
        OrgUnit._meta.db_table,
        Tag._meta.db_table,
        Profile.expertise.through._meta.db_table,
    )
    # Table names from the models, values only as parameters.
    matching = (
        f"SELECT mp.id FROM {profile} mp JOIN {user} mu ON mu.id = mp.user_id "  # noqa: S608
        "WHERE UPPER(mu.full_name::text) LIKE UPPER(%s) "
        f"UNION ALL SELECT mp.id FROM {profile} mp WHERE UPPER(mp.job_title::text) LIKE UPPER(%s) "
        f"UNION ALL SELECT me.profile_id FROM {expertise} me JOIN {tag} mt ON mt.id = me.tag_id "
        "WHERE UPPER(mt.name::text) LIKE UPPER(%s)"
    )
    every_word = "".join(f" AND p.id IN ({matching})" for _ in range(words))
    return (
        "SELECT u.id, u.full_name, p.job_title, o.name, "  # noqa: S608
        f"ARRAY(SELECT t.name FROM {expertise} e JOIN {tag} t ON t.id = e.tag_id "
        "WHERE e.profile_id = p.id ORDER BY t.name), COUNT(*) OVER () "
        f"FROM {user} u JOIN {profile} p ON p.user_id = u.id LEFT JOIN {org_unit} o ON o.id = u.org_unit_id "
        f"WHERE u.is_active AND p.in_directory{every_word} "
        "ORDER BY u.full_name, u.id LIMIT %s OFFSET %s"
    )


def _people_page(query: Query, *, offset: int, limit: int) -> tuple[int, list[_Person]]:
    """(total, the page) on PostgreSQL: one query (two for a page past the last one, which carries no count)."""
    patterns = []
    for word in query.words:
        pattern = f"%{connection.ops.prep_for_like_query(word)}%"
        patterns += [pattern, pattern, pattern]
    sql = _people_sql(len(query.words))
    with connection.cursor() as cursor:
        cursor.execute(sql, (*patterns, limit, offset))
        rows = cursor.fetchall()
        if not rows and offset:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS page", (*patterns, None, 0))  # noqa: S608
            return cursor.fetchone()[0], []
    return (rows[0][5] if rows else 0), [_Person(*row[:5]) for row in rows]


def _people_page_fallback(query: Query, *, offset: int, limit: int) -> tuple[int, list[_Person]]:
    """(total, the page) elsewhere (the embedded SQLite default): the same match through the ORM."""
    people = User.objects.filter(is_active=True, profile__in_directory=True)
    for word in query.words:
        people = people.filter(profile__in=_profiles_matching(word))
    total, page = counted_page(
        _with_expertise(
            people.select_related("profile", "org_unit").only(
                "full_name", "profile__job_title", "org_unit__name"
            )
        ),
        order_by=("full_name", "pk"),
        offset=offset,
        limit=limit,
    )
    return total, [
        _Person(
            person.pk,
            person.full_name,
            person.profile.job_title,
            person.org_unit.name if person.org_unit else None,
            [tag.name for tag in person.profile.expertise.all()],
        )
        for person in page
    ]


# A core.versions name bumped by the saves of people, profiles, org units and tags and by changes of a profile's
# expertise (members.apps): everything a person's hit shows or is found by.
PEOPLE_SEARCH_VERSION = "search:people"
# A core.versions name bumped by every tag's save or deletion (members.apps): for what other apps' searches find
# by their tags.
TAGS_VERSION = "search:tags"


@kept("people", [PEOPLE_SEARCH_VERSION], scoped=False)
def search_people(scope: object, query: Query, *, offset: int = 0, limit: int = 5) -> Results:
    """Active people listed in the directory matching every word in their name, job title or expertise: the same
    for every reader, so the search's `scope` (the communities it looks in) does not narrow them.

    Names do not stem, and a part of a word is enough ("kai" finds Kaizen), so this is a plain match on every
    database."""
    page_of = _people_page if connection.vendor == "postgresql" else _people_page_fallback
    total, page = page_of(query, offset=offset, limit=limit)
    hits = []
    for person in page:
        about = " · ".join(
            part for part in [person.job_title, person.org_unit or "", *person.expertise] if part
        )
        hits.append(
            Hit(
                kind="person",
                title=person.full_name,
                url=reverse("members:profile", args=[person.pk]),
                snippet=plain_snippet(about, query.words) if about else mark_safe(escape("")),  # noqa: S308
                context=person.job_title,
            )
        )
    return Results(kind="people", total=total, hits=hits)
