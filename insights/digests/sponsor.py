"""The sponsor report: one mail per sponsor covering every community they sponsor, with a CSV of its figures.

For each sponsored community that is not archived: the period's headline figures against the period of the same
length before it, the lifecycle stage, the org units reached, the value-creation matrix in brief and the best
stories of the period. Figures come from the daily snapshots (`insights.models.Snapshot`): a stock (members by
level, active members, org units, the answered and solved shares) is the snapshot on a period's last day, a flow
(activities held, attendances, discussions started, resources added, applied stories) the sum of the period's
snapshots. When the current period's last day has no snapshot yet, its stocks are the live figures
(`insights.figures.member_figures`). The value matrix and its stories are `insights.value.value_matrix`.

Snapshot days are the organization's calendar days; a report's period is the recipient's (their local midnights):
the same days by date, so a sponsor far from the organization's zone reads figures shifted by a few hours.
"""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Level, Sponsorship, Stage
from core.csv_files import csv_cell
from core.viewer_zone import viewer_zone
from insights.deliveries import Mail
from insights.figures import LEVELS, MemberFigures, member_figures
from insights.models import Delivery, Snapshot, ValueStory
from insights.value import Cycle, Period, value_matrix

TEMPLATE = "insights/sponsor_report"
STORIES = 3  # the best stories quoted per community
# Realized and reframing stories (results the organization sees) before "I applied this" stories.
STORY_CYCLES = ("realized", "reframing", "applied")
CSV_HEADER = ["Community", "Figure", "This period", "Previous period"]
WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
DASH = "\N{EN DASH}"  # ranges of days, and "no figure" in a table


@dataclass(frozen=True)
class FigureSpec:
    """One figure of the report: the snapshot field it reads and how it adds up over a period."""

    key: str
    label: str
    how: (
        str  # "stock" (the last day's value), "flow" (the sum over the days) or "share" (a stock, in percent)
    )
    level: bool = False  # a commitment level: indented under Members


FIGURES = [
    FigureSpec("members", "Members", "stock"),
    *(FigureSpec(f"level_{level}", Level(level).label, "stock", level=True) for level in LEVELS),
    FigureSpec("active_members", "Active in the last 30 days", "stock"),
    FigureSpec("org_units", "Org units reached", "stock"),
    FigureSpec("activities_held", "Activities held", "flow"),
    FigureSpec("attendance", "Attendances", "flow"),
    FigureSpec("discussions", "Discussions started", "flow"),
    FigureSpec("answered_share", "Discussions answered", "share"),
    FigureSpec("solved_share", "Discussions solved", "share"),
    FigureSpec("resources_added", "Resources added", "flow"),
    FigureSpec("applied", "“I applied this” stories", "flow"),
]
SNAPSHOT_FIELDS = [spec.key for spec in FIGURES]


@dataclass(frozen=True)
class Figure:
    """One row of a community's table: this period, the one before, and the change in an arrow and words."""

    key: str
    label: str
    now: float | None
    before: float | None
    share: bool = False
    level: bool = False

    @property
    def now_text(self) -> str:
        return self._format(self.now)

    @property
    def before_text(self) -> str:
        return self._format(self.before)

    @property
    def text_label(self) -> str:
        return f"  {self.label}" if self.level else self.label

    @property
    def csv_label(self) -> str:
        """Standalone, without the table's indentation: "Members: Active", not "Active"."""
        return f"Members: {self.label}" if self.level else self.label

    @property
    def change(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 1)

    @property
    def change_text(self) -> str:
        """ "▲ up 3", "▼ down 5.5 points", "= no change"; never only a colour or a sign."""
        if self.now is None:
            return "no data"
        if self.before is None:
            return "no earlier figure"
        change = self.change
        if not change:
            return "= no change"
        amount = _number(abs(change)) + (" points" if self.share else "")
        return f"▲ up {amount}" if change > 0 else f"▼ down {amount}"

    def _format(self, value: float | None) -> str:
        if value is None:
            return DASH
        return f"{_number(value)}%" if self.share else _number(value)


def _number(value: float) -> str:
    """12, 66.7 (one decimal at most, no exponent however large)."""
    return str(value) if isinstance(value, int) else f"{round(value, 1):.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Story:
    """One of the period's best stories, quoted with who told it."""

    cycle: str  # the cycle's name, e.g. "Realized value"
    title: str
    quote: str
    who: str
    on: date | None
    url: str  # a site path; templates prefix SITE_URL


