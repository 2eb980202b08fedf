"""insights.figures: members by level and role, active members and org units now; what happened in a window.

Expectations are counted by hand from the rows each test writes (timestamps set exactly, to test the edges of
the 30-day active window and of the [since, until) window), and each function runs the same number of queries
for one community as for five.
"""

from datetime import UTC, datetime, timedelta

import pytest

from activities.models import Activity, Discussion, Occurrence
from communities.models import Community, MembershipEvent, Participation
from insights.figures import (
    ACTIVE_WINDOW,
    LEVELS,
    MemberFigures,
    WindowFigures,
    by_community,
    member_figures,
    window_figures,
)
from tests.factories import CommunityFactory, MembershipFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
Kind = Participation.Kind
Event = MembershipEvent.Kind


def ledger(community: Community, user, kind: str, at: datetime) -> Participation:
    return Participation.objects.create(community=community, user=user, kind=kind, at=at)


def event(community: Community, user, kind: str, at: datetime, *, from_value: str = "", to_value: str = ""):
    return MembershipEvent.objects.create(
        community=community, user=user, kind=kind, at=at, from_value=from_value, to_value=to_value
    )


def occurrence(community: Community, start: datetime, *, cancelled: bool = False) -> Occurrence:
    activity = Activity.objects.create(
        community=community, title=f"Session {start:%d %H:%M}", time_zone="UTC"
    )
    return Occurrence.objects.create(
        activity=activity,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
        cancelled=cancelled,
    )


def discussion(community: Community, created: datetime, *, answered=None, solved=None, **extra) -> Discussion:
    return Discussion.objects.create(
        community=community,
        author=UserFactory(),
        title="A question",
        body="?",
        created_at=created,
        last_activity_at=created,
        first_answer_at=answered,
        solved_at=solved,
        **extra,
    )


# --- member_figures ---------------------------------------------------------------------------------------


def test_members_are_counted_by_level_and_role_and_only_while_active():
    guild = CommunityFactory()
    for level, count in [
        ("core", 2),
        ("active", 3),
        ("occasional", 1),
        ("peripheral", 4),
        ("transactional", 1),
    ]:
        for _ in range(count):
            MembershipFactory(community=guild, level=level)
    MembershipFactory(community=guild, level="core", role="coordinator")
    MembershipFactory(community=guild, level="active", role="coordinator")
    for status in ("requested", "invited", "declined", "left", "removed"):
        MembershipFactory(community=guild, level="core", status=status)
    figures = member_figures([guild.pk], now=NOW)[guild.pk]
    assert figures.levels == {"core": 3, "active": 4, "occasional": 1, "peripheral": 4, "transactional": 1}
    assert (figures.members, figures.coordinators) == (13, 2)
    assert figures.level_parts() == [
        ("Core group", 3, "level-core"),
        ("Active", 4, "level-active"),
        ("Occasional", 1, "level-occasional"),
        ("Peripheral", 4, "level-peripheral"),
        ("Transactional", 1, "level-transactional"),
    ]
    assert LEVELS == ["core", "active", "occasional", "peripheral", "transactional"]


