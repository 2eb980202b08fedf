"""What a community's health page reads beyond the live figures: its last months from daily snapshots, the
spread of its active members over org units, and the value stories recorded for a period.

Monthly history: stocks (members by level, active members, the answered and solved shares) take the value of
the last snapshot in each month (the month-end value; the current month ends yesterday); flows (activities held,
attendance, discussions, resources added, applied stories) are summed over the month's snapshots. A month
without any snapshot is a gap (None), never zero: we do not know what happened then. A day without a snapshot
inside a month adds nothing to the sums, and the month-end value is the month's last snapshot there is.
Each reader here runs one query.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from communities.models import Community, Level, Participation
from insights.charts import Chart, Series, bar_chart, line_chart, stacked_area_chart
from insights.figures import DISCUSSION_WINDOW, LEVELS, active_ledger_q
from insights.models import Snapshot, ValueStory
from insights.snapshots import local_today
from insights.value import Period

HISTORY_MONTHS = 12
HISTORY_CHARTS = ("membership", "active", "activities", "discussions", "shares", "repertoire")
LEVEL_FIELDS = tuple(f"level_{level}" for level in LEVELS)
STOCK_FIELDS = (*LEVEL_FIELDS, "active_members", "answered_share", "solved_share")
FLOW_FIELDS = ("activities_held", "attendance", "discussions", "resources_added", "applied")
MONTH_AXIS = "Month"
TOP_UNITS = 10
NO_UNIT = "No org unit"
STORIES_SHOWN = 50  # per period and page; the matrix's figures count them all
STORY_COLUMNS = ("cycle", "title", "story", "evidence", "happened_on", "recorded_at", "recorded_by")


def month_starts(last_day: date, months: int) -> list[date]:
    """The first days of the `months` calendar months ending with the one that holds `last_day`, oldest first."""
    year, month = last_day.year, last_day.month
    starts = []
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_label(start: date) -> str:
    return f"{start:%b %Y}"


@dataclass
class _Month:
    """One month's snapshots, reduced: the last one's stocks and the sum of the flows."""

    last: dict
    flows: Counter


def _months(community: Community, starts: list[date], last_day: date) -> dict[date, _Month]:
    """The community's snapshots from the first month's first day to `last_day`, by month (one query)."""
    rows = (
        Snapshot.objects.filter(community=community, day__gte=starts[0], day__lte=last_day)
        .order_by("day")
        .values("day", *STOCK_FIELDS, *FLOW_FIELDS)
    )
    months: dict[date, _Month] = {}
    for row in rows:
        month = months.setdefault(row["day"].replace(day=1), _Month(last=row, flows=Counter()))
        month.last = row  # ordered by day: the last row of a month is its month-end value
        month.flows.update({name: row[name] for name in FLOW_FIELDS})
    return months


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def monthly_history(
    community: Community, *, months: int = HISTORY_MONTHS, today: date | None = None
) -> dict[str, Chart]:
    """The health page's history charts over the last `months` months, keyed by chart id (`HISTORY_CHARTS`).

    The last month is the one that holds yesterday (the latest day a snapshot can exist for), so on the first
    of a month the charts end with the month just finished.
    """
    last_day = (today or local_today()) - timedelta(days=1)
    starts = month_starts(last_day, months)
    found = _months(community, starts, last_day)
    labels = [month_label(start) for start in starts]

    def stock(name: str, convert=lambda value: value) -> list:
        return [convert(found[start].last[name]) if start in found else None for start in starts]

    def flow(name: str) -> list:
        return [found[start].flows[name] if start in found else None for start in starts]

    def monthly(
        make: Callable[..., Chart], id: str, title: str, series: list[Series], y_label: str, unit=""
    ) -> Chart:
        return make(
            id=id, title=title, x_labels=labels, series=series, x_label=MONTH_AXIS, y_label=y_label, unit=unit
        )

    levels = [Series(Level(level).label, stock(f"level_{level}"), f"level-{level}") for level in LEVELS]
    window = DISCUSSION_WINDOW.days
    charts = [
        monthly(
            stacked_area_chart,
            "membership",
            "Members by commitment level",
            levels,
            "Members at the end of the month",
        ),
        monthly(
            line_chart,
            "active",
            "Active members",
            [Series("Active members", stock("active_members"), "series-1")],
            "Members active in the 30 days to the end of the month",
        ),
        monthly(
            bar_chart,
            "activities",
            "Activities held and attendance",
            [
                Series("Activities held", flow("activities_held"), "series-1"),
                Series("Attendances", flow("attendance"), "series-2"),
            ],
            "Per month",
        ),
        monthly(
            bar_chart,
            "discussions",
            "Discussions started",
            [Series("Discussions started", flow("discussions"), "series-5")],
            "Discussions per month",
        ),
        monthly(
            line_chart,
            "shares",
            "Discussions answered and solved",
            [
                Series("Answered", stock("answered_share", _share), "series-1"),
                Series("Solved", stock("solved_share", _share), "series-3"),
            ],
            f"Share of the discussions started in the {window} days to the end of the month",
            unit="%",
        ),
        monthly(
            bar_chart,
            "repertoire",
            "Resources added and applied stories",
            [
                Series("Resources added", flow("resources_added"), "series-1"),
                Series("“I applied this” stories", flow("applied"), "series-4"),
            ],
            "Per month",
        ),
    ]
    return {chart.id: chart for chart in charts}


@dataclass(frozen=True)
class UnitSpread:
    """How many of a community's members belong to an org unit, and how many of them are active."""

    name: str
    members: int
    active: int