@dataclass
class CommunityReport:
    community: Community
    figures: list[Figure]
    value: list[tuple[str, str]]  # (cycle name, its figures in one line)
    stories: list[Story]
    health_url: str
    live_members: bool = False  # the last day had no snapshot: member figures are as of now

    @property
    def stage(self) -> str:
        return Stage(self.community.stage).label

    @property
    def stage_index(self) -> int:
        return self.community.stage_index

    @property
    def stages(self) -> int:
        return len(Stage.values)

    @property
    def org_units(self) -> int | None:
        figure = next(f for f in self.figures if f.key == "org_units")
        return None if figure.now is None else int(figure.now)


@dataclass
class _Window:
    """A delivery's two periods, as the recipient's calendar days."""

    first: date
    last: date
    previous_first: date = field(init=False)
    previous_last: date = field(init=False)

    def __post_init__(self) -> None:
        self.previous_last = self.first - timedelta(days=1)
        self.previous_first = self.first - timedelta(days=self.days)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


# --- Who gets it -------------------------------------------------------------------------------------------


def candidates(community_ids: list[int] | None) -> list[tuple[int, int | None]]:
    """(sponsor id, None) for everyone who sponsors a community that is not archived (one query)."""
    sponsorships = Sponsorship.objects.in_current()
    if community_ids is not None:
        sponsorships = sponsorships.filter(community_id__in=community_ids)
    sponsors = sponsorships.order_by("sponsor_id").values_list("sponsor_id", flat=True).distinct()
    return [(sponsor_id, None) for sponsor_id in sponsors]


# --- Building a batch --------------------------------------------------------------------------------------


def build(deliveries: list[Delivery]) -> dict[int, Mail | None]:
    """Every delivery's mail (None when its recipient sponsors no active community any more).

    Queries for the whole batch, whatever its size or the data's: the sponsorships with their communities (1), the
    snapshots of all periods (1), the value matrix (10 per distinct period in the batch: one, or two when weekly
    and monthly reports share a batch), the value stories' authors (1); and the live member figures (3) only
    when some current period's last day has no snapshot yet.
    """
    if not deliveries:
        return {}
    sponsored: dict[int, list[Community]] = defaultdict(list)
    for sponsorship in (
        Sponsorship.objects.in_current()
        .filter(sponsor_id__in={delivery.recipient_id for delivery in deliveries})
        .select_related("community")
        .only("sponsor_id", "community__name", "community__slug", "community__stage")
        .order_by("community__name", "community_id")
    ):
        sponsored[sponsorship.sponsor_id].append(sponsorship.community)
    windows = {delivery.pk: _window(delivery) for delivery in deliveries}
    work = [delivery for delivery in deliveries if sponsored.get(delivery.recipient_id)]
    mails: dict[int, Mail | None] = {delivery.pk: None for delivery in deliveries}
    if not work:
        return mails

    ids = sorted({community.pk for delivery in work for community in sponsored[delivery.recipient_id]})
    first = min(windows[delivery.pk].previous_first for delivery in work)
    last = max(windows[delivery.pk].last for delivery in work)
    snapshots = {
        (row["community_id"], row["day"]): row
        for row in Snapshot.objects.filter(community_id__in=ids, day__gte=first, day__lte=last)
        .order_by()
        .values("community_id", "day", *SNAPSHOT_FIELDS)
    }
    missing = {
        community.pk
        for delivery in work
        for community in sponsored[delivery.recipient_id]
        if (community.pk, windows[delivery.pk].last) not in snapshots
    }
    live = member_figures(sorted(missing)) if missing else {}

    # One value matrix per distinct period, for the communities reported on that period.
    periods: dict[tuple[date, date], set[int]] = defaultdict(set)
    for delivery in work:
        window = windows[delivery.pk]
        periods[(window.first, window.last)].update(c.pk for c in sponsored[delivery.recipient_id])
    matrices = {
        days: value_matrix(sorted(community_ids), Period(*days)) for days, community_ids in periods.items()
    }
    authors = dict(
        ValueStory.objects.filter(
            community_id__in=ids,
            happened_on__gte=min(days[0] for days in periods),
            happened_on__lte=max(days[1] for days in periods),
        ).values_list("pk", "recorded_by__full_name")
    )

    for delivery in work:
        window = windows[delivery.pk]
        zone = viewer_zone(delivery.recipient)
        matrix = matrices[(window.first, window.last)]
        reports = [
            CommunityReport(
                community=community,
                figures=_figures(community.pk, window, snapshots, live.get(community.pk)),
                value=[_value_line(cycle) for cycle in matrix[community.pk]],
                stories=_stories(community, matrix[community.pk], authors, zone),
                health_url=reverse("insights:community", args=[community.slug]),
                live_members=(community.pk, window.last) not in snapshots,
            )
            for community in sponsored[delivery.recipient_id]
        ]
        mails[delivery.pk] = Mail(
            template=TEMPLATE,
            context=_context(delivery, window, reports),
            attachments=((f"sponsor-report-{delivery.period}.csv", report_csv(reports), "text/csv"),),
        )
    return mails