def test_active_members_have_a_ledger_row_other_than_joining_in_the_last_30_days():
    """Counted: a row exactly 30 days ago, three rows of one person (once), any kind but joining. Not counted:
    a row a second too old, joining alone, a member who left, someone who never joined, a row elsewhere."""
    guild, other = CommunityFactory(), CommunityFactory()
    edge, busy, rsvp, old, joiner, _idle = (MembershipFactory(community=guild).user for _ in range(6))
    gone = MembershipFactory(community=guild, status="left").user
    stranger = UserFactory()
    elsewhere = MembershipFactory(community=guild).user
    MembershipFactory(community=other, user=elsewhere)
    ledger(guild, edge, Kind.POSTED, NOW - ACTIVE_WINDOW)
    for hours in (1, 2, 3):
        ledger(guild, busy, Kind.REPLIED, NOW - timedelta(hours=hours))
    ledger(guild, rsvp, Kind.RSVP, NOW - timedelta(days=2))
    ledger(guild, old, Kind.ATTENDED, NOW - ACTIVE_WINDOW - timedelta(seconds=1))
    ledger(guild, joiner, Kind.JOINED, NOW - timedelta(days=1))
    ledger(guild, gone, Kind.APPLIED, NOW - timedelta(days=1))
    ledger(guild, stranger, Kind.RESOURCE_ADDED, NOW - timedelta(days=1))
    ledger(other, elsewhere, Kind.POSTED, NOW - timedelta(days=1))
    figures = member_figures([guild.pk, other.pk], now=NOW)
    assert figures[guild.pk].active_members == 3  # edge, busy, rsvp
    assert figures[guild.pk].members == 7  # six, and the one also active elsewhere; not the one who left
    assert figures[guild.pk].active_share == 42.9
    assert (figures[other.pk].active_members, figures[other.pk].active_share) == (1, 100.0)


def test_org_units_are_the_distinct_units_of_current_members():
    guild = CommunityFactory()
    shared, own, former = OrgUnitFactory(), OrgUnitFactory(), OrgUnitFactory()
    MembershipFactory(community=guild, user=UserFactory(org_unit=shared))
    MembershipFactory(community=guild, user=UserFactory(org_unit=shared))
    MembershipFactory(community=guild, user=UserFactory(org_unit=own))
    MembershipFactory(community=guild, user=UserFactory(org_unit=None))
    MembershipFactory(community=guild, user=UserFactory(org_unit=former), status="left")
    assert member_figures([guild.pk], now=NOW)[guild.pk].org_units == 2


def test_a_member_of_many_communities_counts_in_each():
    communities = [CommunityFactory() for _ in range(3)]
    person = UserFactory()
    for community in communities:
        MembershipFactory(community=community, user=person, level="active")
        ledger(community, person, Kind.POSTED, NOW - timedelta(days=1))
    figures = member_figures([c.pk for c in communities], now=NOW)
    for community in communities:
        assert figures[community.pk].levels["active"] == 1
        assert (figures[community.pk].active_members, figures[community.pk].org_units) == (1, 1)


def test_a_community_without_members_has_zeros_and_no_active_share():
    quiet = CommunityFactory()
    figures = member_figures([quiet.pk], now=NOW)[quiet.pk]
    assert figures == MemberFigures()
    assert (figures.members, figures.coordinators, figures.active_members, figures.active_share) == (
        0,
        0,
        0,
        None,
    )
    assert [count for _label, count, _css in figures.level_parts()] == [0, 0, 0, 0, 0]


def test_active_share_is_rounded_to_one_decimal():
    figures = MemberFigures(
        levels={"core": 1, "active": 1, "occasional": 1, "peripheral": 0, "transactional": 0}
    )
    figures.active_members = 1
    assert figures.active_share == 33.3


def test_member_figures_default_to_the_current_time():
    guild = CommunityFactory()
    person = MembershipFactory(community=guild).user
    ledger(guild, person, Kind.POSTED, datetime.now(UTC) - timedelta(days=29))
    assert member_figures([guild.pk])[guild.pk].active_members == 1


def busy_community(start: datetime) -> Community:
    """A community with some of everything, so no query is skipped for lack of rows."""
    community = CommunityFactory()
    unit = OrgUnitFactory()
    people = [
        MembershipFactory(community=community, user=UserFactory(org_unit=unit), level=lv).user
        for lv in LEVELS
    ]
    MembershipFactory(community=community, role="coordinator", level="core")
    for person in people:
        ledger(community, person, Kind.REPLIED, start + timedelta(hours=1))
        event(community, person, Event.JOINED, start + timedelta(hours=1))
    event(
        community,
        people[1],
        Event.LEVEL_CHANGED,
        start + timedelta(hours=2),
        from_value="occasional",
        to_value="active",
    )
    occurrence(community, start + timedelta(hours=3))
    discussion(
        community,
        start + timedelta(hours=1),
        answered=start + timedelta(hours=2),
        solved=start + timedelta(hours=3),
    )
    return community


