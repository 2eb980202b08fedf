"""insights.health: which checks apply at each lifecycle stage, each check's status at the edges of its threshold
(ok / watch / attention / not enough data), what it says it measured, and a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta

import pytest

from activities.models import Activity, Discussion, Occurrence
from communities.models import Community, MembershipEvent, Participation
from insights.health import (
    STATUS_LABELS,
    Check,
    Status,
    at_least,
    at_most,
    attention_score,
    health_checks,
)
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, ValueStoryFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
Kind = Participation.Kind
OK, WATCH, ATTENTION, NO_DATA = Status.OK, Status.WATCH, Status.ATTENTION, Status.NO_DATA


def community(stage: str, *, founded: datetime = NOW - timedelta(days=365), **fields) -> Community:
    created = CommunityFactory(stage=stage, **fields)
    Community.objects.filter(pk=created.pk).update(created_at=founded)
    created.refresh_from_db()
    return created


def checks(target: Community, now: datetime = NOW) -> dict[str, Check]:
    return {check.key: check for check in health_checks([target], now=now)[target.pk]}


def check(target: Community, key: str) -> Check:
    return checks(target)[key]


def held(target: Community, *starts: datetime, cancelled: bool = False) -> None:
    activity = Activity.objects.create(community=target, title="Session", time_zone="UTC")
    for n, start in enumerate(starts, start=1):
        Occurrence.objects.create(
            activity=activity,
            community=target,
            sequence=n,
            original_start=start,
            start=start,
            end=start + timedelta(hours=1),
            cancelled=cancelled,
        )


def ledger(target: Community, kind: str, *ats: datetime) -> None:
    for at in ats:
        Participation.objects.create(community=target, user=UserFactory(), kind=kind, at=at)


def discussions(target: Community, count: int, *, answered_after: timedelta | None = None) -> None:
    created = NOW - timedelta(days=10)
    for _ in range(count):
        Discussion.objects.create(
            community=target,
            author=UserFactory(),
            title="A question",
            body="?",
            created_at=created,
            last_activity_at=created,
            first_answer_at=created + answered_after if answered_after is not None else None,
        )


def promotions(target: Community, count: int, *, at: datetime = NOW - timedelta(days=30)) -> None:
    for _ in range(count):
        MembershipEvent.objects.create(
            community=target,
            user=UserFactory(),
            kind=MembershipEvent.Kind.LEVEL_CHANGED,
            at=at,
            from_value="peripheral",
            to_value="active",
        )


# --- The rule of thumb for every threshold ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"), [(4, OK), (5, OK), (3.9, WATCH), (2, WATCH), (1.9, ATTENTION), (0, ATTENTION)]
)
def test_at_least_is_ok_at_the_threshold_watch_down_to_half_and_attention_below(value, status):
    assert at_least(value, 4) == status


@pytest.mark.parametrize(
    ("value", "status"), [(0, OK), (4, OK), (4.1, WATCH), (6, WATCH), (6.1, ATTENTION), (100, ATTENTION)]
)
def test_at_most_is_ok_at_the_threshold_watch_up_to_half_again_and_attention_beyond(value, status):
    assert at_most(value, 4) == status


# --- Which checks apply ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "keys"),
    [
        ("potential", ["coordinator", "core_group"]),
        ("coalescing", ["coordinator", "core_group", "rhythm", "active_share"]),
        (
            "maturing",
            ["coordinator", "rhythm", "active_share", "repertoire", "answered", "first_reply", "applied"],
        ),
        (
            "stewardship",
            ["coordinator", "rhythm", "active_share", "repertoire", "answered", "applied", "newcomers"],
        ),
        ("transformation", ["coordinator", "handover"]),
    ],
)
def test_each_stage_gets_its_checks_in_settings_order(stage, keys):
    assert list(checks(community(stage))) == keys


def test_the_checks_and_their_stages_come_from_settings(settings):
    settings.INSIGHTS_HEALTH_CHECKS = {
        "core_group": {"min_members": 1, "stages": ["maturing"]},
        "coordinator": {"stages": ["maturing", "potential"]},
        "repertoire": {"min_resources": 1, "window_days": 7, "stages": ["potential"]},
    }
    maturing, potential = community("maturing"), community("potential")
    MembershipFactory(community=maturing, level="core")
    ledger(potential, Kind.RESOURCE_ADDED, NOW - timedelta(days=6))
    results = health_checks([maturing, potential], now=NOW)
    assert [(c.key, c.status, c.threshold) for c in results[maturing.pk]] == [
        ("core_group", OK, "at least 1"),
        ("coordinator", ATTENTION, "at least 1"),
    ]
    assert [(c.key, c.status, c.measured) for c in results[potential.pk]] == [
        ("coordinator", ATTENTION, "0 coordinators"),
        ("repertoire", OK, "1 resource added in the last 7 days"),
    ]


# --- Each check -------------------------------------------------------------------------------------------


def test_coordinator_needs_one_and_no_open_call_for_one():
    guild = community("potential")
    none = check(guild, "coordinator")
    assert (none.status, none.measured, none.threshold, none.value) == (
        ATTENTION,
        "0 coordinators",
        "at least 1",
        0,
    )
    MembershipFactory(community=guild, role="coordinator", level="core")
    assert (check(guild, "coordinator").status, check(guild, "coordinator").measured) == (OK, "1 coordinator")
    MembershipFactory(community=guild, role="coordinator", level="core")
    assert check(guild, "coordinator").measured == "2 coordinators"
    Community.objects.filter(pk=guild.pk).update(needs_coordinator=True)
    guild.refresh_from_db()
    assert check(guild, "coordinator").status == ATTENTION


@pytest.mark.parametrize(("core", "status"), [(3, OK), (2, WATCH), (1, ATTENTION), (0, ATTENTION)])
def test_core_group_wants_three_members(core, status):
    guild = community("coalescing")
    for _ in range(core):
        MembershipFactory(community=guild, level="core")
    MembershipFactory(community=guild, level="active")
    result = check(guild, "core_group")
    assert (result.status, result.value, result.threshold) == (status, core, "at least 3")
    assert result.measured == f"{core} member{'' if core == 1 else 's'} in the core group"


@pytest.mark.parametrize(
    ("weeks_ago", "status", "gap", "measured"),
    [
        ([8, 4], OK, 4, "4 weeks (2 activities held)"),
        ([6], WATCH, 6, "6 weeks (1 activity held)"),
        ([11, 10], ATTENTION, 10, "10 weeks (2 activities held)"),
        ([], ATTENTION, 12, "12 weeks (0 activities held)"),
    ],
)
def test_rhythm_measures_the_longest_stretch_without_an_activity_in_12_weeks(
    weeks_ago, status, gap, measured
):
    guild = community("coalescing")
    held(guild, *(NOW - timedelta(weeks=w) for w in weeks_ago))
    held(guild, NOW - timedelta(weeks=2), cancelled=True)  # a cancelled date breaks no stretch
    held(guild, NOW - timedelta(weeks=13))  # before the window
    result = check(guild, "rhythm")
    assert (result.status, result.value) == (status, gap)
    assert result.measured == f"longest stretch without an activity in the last 12 weeks: {measured}"
    assert result.threshold == "no gap longer than 4 weeks"


def test_rhythm_of_a_young_community_counts_from_its_founding():
    guild = community("coalescing", founded=NOW - timedelta(weeks=3))
    result = check(guild, "rhythm")
    assert (result.status, result.value) == (OK, 3)
    held(guild, NOW - timedelta(weeks=1))
    assert check(guild, "rhythm").value == 2


@pytest.mark.parametrize(("members", "status", "share"), [(5, OK, 20), (10, WATCH, 10), (11, ATTENTION, 9.1)])
def test_active_share_wants_a_fifth_of_members_active(members, status, share):
    guild = community("maturing")
    people = [MembershipFactory(community=guild).user for _ in range(members)]
    Participation.objects.create(
        community=guild, user=people[0], kind=Kind.POSTED, at=NOW - timedelta(days=3)
    )
    result = check(guild, "active_share")
    assert (result.status, result.value) == (status, share)
    assert result.measured == f"{share:g}% active in the last 30 days (1 of {members})"
    assert result.threshold == "at least 20%"


def test_active_share_without_members_has_no_data():
    result = check(community("maturing"), "active_share")
    assert (result.status, result.measured, result.value, result.status_label) == (
        NO_DATA,
        "no members yet",
        None,
        "Not enough data yet",
    )
    assert not result.needs_action


@pytest.mark.parametrize(("added", "status"), [(3, OK), (2, WATCH), (1, ATTENTION), (0, ATTENTION)])
def test_repertoire_wants_three_resources_in_90_days(added, status):
    guild = community("stewardship")
    ledger(guild, Kind.RESOURCE_ADDED, *(NOW - timedelta(days=89) for _ in range(added)))
    ledger(guild, Kind.RESOURCE_ADDED, NOW - timedelta(days=91))
    result = check(guild, "repertoire")
    assert (result.status, result.value) == (status, added)
    assert result.measured.endswith(" added in the last 90 days")


@pytest.mark.parametrize(
    ("answered", "total", "status"), [(7, 10, OK), (7, 20, WATCH), (6, 20, ATTENTION), (0, 1, ATTENTION)]
)
def test_answered_wants_seventy_percent_of_recent_discussions_answered(answered, total, status):
    guild = community("maturing")
    discussions(guild, answered, answered_after=timedelta(hours=5))
    discussions(guild, total - answered)
    result = check(guild, "answered")
    assert (result.status, result.value) == (status, round(100 * answered / total, 1))
    assert result.measured.startswith(f"{result.value:g}% of {total} discussion")


def test_answered_and_first_reply_without_discussions_have_no_data():
    guild = community("maturing")
    assert (check(guild, "answered").status, check(guild, "first_reply").status) == (NO_DATA, NO_DATA)
    discussions(guild, 2)  # asked, never answered
    assert (check(guild, "answered").status, check(guild, "first_reply").status) == (ATTENTION, NO_DATA)
    assert check(guild, "first_reply").measured == "no answered discussions in the last 90 days"


@pytest.mark.parametrize(("hours", "status"), [(48, OK), (72, WATCH), (73, ATTENTION)])
def test_first_reply_wants_a_median_within_48_hours(hours, status):
    guild = community("maturing")
    discussions(guild, 1, answered_after=timedelta(hours=hours))
    result = check(guild, "first_reply")
    assert (result.status, result.value) == (status, hours)
    assert result.measured == f"median time to a first reply: {hours} hours"
    assert result.threshold == "at most 48 hours"


@pytest.mark.parametrize(("stories", "status"), [(1, OK), (0, ATTENTION)])
def test_applied_wants_one_story_in_90_days(stories, status):
    guild = community("maturing")
    ledger(guild, Kind.APPLIED, *(NOW - timedelta(days=1) for _ in range(stories)))
    ledger(guild, Kind.APPLIED, NOW - timedelta(days=95))
    result = check(guild, "applied")
    assert (result.status, result.value) == (status, stories)


@pytest.mark.parametrize(("promoted", "status"), [(2, OK), (1, WATCH), (0, ATTENTION)])
def test_newcomers_want_two_promotions_in_180_days(promoted, status):
    guild = community("stewardship")
    promotions(guild, promoted)
    promotions(guild, 3, at=NOW - timedelta(days=181))
    result = check(guild, "newcomers")
    assert (result.status, result.value) == (status, promoted)
    assert result.measured.startswith(f"{promoted} member")


def test_handover_wants_a_reframing_story_recorded_in_180_days():
    guild = community("transformation")
    ValueStoryFactory(community=guild, cycle="realized", happened_on=TODAY)
    ValueStoryFactory(community=guild, cycle="reframing", happened_on=TODAY - timedelta(days=180))
    result = check(guild, "handover")
    assert (result.status, result.measured) == (
        ATTENTION,
        "0 reframing stories recorded in the last 180 days",
    )
    ValueStoryFactory(community=guild, cycle="reframing", happened_on=TODAY - timedelta(days=179))
    result = check(guild, "handover")
    assert (result.status, result.measured) == (OK, "1 reframing story recorded in the last 180 days")


def test_every_check_says_what_to_do():
    guild = community("maturing")
    for result in checks(guild).values():
        assert result.title and result.threshold and result.measured and len(result.advice) > 20


# --- Sorting by attention ---------------------------------------------------------------------------------


def test_attention_score_weighs_attention_over_watch_and_ignores_ok_and_no_data():
    def made(status: Status) -> Check:
        return Check("k", "t", "m", "th", status, "a")

    assert attention_score([made(ATTENTION), made(WATCH), made(WATCH), made(OK), made(NO_DATA)]) == 5
    assert attention_score([]) == 0
    assert [made(s).needs_action for s in (OK, WATCH, ATTENTION, NO_DATA)] == [False, True, True, False]
    assert [made(s).status_label for s in Status] == [STATUS_LABELS[s] for s in Status]


def test_checks_default_to_now_and_accept_member_figures_already_computed():
    from insights.figures import member_figures

    guild = CommunityFactory(stage="coalescing")
    MembershipFactory(community=guild, role="coordinator", level="core")
    members = member_figures([guild.pk])
    results = health_checks([guild], members=members)[guild.pk]
    assert [c.key for c in results] == ["coordinator", "core_group", "rhythm", "active_share"]
    assert results[0].status == OK


# --- Queries --------------------------------------------------------------------------------------------


def busy(stage: str) -> Community:
    guild = community(stage)
    MembershipFactory(community=guild, role="coordinator", level="core")
    held(guild, NOW - timedelta(weeks=1))
    ledger(guild, Kind.RESOURCE_ADDED, NOW - timedelta(days=1))
    discussions(guild, 1, answered_after=timedelta(hours=1))
    promotions(guild, 1)
    ValueStoryFactory(community=guild, cycle="reframing", happened_on=TODAY)
    return guild


@pytest.mark.parametrize("size", [1, 5])
def test_checks_of_one_or_five_communities_take_the_same_queries(django_assert_num_queries, size):
    """Maturing: 3 member figures, then 4 window queries for both windows the stage needs (84 days for the
    rhythm, 90 for the rest; one pass with a filter per window, participants left out): 7 whatever the number
    of communities."""
    communities = [busy("maturing") for _ in range(size)]
    with django_assert_num_queries(7):
        results = health_checks(communities, now=NOW)
    assert all(len(results[c.pk]) == 7 for c in communities)


@pytest.mark.parametrize("per_stage", [1, 2])
def test_checks_of_every_stage_together_take_the_same_queries(django_assert_num_queries, per_stage):
    """Windows of 84, 90 and 180 days in one pass (4 queries), 3 member figures, 1 for the reframing stories: 8."""
    stages = ["potential", "coalescing", "maturing", "stewardship", "transformation"]
    communities = [busy(stage) for stage in stages for _ in range(per_stage)]
    with django_assert_num_queries(8):
        results = health_checks(communities, now=NOW)
    handover = [r for c in communities for r in results[c.pk] if r.key == "handover"]
    assert [r.status for r in handover] == [OK] * per_stage


@pytest.mark.parametrize(
    ("count", "word", "said"),
    [
        (1, "“I applied this” story", "1 “I applied this” story"),
        (2, "“I applied this” story", "2 “I applied this” stories"),
        (0, "reframing story", "0 reframing stories"),
        (3, "activity", "3 activities"),
        (2, "day", "2 days"),
        (1.5, "week", "1.5 weeks"),
    ],
)
def test_plurals_read_as_english(count, word, said):
    """Issue 14, item 17: health checks and dashboard cards said "storys"."""
    from insights.health import _plural

    assert _plural(count, word) == said
