"""insights.value: the five cycles of value per community and period, their figures and their example stories
(the top three of each, per community), local-day periods, and a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from activities.models import Activity, Discussion, Occurrence, Rsvp
from communities.models import Community, MembershipEvent, Participation
from insights.value import EXAMPLES, Period, last_days, value_matrix
from repertoire.models import Application, Resource
from tests.factories import CommunityFactory, UserFactory, ValueStoryFactory

pytestmark = pytest.mark.django_db

MAY = Period(first_day=date(2026, 5, 1), last_day=date(2026, 5, 31))
Kind = Participation.Kind
Event = MembershipEvent.Kind


def may(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


APRIL_30_LATE = datetime(2026, 4, 30, 23, 59, tzinfo=UTC)
JUNE_1 = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def occurrence(
    community: Community, start: datetime, *, attended: int, cancelled: bool = False
) -> Occurrence:
    activity = Activity.objects.create(
        community=community, title=f"Session of {start:%d %B}", time_zone="UTC"
    )
    held = Occurrence.objects.create(
        activity=activity,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
        cancelled=cancelled,
    )
    for n in range(attended + 1):  # one more person answered going but did not come
        Rsvp.objects.create(
            occurrence=held, user=UserFactory(), answer="going", answered_at=start, attended=n < attended
        )
    return held


def resource(community: Community, title: str, created: datetime, *, applied: int = 0, status="published"):
    return Resource.objects.create(
        community=community,
        kind="lesson",
        title=title,
        status=status,
        created_at=created,
        updated_at=created,
        applied_count=applied,
    )


def ledger(community: Community, user, kind: str, at: datetime, times: int = 1) -> None:
    for _ in range(times):
        Participation.objects.create(community=community, user=user, kind=kind, at=at)


def cycles(matrix, community: Community) -> dict:
    return {cycle.key: cycle for cycle in matrix[community.pk]}


@pytest.fixture
def guild():
    """May in a busy community, with rows just outside the month that must not count."""
    guild = CommunityFactory(name="Guild", slug="guild")
    # Activities: four held (ties on attendance go to the later one), one cancelled, one in April.
    occurrence(guild, may(10), attended=3)
    occurrence(guild, may(20), attended=1)
    occurrence(guild, may(25), attended=3)
    occurrence(guild, may(5), attended=0)
    occurrence(guild, may(15), attended=5, cancelled=True)
    occurrence(guild, APRIL_30_LATE, attended=9)
    # The ledger: three people took part, a fourth only joined.
    p1, p2, p3, p4 = (UserFactory() for _ in range(4))
    ledger(guild, p1, Kind.ATTENDED, may(10), 2)
    ledger(guild, p1, Kind.POSTED, may(11))
    ledger(guild, p2, Kind.ATTENDED, may(20), 2)
    ledger(guild, p2, Kind.REPLIED, may(21), 3)
    ledger(guild, p3, Kind.RESOURCE_ADDED, may(3), 2)
    ledger(guild, p3, Kind.APPLIED, may(12))
    ledger(guild, p3, Kind.POSTED, may(31, 23))
    ledger(guild, p4, Kind.JOINED, may(2))
    ledger(guild, p4, Kind.POSTED, JUNE_1)
    ledger(guild, p4, Kind.REPLIED, APRIL_30_LATE)
    # Discussions: three started in May (two answered, one solved), one in April.
    for answered, solved in [(may(12), may(13)), (may(14), None), (None, None)]:
        Discussion.objects.create(
            community=guild,
            author=p1,
            title="Q",
            body="?",
            created_at=may(11),
            last_activity_at=may(11),
            first_answer_at=answered,
            solved_at=solved,
        )
    Discussion.objects.create(
        community=guild,
        author=p1,
        title="Old",
        body="?",
        created_at=APRIL_30_LATE,
        last_activity_at=APRIL_30_LATE,
        first_answer_at=may(1),
    )
    # Membership history: three ways in, one promotion.
    for kind in (Event.JOINED, Event.JOINED, Event.APPROVED):
        MembershipEvent.objects.create(community=guild, user=UserFactory(), kind=kind, at=may(2))
    MembershipEvent.objects.create(
        community=guild,
        user=p1,
        kind=Event.LEVEL_CHANGED,
        at=may(9),
        from_value="peripheral",
        to_value="core",
    )
    # Resources: ordered by how often they were applied, then the newest.
    most = resource(guild, "Most applied", may(3), applied=5)
    resource(guild, "Applied twice, older", may(4), applied=2)
    resource(guild, "Applied twice, newer", may(6), applied=2)
    resource(guild, "Never applied", may(7))
    resource(guild, "A draft", may(8), applied=9, status="draft")
    resource(guild, "Archived", may(8), applied=9, status="archived")
    resource(guild, "From April", APRIL_30_LATE, applied=9)
    # "I applied this": the latest three of May.
    for day, name in [(10, "Ada"), (11, "Bo"), (12, "Cy"), (13, "Di")]:
        Application.objects.create(
            resource=most, user=UserFactory(full_name=name), story=f"{name} used it.", created_at=may(day)
        )
    Application.objects.create(resource=most, user=UserFactory(), story="Before.", created_at=APRIL_30_LATE)
    # Stories recorded by coordinators and sponsors.
    for day in (2, 9, 16, 23):
        ValueStoryFactory(
            community=guild, cycle="realized", title=f"Realized {day}", happened_on=date(2026, 5, day)
        )
    ValueStoryFactory(community=guild, cycle="realized", title="June", happened_on=date(2026, 6, 1))
    ValueStoryFactory(community=guild, cycle="realized", title="April", happened_on=date(2026, 4, 30))
    ValueStoryFactory(
        community=guild,
        cycle="reframing",
        title="New goals",
        happened_on=date(2026, 5, 20),
        evidence="Minutes.",
    )
    return guild


def test_the_five_cycles_in_order_with_their_questions(guild):
    matrix = value_matrix([guild.pk], MAY)[guild.pk]
    assert [(c.key, c.name) for c in matrix] == [
        ("immediate", "Immediate value"),
        ("potential", "Potential value"),
        ("applied", "Applied value"),
        ("realized", "Realized value"),
        ("reframing", "Reframing value"),
    ]
    assert all(c.question.endswith(".") for c in matrix)


def test_figures_of_each_cycle_count_the_period_only(guild):
    found = cycles(value_matrix([guild.pk], MAY), guild)
    assert found["immediate"].figures == [
        ("Activities held", 4),
        ("Attendances", 4),
        ("Discussions started", 2),
        ("Replies", 3),
        ("People who took part", 3),
    ]
    assert found["potential"].figures == [
        ("Resources added", 2),
        ("Discussions answered", 2),
        ("Discussions solved", 1),
        ("New members", 3),
        ("Moved into the active level or core group", 1),
    ]
    assert found["applied"].figures == [("“I applied this” stories", 1)]
    assert found["realized"].figures == [("Stories recorded", 4)]
    assert found["reframing"].figures == [("Stories recorded", 1)]


def test_immediate_examples_are_the_three_best_attended_activities(guild):
    examples = cycles(value_matrix([guild.pk], MAY), guild)["immediate"].examples
    assert [(e.title, e.detail, e.at) for e in examples] == [
        ("Session of 25 May", "3 attended", may(25)),
        ("Session of 10 May", "3 attended", may(10)),
        ("Session of 20 May", "1 attended", may(20)),
    ]
    held = Occurrence.objects.get(start=may(25))
    assert examples[0].url == held.get_absolute_url()


def test_potential_examples_are_the_most_applied_published_resources_of_the_period(guild):
    examples = cycles(value_matrix([guild.pk], MAY), guild)["potential"].examples
    assert [(e.title, e.detail) for e in examples] == [
        ("Most applied", "Lesson learned"),
        ("Applied twice, newer", "Lesson learned"),
        ("Applied twice, older", "Lesson learned"),
    ]
    assert examples[0].url == Resource.objects.get(title="Most applied").get_absolute_url()


def test_applied_examples_are_the_latest_three_stories_with_who_told_them(guild):
    examples = cycles(value_matrix([guild.pk], MAY), guild)["applied"].examples
    assert [(e.title, e.detail, e.at) for e in examples] == [
        ("Most applied", "Di: Di used it.", may(13)),
        ("Most applied", "Cy: Cy used it.", may(12)),
        ("Most applied", "Bo: Bo used it.", may(11)),
    ]


def test_realized_and_reframing_examples_are_the_latest_three_stories_of_each_cycle(guild):
    found = cycles(value_matrix([guild.pk], MAY), guild)
    assert [(e.title, e.at) for e in found["realized"].examples] == [
        ("Realized 23", date(2026, 5, 23)),
        ("Realized 16", date(2026, 5, 16)),
        ("Realized 9", date(2026, 5, 9)),
    ]
    (reframing,) = found["reframing"].examples
    assert (reframing.title, reframing.evidence, reframing.detail) == (
        "New goals",
        "Minutes.",
        "Fewer repeat incidents after we shared the runbook.",
    )
    assert reframing.pk is not None


def test_each_community_gets_its_own_top_three(guild):
    other = CommunityFactory()
    occurrence(other, may(3), attended=1)
    resource(other, "Other's resource", may(3))
    ValueStoryFactory(community=other, cycle="realized", title="Other's story", happened_on=date(2026, 5, 3))
    matrix = value_matrix([guild.pk, other.pk], MAY)
    mine, theirs = cycles(matrix, guild), cycles(matrix, other)
    assert [len(mine[key].examples) for key in mine] == [EXAMPLES, EXAMPLES, EXAMPLES, EXAMPLES, 1]
    assert [[e.title for e in theirs[key].examples] for key in theirs] == [
        ["Session of 03 May"],
        ["Other's resource"],
        [],
        ["Other's story"],
        [],
    ]
    assert theirs["immediate"].figures[0] == ("Activities held", 1)


def test_a_community_with_nothing_in_the_period_has_zeros_and_no_examples(guild):
    june = Period(first_day=date(2026, 6, 2), last_day=date(2026, 6, 30))
    quiet = CommunityFactory()
    matrix = value_matrix([guild.pk, quiet.pk], june)
    for community in (guild, quiet):
        for cycle in matrix[community.pk]:
            assert all(n == 0 for _label, n in cycle.figures), (community, cycle.key)
            assert cycle.examples == []


def test_a_period_runs_from_midnight_to_midnight_in_the_organizations_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    assert (MAY.since, MAY.until) == (
        datetime(2026, 5, 1, tzinfo=berlin),
        datetime(2026, 6, 1, tzinfo=berlin),
    )
    guild = CommunityFactory()
    ledger(
        guild, UserFactory(), Kind.POSTED, datetime(2026, 4, 30, 22, 30, tzinfo=UTC)
    )  # 00:30 on 1 May there
    ledger(guild, UserFactory(), Kind.POSTED, datetime(2026, 5, 31, 22, 30, tzinfo=UTC))  # 00:30 on 1 June
    immediate = cycles(value_matrix([guild.pk], MAY), guild)["immediate"]
    assert immediate.figures[2] == ("Discussions started", 1)


def test_period_label_and_the_last_n_days():
    assert MAY.label == "1 May 2026 to 31 May 2026"
    assert last_days(30, today=date(2026, 5, 31)) == Period(date(2026, 5, 2), date(2026, 5, 31))
    assert last_days(1, today=date(2026, 5, 31)) == Period(date(2026, 5, 31), date(2026, 5, 31))


@pytest.mark.parametrize("size", [1, 5])
def test_the_matrix_takes_ten_queries_for_any_number_of_communities(django_assert_num_queries, size):
    """5 window figures, 1 top activities, 1 top resources, 1 latest applications, 1 story counts, 1 top stories;
    every example's link is built from rows already loaded."""
    ids = []
    for n in range(size):
        community = CommunityFactory()
        occurrence(community, may(3), attended=1)
        applied = resource(community, f"Resource {n}", may(3), applied=1)
        Application.objects.create(resource=applied, user=UserFactory(), story="Yes.", created_at=may(4))
        ValueStoryFactory(community=community, cycle="realized", happened_on=date(2026, 5, 5))
        ids.append(community.pk)
    with django_assert_num_queries(10):
        matrix = value_matrix(ids, MAY)
        urls = [e.url for pk in ids for cycle in matrix[pk] for e in cycle.examples]
    assert len(urls) == 4 * size and all(urls[:3])