@pytest.mark.parametrize("size", [1, 5])
def test_member_figures_take_three_queries_for_any_number_of_communities(django_assert_num_queries, size):
    """1 members by community and level, 2 active members (ledger to memberships), 3 org units."""
    ids = [busy_community(NOW - timedelta(days=2)).pk for _ in range(size)]
    with django_assert_num_queries(3):
        figures = member_figures(ids, now=NOW)
    assert all(figures[pk].members == 6 and figures[pk].active_members == 5 for pk in ids)


# --- window_figures ---------------------------------------------------------------------------------------

SINCE, UNTIL = NOW - timedelta(days=30), NOW


def test_held_activities_are_the_uncancelled_occurrences_starting_in_the_window_in_order():
    guild = CommunityFactory()
    starts = [SINCE, SINCE + timedelta(days=10), UNTIL - timedelta(seconds=1)]
    for start in reversed(starts):
        occurrence(guild, start)
    occurrence(guild, SINCE + timedelta(days=5), cancelled=True)
    occurrence(guild, SINCE - timedelta(seconds=1))
    occurrence(guild, UNTIL)
    assert window_figures([guild.pk], since=SINCE, until=UNTIL)[guild.pk].held == starts


def test_the_ledger_is_counted_by_kind_and_participants_are_distinct_people_who_did_more_than_join():
    guild = CommunityFactory()
    ann, ben, newcomer = UserFactory(), UserFactory(), UserFactory()
    ledger(guild, ann, Kind.POSTED, SINCE)
    ledger(guild, ann, Kind.REPLIED, SINCE + timedelta(days=1))
    ledger(guild, ann, Kind.REPLIED, SINCE + timedelta(days=2))
    ledger(guild, ben, Kind.APPLIED, UNTIL - timedelta(seconds=1))
    ledger(guild, newcomer, Kind.JOINED, SINCE + timedelta(days=3))
    ledger(guild, ben, Kind.RESOURCE_ADDED, UNTIL)  # the window is [since, until)
    ledger(guild, newcomer, Kind.ATTENDED, SINCE - timedelta(seconds=1))
    figures = window_figures([guild.pk], since=SINCE, until=UNTIL)[guild.pk]
    assert figures.ledger == {"posted": 1, "replied": 2, "applied": 1, "joined": 1}
    assert (figures.count(Kind.REPLIED), figures.count(Kind.RESOURCE_ADDED)) == (2, 0)
    assert figures.participants == 2


def test_joined_counts_every_way_in_and_promoted_only_moves_into_active_or_core():
    guild = CommunityFactory()
    at = SINCE + timedelta(days=1)
    for kind in (Event.JOINED, Event.APPROVED, Event.INVITATION_ACCEPTED):
        event(guild, UserFactory(), kind, at)
    for kind in (Event.REQUESTED, Event.INVITED, Event.LEFT, Event.ROLE_CHANGED):
        event(guild, UserFactory(), kind, at)
    event(guild, UserFactory(), Event.JOINED, SINCE - timedelta(seconds=1))
    for from_value, to_value in [
        ("peripheral", "active"),  # promoted
        ("occasional", "core"),  # promoted
        ("transactional", "core"),  # promoted
        ("active", "core"),  # already engaged
        ("core", "active"),
        ("transactional", "peripheral"),
        ("active", "occasional"),
    ]:
        event(guild, UserFactory(), Event.LEVEL_CHANGED, at, from_value=from_value, to_value=to_value)
    event(guild, UserFactory(), Event.LEVEL_CHANGED, UNTIL, from_value="peripheral", to_value="active")
    figures = window_figures([guild.pk], since=SINCE, until=UNTIL)[guild.pk]
    assert (figures.joined, figures.promoted) == (3, 3)


