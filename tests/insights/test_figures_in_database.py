"""insights.figures.windows_figures: the figures of several windows in one pass, aggregated by the database.

The figures must be exactly those of the former implementation, which read every occurrence and discussion of
the window into Python and counted there, one window at a time; it is kept here as the reference and both run
on randomized data (timestamps with microseconds, edges of the windows included). The SQLite path (discussions
counted in Python, no ordered-set aggregate there) is held to the same reference.
"""

import itertools
import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Q

import insights.figures
from activities.models import Activity, Discussion, Occurrence
from communities.models import MembershipEvent, Participation
from insights.figures import ENGAGED_LEVELS, LEVELS, Rhythm, rhythms, windows_figures
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WINDOWS = (84, 90, 180)
Kind = Participation.Kind
Event = MembershipEvent.Kind


def reference(community_ids: list[int], *, since: datetime, until: datetime) -> dict[int, dict]:
    """The former window_figures, row by row in Python, as plain dicts of the figures it reported."""
    figures = {
        pk: {
            "held": [],
            "ledger": {},
            "participants": 0,
            "joined": 0,
            "promoted": 0,
            "discussions": 0,
            "answered": 0,
            "solved": 0,
            "hours": [],
        }
        for pk in community_ids
    }
    for community_id, start in (
        Occurrence.objects.filter(
            community_id__in=community_ids, cancelled=False, start__gte=since, start__lt=until
        )
        .order_by("start")
        .values_list("community_id", "start")
    ):
        figures[community_id]["held"].append(start)
    ledger = Participation.objects.filter(community_id__in=community_ids, at__gte=since, at__lt=until)
    for row in ledger.values("community_id", "kind").annotate(n=Count("pk")).order_by():
        figures[row["community_id"]]["ledger"][row["kind"]] = row["n"]
    for row in (
        ledger.exclude(kind=Kind.JOINED).values("community_id").annotate(n=Count("user_id", distinct=True))
    ).order_by():
        figures[row["community_id"]]["participants"] = row["n"]
    for row in (
        MembershipEvent.objects.filter(community_id__in=community_ids, at__gte=since, at__lt=until)
        .values("community_id")
        .annotate(
            joined=Count("pk", filter=Q(kind__in=MembershipEvent.JOINS)),
            promoted=Count(
                "pk",
                filter=Q(kind=Event.LEVEL_CHANGED, to_value__in=ENGAGED_LEVELS)
                & ~Q(from_value__in=ENGAGED_LEVELS),
            ),
        )
        .order_by()
    ):
        figures[row["community_id"]]["joined"] = row["joined"]
        figures[row["community_id"]]["promoted"] = row["promoted"]
    for community_id, created, answered, solved in (
        Discussion.objects.shown()
        .filter(community_id__in=community_ids, created_at__gte=since, created_at__lt=until)
        .values_list("community_id", "created_at", "first_answer_at", "solved_at")
    ):
        figure = figures[community_id]
        figure["discussions"] += 1
        if answered is not None and answered < until:
            figure["answered"] += 1
            figure["hours"].append((answered - created).total_seconds() / 3600)
        if solved is not None and solved < until:
            figure["solved"] += 1
    for figure in figures.values():
        hours = figure.pop("hours")
        figure["median"] = round(statistics.median(hours), 1) if hours else None
        figure["answered_share"] = (
            round(100 * figure["answered"] / figure["discussions"], 1) if figure["discussions"] else None
        )
        figure["solved_share"] = (
            round(100 * figure["solved"] / figure["discussions"], 1) if figure["discussions"] else None
        )
    return figures


def reported(figure) -> dict:
    return {
        "held": figure.held,
        "ledger": figure.ledger,
        "participants": figure.participants,
        "joined": figure.joined,
        "promoted": figure.promoted,
        "discussions": figure.discussions,
        "answered": figure.answered,
        "solved": figure.solved,
        "median": figure.median_first_reply_hours,
        "answered_share": figure.answered_share,
        "solved_share": figure.solved_share,
    }


def moment(rng: random.Random) -> datetime:
    """Anywhere from 200 days before NOW to a week after, sometimes exactly on a window's edge."""
    if rng.random() < 0.1:
        return NOW - timedelta(days=rng.choice((0, *WINDOWS)))
    return NOW - timedelta(days=200) + timedelta(microseconds=rng.randrange(207 * 86_400 * 10**6))


