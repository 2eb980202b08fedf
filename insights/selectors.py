"""Reads for insights pages that cross apps: the sponsor dashboard's cards.

Every function here runs a fixed number of queries whatever the number of communities; the live dashboard
(no explicit `now`) reads its order and its cards' figures from the cache (`insights.cached`), computing them
only for the communities whose data changed, or on a new day.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString

from activities.models import Activity, Occurrence
from communities.models import Community
from insights import cached, charts
from insights.cached import Health
from insights.figures import MemberFigures
from insights.health import ATTENTION_WEIGHT, Check, attention_score
from insights.models import Snapshot
from insights.snapshots import local_today, local_zone
from members.models import User

TREND_WEEKS = 12
# What a card needs of a community (health checks read stage, created_at and needs_coordinator).
CARD_FIELDS = ("name", "slug", "stage", "visibility", "created_at", "archived_at", "needs_coordinator")
# In the model's order of fields, as `Model.from_db` reads a row of some of them.
CARD_COLUMNS = tuple(f.attname for f in Community._meta.concrete_fields if f.attname in {"id", *CARD_FIELDS})
# The next dates a card's figures keep (the first one still to come shows): (pk, activity, start, end, title).
UPCOMING_KEPT = 3
UPCOMING_COLUMNS = ("pk", "activity_id", "start", "end", "activity__title")


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


def _next_occurrences(communities: list[Community], *, now: datetime) -> dict[int, list[tuple]]:
    """Each community's next UPCOMING_KEPT dates that are not cancelled, soonest first, as rows of
    `UPCOMING_COLUMNS` (one query)."""
    upcoming = (
        Occurrence.objects.filter(
            community_id__in=[community.pk for community in communities], cancelled=False, start__gte=now
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("community_id")], order_by=[F("start").asc(), F("pk").asc()]
            )
        )
        .filter(position__lte=UPCOMING_KEPT)
        .order_by("community_id", "position")
        .values_list("community_id", *UPCOMING_COLUMNS)
    )
    found: dict[int, list[tuple]] = {community.pk: [] for community in communities}
    for community_id, *row in upcoming:
        found[community_id].append(tuple(row))
    return found


def _occurrence(community: Community, row: tuple) -> Occurrence:
    """A date made from a row of `UPCOMING_COLUMNS`, with its activity's title and its community (its URL
    needs the slug: no query per card)."""
    pk, activity_id, start, end, title = row
    occurrence = Occurrence.from_db(
        Occurrence.objects.db,
        ("id", "activity_id", "community_id", "start", "end"),
        (pk, activity_id, community.pk, start, end),
    )
    occurrence.activity = Activity.from_db(Activity.objects.db, ("id", "title"), (activity_id, title))
    occurrence.community = community
    return occurrence


def _still_to_come(rows: list[tuple], now: datetime) -> list[tuple]:
    return [row for row in rows if row[2] >= now]


def _action_first(checks: list[Check]) -> list[Check]:
    """Attention, then watch, then the rest; within each, settings order (sorted() is stable)."""
    return sorted(checks, key=lambda check: -ATTENTION_WEIGHT[check.status])


def _communities(viewer: User, *, include_archived: bool, stage: str, q: str) -> list[tuple]:
    """Every community of the viewer's dashboard as a row of `CARD_COLUMNS`, by name (one query; the page's
    cards alone are made into instances)."""
    communities = (
        Community.objects.sponsored_by(viewer)
        .archived_too(include_archived)
        .at_stage(stage)
        .order_by("name", "pk")
    )
    if q:
        communities = communities.filter(name__icontains=q)
    return list(communities.values_list(*CARD_COLUMNS))


def _instances(rows: list[tuple]) -> list[Community]:
    """Communities made from rows of `CARD_COLUMNS` (the others deferred), as the ORM makes them."""
    return [Community.from_db(Community.objects.db, CARD_COLUMNS, row) for row in rows]


def _by_attention(rows: list[tuple], health: dict[int, Health]) -> list[tuple]:
    """Those needing the most attention first, then by name (sorted() is stable)."""
    return sorted(rows, key=lambda row: -attention_score(health[row[0]].checks))


def _ranked(
    viewer: User, *, include_archived: bool, stage: str, q: str, now: datetime | None
) -> tuple[list[tuple], dict[int, Health], dict | None]:
    """The viewer's communities as rows of `CARD_COLUMNS` in the attention order, with the health already read
    (all of it when it had to be) and their data versions (None with an explicit `now`: all computed afresh).

    Live (`now` None), the rows in that order are kept in the cache with the versions they were ranked under,
    keyed by who asks (staff, or the sponsor), the filters, the day and the settings; they hold while the
    version that every change of a community, its data or its sponsors bumps (`cached.ANY_VERSION`) stays the
    same, so they are read with it in one round trip and no query. Otherwise the communities are read (one
    query) and every one's health comes from the cache, computed only for those whose data changed (member
    figures: 3 queries, the health checks' windows: 5 in one pass, plus 1 for reframing stories when a community
    is in transformation)."""
    listing = {"include_archived": include_archived, "stage": stage, "q": q}
    if now is not None:
        rows = _communities(viewer, **listing)
        health = cached.community_health(_instances(rows), now=now)
        return _by_attention(rows, health), health, None
    scope = "staff" if viewer.is_staff else f"sponsor-{viewer.pk}"
    asked = hashlib.blake2b(repr(sorted(listing.items())).encode(), digest_size=8).hexdigest()
    listing_key = f"insights:dashboard:{scope}:{asked}:{cached.stamp('')}"
    any_version, kept = cached.read_with_any(listing_key)
    if kept is not None and kept["any"] == any_version:
        return kept["rows"], {}, kept["versions"]
    rows = _communities(viewer, **listing)
    versions = cached.versions_of([row[0] for row in rows])
    health = cached.community_health(_instances(rows), versions_by_id=versions) if rows else {}
    ranked = _by_attention(rows, health)
    cache.set(listing_key, {"any": any_version, "rows": ranked, "versions": versions}, cached.TIMEOUT)
    return ranked, health, versions


def _cards(
    communities: list[Community],
    health: dict[int, Health],
    *,
    now: datetime | None,
    versions: dict | None = None,
) -> list[Card]:
    """The cards of these communities only: their health (from `health`, else the cache under `versions`),
    trends and next dates (two queries). Live (`now` None), the trends and the next dates are kept in the
    cache too, under the communities' data versions and the day: a kept list of next dates is read again when
    all of them have begun and there may be more."""
    if not communities:
        return []
    fresh = now is not None  # an explicit `now` (tests, digests): everything is computed
    now = now or timezone.now()
    days = trend_days(today=timezone.localtime(now, local_zone()).date())
    ids = [community.pk for community in communities]
    by_pk = dict(zip(ids, communities, strict=True))
    missing = [pk for pk in ids if pk not in health]
    if fresh:
        if missing:
            health = health | cached.community_health([by_pk[pk] for pk in missing], now=now)
        trends = _active_trends(ids, days)
        upcoming = _next_occurrences(communities, now=now)
    else:
        versions = versions or cached.versions_of(ids)
        entries = [
            cached.Entry("trend", lambda wanted: _active_trends(wanted, days)),
            cached.Entry(
                "upcoming",
                lambda wanted: _next_occurrences([by_pk[pk] for pk in wanted], now=now),
                valid=lambda rows: len(rows) < UPCOMING_KEPT or bool(_still_to_come(rows, now)),
            ),
        ]
        if missing:  # none when the order was made now, all when it was kept
            entries.append(cached.health_entry(communities))
        kept = cached.kept(ids, entries, versions_by_id=versions)  # one round trip
        health = health | kept.get("health", {})
        trends, upcoming = kept["trend"], kept["upcoming"]
    return [
        Card(
            community=community,
            figures=health[community.pk].figures,
            checks=_action_first(health[community.pk].checks),
            trend_days=days,
            trend=trends[community.pk],
            next_occurrence=_occurrence(community, soonest[0])
            if (soonest := _still_to_come(upcoming[community.pk], now))
            else None,
        )
        for community in communities
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

    The order needs every community's health: it is kept in the cache while no community's data changes
    (`_ranked`); the trends and the next dates are read for the page's cards alone.
    """
    ranked, health, versions = _ranked(viewer, include_archived=include_archived, stage=stage, q=q, now=now)
    page = Paginator(ranked, per_page).get_page(number)
    page.object_list = _cards(_instances(list(page.object_list)), health, now=now, versions=versions)
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
    ranked, health, versions = _ranked(viewer, include_archived=include_archived, stage=stage, q=q, now=now)
    return _cards(_instances(ranked), health, now=now, versions=versions)