def org_unit_spread(community: Community, *, now: datetime | None = None) -> list[UnitSpread]:
    """Active members (and members) per org unit, most active first (one aggregate query).

    Members without an org unit count under `NO_UNIT`. Active means what it means everywhere
    (`insights.figures.active_ledger_q`).
    """
    active = Participation.objects.filter(
        active_ledger_q(now=now), community_id=community.pk, user_id=OuterRef("user_id")
    )
    rows = (
        community.memberships.active()
        .values("user__org_unit_id", "user__org_unit__name")
        .annotate(members=Count("pk"), active=Count("pk", filter=Q(Exists(active))))
        .order_by("-active", "-members", "user__org_unit__name")
    )
    return [
        UnitSpread(name=row["user__org_unit__name"] or NO_UNIT, members=row["members"], active=row["active"])
        for row in rows
    ]


def org_unit_chart(spread: list[UnitSpread], *, top: int = TOP_UNITS) -> Chart:
    """A bar chart of the `top` org units with the most active members."""
    shown = spread[:top]
    return bar_chart(
        id="org-units",
        title=f"Active members in the {len(shown)} most active org units"
        if len(spread) > top
        else "Active members by org unit",
        x_labels=[unit.name for unit in shown],
        series=[
            Series("Active members", [unit.active for unit in shown], "series-1"),
            Series("Members", [unit.members for unit in shown], "series-5"),
        ],
        x_label="Org unit",
        y_label="Members",
    )


def value_stories(
    community: Community, period: Period, *, limit: int = STORIES_SHOWN
) -> dict[str, list[ValueStory]]:
    """The realized and reframing stories that happened in the period, newest first, with who recorded them
    (one query, at most `limit` in all, with the columns the page shows: they are kept in the cache), keyed by
    cycle."""
    stories: dict[str, list[ValueStory]] = {cycle: [] for cycle in ValueStory.Cycle.values}
    for story in (
        ValueStory.objects.filter(
            community=community, happened_on__gte=period.first_day, happened_on__lte=period.last_day
        )
        .select_related("recorded_by")
        .only(*STORY_COLUMNS, "recorded_by__full_name")
        .order_by("-happened_on", "-pk")[:limit]
    ):
        stories[story.cycle].append(story)
    return stories