def later(rng: random.Random, start: datetime) -> datetime:
    """A moment after `start`: often whole or half hours (ties and exact middles), otherwise any microsecond."""
    if rng.random() < 0.4:
        return start + timedelta(minutes=30 * rng.randrange(1, 400))
    return start + timedelta(microseconds=rng.randrange(1, 30 * 86_400 * 10**6))


def randomized_communities(rng: random.Random, count: int = 4) -> list[int]:
    people = [UserFactory() for _ in range(6)]
    ids = []
    for _ in range(count):
        community = CommunityFactory()
        ids.append(community.pk)
        activity = Activity.objects.create(community=community, title="Session", time_zone="UTC")
        for sequence in range(rng.randrange(0, 12)):
            start = moment(rng)
            Occurrence.objects.create(
                activity=activity,
                community=community,
                sequence=sequence,
                original_start=NOW + timedelta(days=sequence),  # unique in the series
                start=start,
                end=start + timedelta(hours=1),
                cancelled=rng.random() < 0.2,
            )
        for _ in range(rng.randrange(0, 25)):
            Participation.objects.create(
                community=community, user=rng.choice(people), kind=rng.choice(Kind.values), at=moment(rng)
            )
        for _ in range(rng.randrange(0, 12)):
            MembershipEvent.objects.create(
                community=community,
                user=rng.choice(people),
                kind=rng.choice(Event.values),
                at=moment(rng),
                from_value=rng.choice(LEVELS),
                to_value=rng.choice(LEVELS),
            )
        for _ in range(rng.randrange(0, 20)):
            created = moment(rng)
            answered = later(rng, created) if rng.random() < 0.8 else None
            Discussion.objects.create(
                community=community,
                author=rng.choice(people),
                title="A question",
                body="?",
                created_at=created,
                last_activity_at=created,
                first_answer_at=answered,
                solved_at=later(rng, answered) if answered and rng.random() < 0.5 else None,
                hidden_at=NOW if rng.random() < 0.1 else None,
                deleted_at=NOW if rng.random() < 0.05 else None,
            )
    return ids


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("path", ["database", "python"])
def test_every_window_reports_exactly_what_the_row_by_row_reference_reports(seed, path, monkeypatch):
    """Windows of 84, 90 and 180 days in one call, on PostgreSQL's aggregates and on the SQLite path."""
    if path == "python":
        monkeypatch.setattr(
            insights.figures, "_discussions_in_database", insights.figures._discussions_in_python
        )
    ids = randomized_communities(random.Random(seed))
    sinces = {days: NOW - timedelta(days=days) for days in WINDOWS}
    found = windows_figures(ids, sinces=list(sinces.values()), until=NOW)
    for since in sinces.values():
        expected = reference(ids, since=since, until=NOW)
        assert {pk: reported(found[since][pk]) for pk in ids} == expected


def test_many_medians_match_statistics_median_on_both_paths(monkeypatch):
    """One community with many answered discussions at any microsecond: even and odd counts by window."""
    rng = random.Random(42)
    community = CommunityFactory()
    author = UserFactory()
    for _ in range(101):
        created = moment(rng)
        Discussion.objects.create(
            community=community,
            author=author,
            title="?",
            body="?",
            created_at=created,
            last_activity_at=created,
            first_answer_at=later(rng, created),
        )
    sinces = [NOW - timedelta(days=days) for days in WINDOWS]
    in_database = windows_figures([community.pk], sinces=sinces, until=NOW)
    monkeypatch.setattr(insights.figures, "_discussions_in_database", insights.figures._discussions_in_python)
    in_python = windows_figures([community.pk], sinces=sinces, until=NOW)
    for since in sinces:
        expected = reference([community.pk], since=since, until=NOW)[community.pk]["median"]
        assert expected is not None
        assert in_database[since][community.pk].median_first_reply_hours == expected
        assert in_python[since][community.pk].median_first_reply_hours == expected


def test_one_pass_takes_five_queries_for_any_number_of_windows(django_assert_num_queries):
    """1 occurrences, 2 ledger by kind, 3 participants, 4 joined and promoted, 5 discussions: per window filters
    in each, not a query per window."""
    ids = randomized_communities(random.Random(7), count=2)
    with django_assert_num_queries(5):
        windows_figures(ids, sinces=[NOW - timedelta(days=days) for days in WINDOWS], until=NOW)


