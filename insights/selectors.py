"""Reads for insights pages that cross apps: the sponsor dashboard's cards.

Every function here runs a fixed number of queries whatever the number of communities.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString

from activities.models import Occurrence
from communities.models import Community
from insights import charts
from insights.figures import MemberFigures, member_figures
from insights.health import ATTENTION_WEIGHT, Check, attention_score, health_checks
from insights.models import Snapshot
from insights.snapshots import local_today, local_zone
from members.models import User

TREND_WEEKS = 12
# What a card needs of a community (health checks read stage, created_at and needs_coordinator).
CARD_FIELDS = ("name", "slug", "stage", "visibility", "created_at", "archived_at", "needs_coordinator")


@dataclass(frozen=True)
class Card:
    """One community on the dashboard: who it has, how active it has been, what comes next, how healthy it is."""

    community: Community
    figures: MemberFigures
    checks: list[Check]  # those needing action first (attention, then watch), otherwise in settings order
    trend_days: list[date]  # the last day of each of the last TREND_WEEKS weeks, oldest first
    trend: list[int | None]  # active members on those days; None where no snapshot was taken
    next_occurrence: Occurrence | None

    @property
    def attention(self) -> int:
        return attention_score(self.checks)

    @property
    def needing_action(self) -> int:
        return sum(check.needs_action for check in self.checks)

    @property
    def level_bar(self) -> SafeString:
        parts = self.figures.level_parts()
        counts = ", ".join(f"{label} {count}" for label, count, _ in parts)
        return charts.level_bar(parts, label=f"Members by commitment level: {counts}")

    @property
    def sparkline(self) -> SafeString:
        return charts.sparkline(self.trend, label=self.trend_label, zero_based=True)

    @property
    def trend_points(self) -> list[tuple[date, int | None]]:
        return list(zip(self.trend_days, self.trend, strict=True))

    @property
    def trend_label(self) -> str:
        values = ", ".join("no snapshot" if value is None else str(value) for value in self.trend)
        return f"Active members at the end of each of the last {len(self.trend)} weeks: {values}"


def trend_days(*, today: date | None = None) -> list[date]:
    """The last day of each of the last TREND_WEEKS weeks, oldest first; the last one is yesterday (the latest
    day a snapshot is taken for)."""
    last = (today or local_today()) - timedelta(days=1)
    return [last - timedelta(weeks=weeks) for weeks in range(TREND_WEEKS - 1, -1, -1)]


def _active_trends(community_ids: list[int], days: list[date]) -> dict[int, list[int | None]]:
    """Active members per community on each of `days` from the stored snapshots (one query)."""
    position = {day: index for index, day in enumerate(days)}
    trends: dict[int, list[int | None]] = {pk: [None] * len(days) for pk in community_ids}
    rows = (
        Snapshot.objects.filter(community_id__in=community_ids, day__in=days)
        .order_by()
        .values_list("community_id", "day", "active_members")
    )
    for community_id, day, active in rows:
        trends[community_id][position[day]] = active
    return trends


def _next_occurrences(communities: list[Community], *, now: datetime) -> dict[int, Occurrence]:
    """Each community's next date that is not cancelled, with its activity (one query)."""
    by_pk = {community.pk: community for community in communities}
    upcoming = (
        Occurrence.objects.filter(community_id__in=list(by_pk), cancelled=False, start__gte=now)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("community_id")], order_by=[F("start").asc(), F("pk").asc()]
            )
        )
        .filter(position=1)
        .select_related("activity")
        .only("community_id", "start", "end", "activity__title")
        .order_by()
    )
    found = {}
    for occurrence in upcoming:
        occurrence.community = by_pk[occurrence.community_id]  # its URL needs the slug: no query per card
        found[occurrence.community_id] = occurrence
    return found


def _action_first(checks: list[Check]) -> list[Check]:
    """Attention, then watch, then the rest; within each, settings order (sorted() is stable)."""
    return sorted(checks, key=lambda check: -ATTENTION_WEIGHT[check.status])


@dataclass(frozen=True)
class _Ranked:
    """A community's place in the attention order, with what the order is computed from."""

    community: Community
    figures: MemberFigures
    checks: list[Check]


def _ranked(viewer: User, *, include_archived: bool, stage: str, q: str, now: datetime) -> list[_Ranked]:
    """Every community of the viewer's dashboard with its health checks, those needing the most attention first,
    then by name. Queries: the communities, their member figures (3), the health checks' windows (5 in one pass,
    plus 1 for reframing stories when a community is in transformation)."""
    communities = (
        Community.objects.sponsored_by(viewer)
        .archived_too(include_archived)
        .at_stage(stage)
        .only(*CARD_FIELDS)
        .order_by("name", "pk")
    )
    if q:
        communities = communities.filter(name__icontains=q)
    communities = list(communities)
    if not communities:
        return []
    figures = member_figures([community.pk for community in communities], now=now)
    checks = health_checks(communities, now=now, members=figures)
    ranked = [
        _Ranked(community, figures[community.pk], _action_first(checks[community.pk]))
        for community in communities
    ]
    ranked.sort(key=lambda row: -attention_score(row.checks))  # stable: by name within the same attention
    return ranked


def _cards(ranked: list[_Ranked], *, now: datetime) -> list[Card]:
    """The cards of these communities only: their trends and next dates (two queries)."""
    if not ranked:
        return []
    communities = [row.community for row in ranked]
    days = trend_days(today=timezone.localtime(now, local_zone()).date())
    trends = _active_trends([community.pk for community in communities], days)
    upcoming = _next_occurrences(communities, now=now)
    return [
        Card(
            community=row.community,
            figures=row.figures,
            checks=row.checks,
            trend_days=days,
            trend=trends[row.community.pk],
            next_occurrence=upcoming.get(row.community.pk),
        )
        for row in ranked
    ]


def dashboard_page(
    viewer: User,
    *,
    number: int | str | None = 1,
    per_page: int,
    include_archived: bool = False,
    stage: str = "",
    q: str = "",
    now: datetime | None = None,
) -> Page:
    """One page of the viewer's dashboard (the communities they sponsor; every community for staff), those
    needing the most attention first, then by name (an out-of-range or malformed number gives the nearest page).

    The order needs every community's health, so the checks are computed for all of them; the trends and the
    next dates only for the page's cards.
    """
    now = now or timezone.now()
    ranked = _ranked(viewer, include_archived=include_archived, stage=stage, q=q, now=now)
    page = Paginator(ranked, per_page).get_page(number)
    page.object_list = _cards(list(page.object_list), now=now)
    return page


def dashboard_cards(
    viewer: User,
    *,
    include_archived: bool = False,
    stage: str = "",
    q: str = "",
    now: datetime | None = None,
) -> list[Card]:
    """Every card of the viewer's dashboard, in the dashboard's order (what all its pages show together)."""
    now = now or timezone.now()
    return _cards(_ranked(viewer, include_archived=include_archived, stage=stage, q=q, now=now), now=now)