def _window(delivery: Delivery) -> _Window:
    """The period's first and last day in the recipient's zone (period_end is the midnight after it)."""
    zone = viewer_zone(delivery.recipient)
    first = timezone.localtime(delivery.period_start, zone).date()
    end = timezone.localtime(delivery.period_end, zone).date()
    return _Window(first=first, last=max(first, end - timedelta(days=1)))


def _figures(community_id: int, window: _Window, snapshots: dict, live: MemberFigures | None) -> list[Figure]:
    """The table of one community: stocks on each period's last day, flows summed over each period's days."""
    now_rows = _rows(community_id, window.first, window.last, snapshots)
    before_rows = _rows(community_id, window.previous_first, window.previous_last, snapshots)
    now_last = snapshots.get((community_id, window.last))
    before_last = snapshots.get((community_id, window.previous_last))
    figures = []
    for spec in FIGURES:
        if spec.how == "flow":
            now = _sum(now_rows, spec.key)
            before = _sum(before_rows, spec.key)
        else:
            now = now_last[spec.key] if now_last else _live(live, spec.key)
            before = before_last[spec.key] if before_last else None
        figures.append(Figure(spec.key, spec.label, now, before, share=spec.how == "share", level=spec.level))
    return figures


def _rows(community_id: int, first: date, last: date, snapshots: dict) -> list[dict]:
    days = ((first + timedelta(days=n)) for n in range((last - first).days + 1))
    return [row for day in days if (row := snapshots.get((community_id, day))) is not None]


def _sum(rows: list[dict], key: str) -> int | None:
    """A flow over the days that have a snapshot; None when none has (not a misleading zero)."""
    return sum(row[key] for row in rows) if rows else None


def _live(figures: MemberFigures | None, key: str) -> int | None:
    """A stock from the live member figures (the shares are not among them: no figure)."""
    if figures is None:
        return None
    if key == "members":
        return figures.members
    if key.startswith("level_"):
        return figures.levels[key.removeprefix("level_")]
    if key in {"active_members", "org_units"}:
        return getattr(figures, key)
    return None


def _value_line(cycle: Cycle) -> tuple[str, str]:
    return cycle.name, ", ".join(f"{label}: {n}" for label, n in cycle.figures)


def _stories(community: Community, cycles: list[Cycle], authors: dict, zone: ZoneInfo) -> list[Story]:
    """The best stories of the period: value stories (realized, then reframing), then “I applied this” ones."""
    by_key = {cycle.key: cycle for cycle in cycles}
    stories = []
    for key in STORY_CYCLES:
        cycle = by_key[key]
        for example in cycle.examples:
            if key == "applied":
                # value.py writes an application's detail as "<who>: <story>".
                who, _, quote = example.detail.partition(": ")
                url = example.url
            else:
                who, quote = authors.get(example.pk) or "", example.detail
                url = reverse("insights:community", args=[community.slug]) + f"#story-{example.pk}"
            on = example.at
            if isinstance(on, datetime):  # an application's moment: its day where the sponsor is
                on = timezone.localtime(on, zone).date()
            stories.append(Story(cycle.name, example.title, quote, who, on, url))
    return stories[:STORIES]


def _context(delivery: Delivery, window: _Window, reports: list[CommunityReport]) -> dict:
    title, frequency = _period_title(delivery.period, window)
    return {
        "reports": reports,
        "period_title": title,
        "period_dates": _dates(window.first, window.last),
        "previous_dates": _dates(window.previous_first, window.previous_last),
        "previous_days": window.days,
        "frequency": frequency,
        "action_url": reverse("insights:dashboard"),
        "any_live": any(report.live_members for report in reports),
    }


def _period_title(key: str, window: _Window) -> tuple[str, str]:
    """("November 2026", "monthly") or ("Week 48 of 2026", "weekly") from the period key."""
    if MONTH_KEY.match(key):
        return f"{window.first:%B %Y}", "monthly"
    if match := WEEK_KEY.match(key):
        return f"Week {int(match[2])} of {match[1]}", "weekly"
    return _dates(window.first, window.last), "daily"


def _dates(first: date, last: date) -> str:
    """ "1-30 November 2026", "28 September - 4 October 2026", "29 December 2026 - 4 January 2027", with en
    dashes."""
    if first == last:
        return f"{last.day} {last:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} {DASH} {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} {DASH} {last.day} {last:%B %Y}"


def report_csv(reports: list[CommunityReport]) -> str:
    """One row per community and figure (community, figure, this period, previous period), formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for report in reports:
        for figure in report.figures:
            writer.writerow(
                [
                    csv_cell(cell)
                    for cell in (report.community.name, figure.csv_label, figure.now, figure.before)
                ]
            )
    return out.getvalue()