def test_participants_can_be_left_out_for_one_query_less(django_assert_num_queries):
    ids = randomized_communities(random.Random(3), count=2)
    sinces = [NOW - timedelta(days=days) for days in WINDOWS]
    with django_assert_num_queries(4):
        without = windows_figures(ids, sinces=sinces, until=NOW, participants=False)
    complete = windows_figures(ids, sinces=sinces, until=NOW)
    for since in sinces:
        for pk in ids:
            assert without[since][pk].participants is None
            assert reported(without[since][pk]) | {"participants": None} == reported(complete[since][pk]) | {
                "participants": None
            }


def reference_rhythm(community_id: int, created: datetime, *, since: datetime, until: datetime) -> Rhythm:
    """The former rhythm check's measure: the moments from the window's opening through each date held to its
    end, and the longest step between two."""
    held = list(
        Occurrence.objects.filter(
            community_id=community_id, cancelled=False, start__gte=since, start__lt=until
        )
        .order_by("start")
        .values_list("start", flat=True)
    )
    moments = [max(since, created), *held, until]
    gap = max((later - earlier for earlier, later in itertools.pairwise(moments)), default=timedelta(0))
    return Rhythm(held=len(held), longest_gap=gap)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("path", ["database", "python"])
def test_rhythms_measure_exactly_what_the_former_check_measured(
    seed, path, monkeypatch, django_assert_num_queries
):
    """Random dates (some cancelled, some outside the window), communities founded before the window, inside it
    (even after some of its dates) and a community without any date; on PostgreSQL and on the SQLite path."""
    if path == "python":
        monkeypatch.setattr(insights.figures, "_gaps_in_database", insights.figures._gaps_in_python)
    rng = random.Random(seed)
    ids = [*randomized_communities(rng, count=5), CommunityFactory().pk]
    for pk in ids:
        inside = NOW - timedelta(seconds=rng.randrange(12 * 7 * 86_400))  # founded within the window
        created = rng.choice([NOW - timedelta(days=400), moment(rng), inside, inside])
        CommunityFactory._meta.model.objects.filter(pk=pk).update(created_at=created)
    since = NOW - timedelta(weeks=12)
    for pk in ids[:-1]:  # denser dates around the window, so its founding and its edges matter
        activity = Activity.objects.create(community_id=pk, title="Rhythm", time_zone="UTC")
        for sequence in range(rng.randrange(0, 7)):
            start = since - timedelta(days=5) + timedelta(microseconds=rng.randrange(94 * 86_400 * 10**6))
            Occurrence.objects.create(
                activity=activity,
                community_id=pk,
                sequence=sequence,
                original_start=NOW + timedelta(days=sequence),
                start=start,
                end=start + timedelta(hours=1),
                cancelled=rng.random() < 0.1,
            )
    opened = dict(CommunityFactory._meta.model.objects.filter(pk__in=ids).values_list("pk", "created_at"))
    with django_assert_num_queries(1):
        found = rhythms(opened, since=since, until=NOW)
    assert found == {pk: reference_rhythm(pk, opened[pk], since=since, until=NOW) for pk in ids}


def test_no_window_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert windows_figures([1], sinces=[], until=NOW) == {}


@pytest.mark.parametrize("seed", range(3))
def test_dates_held_can_be_counted_in_the_database_without_reading_them(seed, django_assert_num_queries):
    """held="count" (the value matrix's "Activities held"): the same number as the dates read, in as many
    queries, with no date in Python; every other figure unchanged."""
    ids = randomized_communities(random.Random(seed))
    sinces = [NOW - timedelta(days=days) for days in WINDOWS]
    with django_assert_num_queries(5):
        counted = windows_figures(ids, sinces=sinces, until=NOW, held="count")
    read = windows_figures(ids, sinces=sinces, until=NOW)
    for since in sinces:
        for pk in ids:
            assert counted[since][pk].held is None
            assert counted[since][pk].held_count == len(read[since][pk].held) == read[since][pk].held_count
            assert reported(counted[since][pk]) | {"held": None} == reported(read[since][pk]) | {"held": None}
    left_out = windows_figures(ids, sinces=sinces, until=NOW, held=False)
    assert all(left_out[since][pk].held_count is None for since in sinces for pk in ids)