def test_discussions_answered_solved_and_the_median_first_reply():
    """Four visible discussions started in the window: two answered in it, after 2 and 10 hours (median 6), one
    answered only after the window ends, one never; one solved in the window, one only after it. Hidden and
    deleted discussions, and those started outside the window, do not count."""
    guild = CommunityFactory()
    start = SINCE + timedelta(days=1)
    discussion(guild, start, answered=start + timedelta(hours=2), solved=start + timedelta(hours=3))
    discussion(guild, start, answered=start + timedelta(hours=10), solved=UNTIL + timedelta(hours=1))
    late = UNTIL - timedelta(hours=5)
    discussion(guild, late, answered=late + timedelta(hours=30))
    discussion(guild, start)
    discussion(guild, start, answered=start + timedelta(hours=1), hidden_at=start + timedelta(days=1))
    discussion(guild, start, answered=start + timedelta(hours=1), deleted_at=start + timedelta(days=1))
    discussion(guild, SINCE - timedelta(seconds=1), answered=SINCE)
    discussion(guild, UNTIL, answered=UNTIL + timedelta(hours=1))
    figures = window_figures([guild.pk], since=SINCE, until=UNTIL)[guild.pk]
    assert (figures.discussions, figures.answered, figures.solved) == (4, 2, 1)
    assert (figures.answered_share, figures.solved_share) == (50.0, 25.0)
    assert figures.first_reply_middle == (2.0, 10.0)
    assert figures.median_first_reply_hours == 6.0


def test_a_quiet_window_has_zeros_and_no_shares():
    guild = CommunityFactory()
    figures = window_figures([guild.pk], since=SINCE, until=UNTIL)[guild.pk]
    assert figures == WindowFigures()
    assert (figures.answered_share, figures.solved_share, figures.median_first_reply_hours) == (
        None,
        None,
        None,
    )


def test_window_figures_keep_communities_apart():
    one, two = CommunityFactory(), CommunityFactory()
    ledger(one, UserFactory(), Kind.POSTED, SINCE + timedelta(days=1))
    occurrence(two, SINCE + timedelta(days=1))
    figures = window_figures([one.pk, two.pk], since=SINCE, until=UNTIL)
    assert (figures[one.pk].count(Kind.POSTED), len(figures[one.pk].held)) == (1, 0)
    assert (figures[two.pk].count(Kind.POSTED), len(figures[two.pk].held)) == (0, 1)


@pytest.mark.parametrize("size", [1, 5])
def test_window_figures_take_five_queries_for_any_number_of_communities(django_assert_num_queries, size):
    """1 occurrences, 2 ledger by kind, 3 participants, 4 joined and promoted, 5 discussions."""
    ids = [busy_community(SINCE + timedelta(days=1)).pk for _ in range(size)]
    with django_assert_num_queries(5):
        figures = window_figures(ids, since=SINCE, until=UNTIL)
    for pk in ids:
        assert (
            len(figures[pk].held),
            figures[pk].participants,
            figures[pk].joined,
            figures[pk].promoted,
        ) == (
            1,
            5,
            5,
            1,
        )
        assert (figures[pk].discussions, figures[pk].answered, figures[pk].solved) == (1, 1, 1)


def test_by_community_groups_dicts_and_objects():
    rows = [{"community_id": 1, "n": 1}, {"community_id": 2, "n": 2}, {"community_id": 1, "n": 3}]
    assert by_community(rows) == {1: [rows[0], rows[2]], 2: [rows[1]]}
    guild = CommunityFactory()
    first, second = (
        ledger(guild, UserFactory(), Kind.POSTED, NOW),
        ledger(guild, UserFactory(), Kind.POSTED, NOW),
    )
    assert by_community([first, second]) == {guild.pk: [first, second]}
