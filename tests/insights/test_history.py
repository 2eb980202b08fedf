"""insights.history: monthly series from daily snapshots (month-end stocks, monthly sums of flows, gaps for months
without snapshots), the org-unit spread of active members, and the value stories of a period."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from communities.models import Membership, Participation
from insights.history import (
    HISTORY_CHARTS,
    NO_UNIT,
    month_starts,
    monthly_history,
    org_unit_chart,
    org_unit_spread,
    value_stories,
)
from insights.value import Period
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SnapshotFactory,
    UserFactory,
    ValueStoryFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)  # the charts end with March 2026 (yesterday is 14 March)
LABELS = [
    "Apr 2025",
    "May 2025",
    "Jun 2025",
    "Jul 2025",
    "Aug 2025",
    "Sep 2025",
    "Oct 2025",
    "Nov 2025",
    "Dec 2025",
    "Jan 2026",
    "Feb 2026",
    "Mar 2026",
]


def values(chart, name: str) -> list:
    return next(series.values for series in chart.series if series.name == name)


# --- months -------------------------------------------------------------------------------------------------


def test_month_starts_cross_the_year_oldest_first():
    assert month_starts(date(2026, 2, 28), 4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert month_starts(date(2026, 1, 1), 1) == [date(2026, 1, 1)]


@pytest.fixture
def guild():
    return CommunityFactory(name="Reliability Guild", slug="guild")


@pytest.fixture
def history(guild):
    """Snapshots in December (only up to the 20th), January (three days, one day in between missing), none in
    February, two in March up to yesterday; and rows the charts must ignore."""
    snap = SnapshotFactory
    snap(community=guild, day=date(2025, 3, 31), level_core=99, activities_held=99)  # before the first month
    snap(
        community=guild,
        day=date(2025, 12, 20),
        level_core=1,
        level_peripheral=2,
        active_members=2,
        activities_held=1,
        attendance=4,
        answered_share=50.0,
        solved_share=None,
    )
    snap(
        community=guild,
        day=date(2026, 1, 5),
        level_core=2,
        level_active=1,
        level_peripheral=3,
        active_members=3,
        activities_held=1,
        attendance=5,
        discussions=2,
        resources_added=1,
        answered_share=40.0,
        solved_share=10.0,
    )
    # No snapshot on 6 to 9 January: those days add nothing, and the month still has a value.
    snap(
        community=guild,
        day=date(2026, 1, 10),
        level_core=2,
        level_active=2,
        level_peripheral=3,
        active_members=4,
        activities_held=2,
        attendance=9,
        discussions=1,
        applied=2,
        answered_share=60.0,
        solved_share=20.0,
    )
    snap(
        community=guild,
        day=date(2026, 1, 31),
        level_core=3,
        level_active=2,
        level_occasional=1,
        level_peripheral=4,
        level_transactional=1,
        active_members=5,
        discussions=3,
        resources_added=2,
        applied=1,
        answered_share=66.66666,
        solved_share=33.33333,
    )
    snap(
        community=guild, day=date(2026, 3, 1), level_core=3, active_members=1, activities_held=1, attendance=2
    )
    snap(community=guild, day=date(2026, 3, 14), level_core=4, active_members=2, discussions=1)
    snap(community=guild, day=date(2026, 3, 15), level_core=50, activities_held=50)  # today: not a day yet
    snap(community=CommunityFactory(), day=date(2026, 1, 31), level_core=70, activities_held=70)  # elsewhere
    return guild


def test_history_has_one_chart_per_id_over_twelve_months(history):
    charts = monthly_history(history, today=TODAY)
    assert list(charts) == list(HISTORY_CHARTS)
    for chart in charts.values():
        assert chart.x_labels == LABELS
        assert chart.x_label == "Month"


def test_history_runs_one_query(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        monthly_history(history, today=TODAY)


def test_membership_is_the_month_end_value_by_level(history):
    chart = monthly_history(history, today=TODAY)["membership"]
    assert chart.kind == "stacked"
    assert [series.name for series in chart.series] == [
        "Core group",
        "Active",
        "Occasional",
        "Peripheral",
        "Transactional",
    ]
    assert [series.css_class for series in chart.series] == [
        "level-core",
        "level-active",
        "level-occasional",
        "level-peripheral",
        "level-transactional",
    ]
    core = values(chart, "Core group")
    # December: its last snapshot (the 20th); January: the 31st; February: a gap; March: the 14th (not today).
    assert core[:8] == [None] * 8
    assert core[8:] == [1, 3, None, 4]
    assert values(chart, "Peripheral")[8:] == [2, 4, None, 0]
    assert values(chart, "Transactional")[8:] == [0, 1, None, 0]


def test_active_members_are_a_month_end_line(history):
    chart = monthly_history(history, today=TODAY)["active"]
    assert chart.kind == "line"
    assert values(chart, "Active members")[8:] == [2, 5, None, 2]


def test_flows_are_summed_over_the_month(history):
    charts = monthly_history(history, today=TODAY)
    assert charts["activities"].kind == "bars"
    assert values(charts["activities"], "Activities held")[8:] == [1, 3, None, 1]
    assert values(charts["activities"], "Attendances")[8:] == [4, 14, None, 2]
    assert values(charts["discussions"], "Discussions started")[8:] == [0, 6, None, 1]
    assert values(charts["repertoire"], "Resources added")[8:] == [0, 3, None, 0]
    assert values(charts["repertoire"], "“I applied this” stories")[8:] == [0, 3, None, 0]


def test_months_without_snapshots_are_gaps_not_zeros(history):
    for chart in monthly_history(history, today=TODAY).values():
        for series in chart.series:
            assert series.values[10] is None, (chart.id, series.name)  # February
            assert series.values[0] is None, (chart.id, series.name)  # April 2025, before the first snapshot


def test_shares_are_month_end_percentages_rounded(history):
    chart = monthly_history(history, today=TODAY)["shares"]
    assert chart.unit == "%"
    assert values(chart, "Answered")[8:] == [50.0, 66.7, None, None]
    # A month with snapshots but no share (no recent discussions) is a gap too.
    assert values(chart, "Solved")[8:] == [None, 33.3, None, None]


def test_on_the_first_of_a_month_the_charts_end_with_the_month_just_finished(history):
    charts = monthly_history(history, today=date(2026, 2, 1))
    assert charts["membership"].x_labels[-1] == "Jan 2026"
    assert values(charts["membership"], "Core group")[-1] == 3


def test_fewer_months_on_request(history):
    chart = monthly_history(history, months=3, today=TODAY)["activities"]
    assert chart.x_labels == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert values(chart, "Activities held") == [3, None, 1]


def test_a_community_without_snapshots_has_only_gaps(guild):
    for chart in monthly_history(guild, today=TODAY).values():
        assert all(value is None for series in chart.series for value in series.values)


# --- org units ----------------------------------------------------------------------------------------------


def active_member(community, unit, **kwargs):
    """A member of `unit` with a reply in the community a day ago (active)."""
    user = MembershipFactory(community=community, user=UserFactory(org_unit=unit), **kwargs).user
    Participation.objects.create(
        community=community, user=user, kind=Participation.Kind.REPLIED, at=timezone.now() - timedelta(days=1)
    )
    return user


def test_org_unit_spread_counts_active_members_per_unit(guild, django_assert_num_queries):
    ops, data, quiet = (
        OrgUnitFactory(name="Operations"),
        OrgUnitFactory(name="Data"),
        OrgUnitFactory(name="Quiet"),
    )
    active_member(guild, ops)
    active_member(guild, ops)
    active_member(guild, data)
    # Members who are not active: joined only, last contribution two months ago.
    joined_only = MembershipFactory(community=guild, user=UserFactory(org_unit=data)).user
    Participation.objects.create(
        community=guild, user=joined_only, kind=Participation.Kind.JOINED, at=timezone.now()
    )
    old = MembershipFactory(community=guild, user=UserFactory(org_unit=quiet)).user
    Participation.objects.create(
        community=guild, user=old, kind=Participation.Kind.REPLIED, at=timezone.now() - timedelta(days=60)
    )
    # Not counted at all: a member who left, someone active elsewhere, an active member without an org unit counts
    # under NO_UNIT.
    active_member(guild, ops, status=Membership.Status.LEFT)
    active_member(CommunityFactory(), ops)
    active_member(guild, None)
    with django_assert_num_queries(1):
        spread = org_unit_spread(guild)
    assert [(unit.name, unit.active, unit.members) for unit in spread] == [
        ("Operations", 2, 2),
        ("Data", 1, 2),
        (NO_UNIT, 1, 1),
        ("Quiet", 0, 1),
    ]


def test_a_contribution_elsewhere_does_not_make_a_member_active_here(guild):
    ops = OrgUnitFactory(name="Operations")
    user = MembershipFactory(community=guild, user=UserFactory(org_unit=ops)).user
    Participation.objects.create(
        community=CommunityFactory(), user=user, kind=Participation.Kind.REPLIED, at=timezone.now()
    )
    assert [(unit.name, unit.active, unit.members) for unit in org_unit_spread(guild)] == [
        ("Operations", 0, 1)
    ]


def test_org_unit_chart_shows_the_ten_most_active_units(guild):
    units = [OrgUnitFactory(name=f"Unit {n:02}") for n in range(12)]
    for n, unit in enumerate(units):
        for _ in range(12 - n):
            active_member(guild, unit)
    spread = org_unit_spread(guild)
    chart = org_unit_chart(spread)
    assert chart.id == "org-units"
    assert chart.x_labels == [f"Unit {n:02}" for n in range(10)]
    assert values(chart, "Active members") == list(range(12, 2, -1))
    assert "10 most active" in chart.title
    assert org_unit_chart(spread[:3]).title == "Active members by org unit"


# --- value stories ------------------------------------------------------------------------------------------


def test_value_stories_of_a_period_by_cycle_with_who_recorded_them(guild, django_assert_num_queries):
    period = Period(first_day=date(2026, 1, 1), last_day=date(2026, 3, 31))
    recorder = UserFactory(full_name="Rita Recorder")
    newer = ValueStoryFactory(community=guild, happened_on=date(2026, 3, 31), recorded_by=recorder)
    older = ValueStoryFactory(community=guild, happened_on=date(2026, 1, 1))
    reframed = ValueStoryFactory(community=guild, cycle="reframing", happened_on=date(2026, 2, 1))
    ValueStoryFactory(community=guild, happened_on=date(2025, 12, 31))  # before the period
    ValueStoryFactory(community=guild, happened_on=date(2026, 4, 1))  # after it
    ValueStoryFactory(happened_on=date(2026, 2, 1))  # another community
    with django_assert_num_queries(1):
        stories = value_stories(guild, period)
        assert stories["realized"][0].recorded_by.full_name == "Rita Recorder"
    assert stories == {"realized": [newer, older], "reframing": [reframed]}


def test_value_stories_are_capped(guild):
    ValueStoryFactory.create_batch(3, community=guild, happened_on=date(2026, 1, 2))
    period = Period(first_day=date(2026, 1, 1), last_day=date(2026, 1, 31))
    assert len(value_stories(guild, period, limit=2)["realized"]) == 2
