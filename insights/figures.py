"""The figures insights reports, each defined once, computed live with a fixed number of aggregate queries.

"Active member": a member with at least one participation-ledger row other than joining in the last 30 days
(`ACTIVE_WINDOW`). Snapshots (`insights.snapshots`) apply the same definitions to past days; dashboards, health
checks and (later) digests call these functions with many communities at once, never one query per community.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone

from activities.models import Discussion, Occurrence
from communities.models import Level, Membership, MembershipEvent, Participation

ACTIVE_WINDOW = timedelta(days=30)
# Discussions started in this window make the answered and solved shares and the median time to a first reply.
DISCUSSION_WINDOW = timedelta(days=90)
LEVELS = list(Level.values)  # core group first: the colour scale's order
ENGAGED_LEVELS = (Level.CORE, Level.ACTIVE)


@dataclass
class MemberFigures:
    """Who a community has now: members by commitment level and role, active members, org units reached."""

    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    coordinators: int = 0
    active_members: int = 0
    org_units: int = 0

    @property
    def members(self) -> int:
        return sum(self.levels.values())

    @property
    def active_share(self) -> float | None:
        return round(100 * self.active_members / self.members, 1) if self.members else None

    def level_parts(self) -> list[tuple[str, int, str]]:
        """(label, count, css class) in the colour scale's order, for level bars."""
        return [(Level(level).label, self.levels[level], f"level-{level}") for level in LEVELS]


def active_ledger_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    """Ledger rows that make a member active (anything but joining, in the last ACTIVE_WINDOW)."""
    now = now or timezone.now()
    return (
        ~Q(**{f"{prefix}kind": Participation.Kind.JOINED})
        & Q(**{f"{prefix}at__gte": now - ACTIVE_WINDOW})
        & Q(**{f"{prefix}at__lt": now})
    )


def member_figures(community_ids: list[int], *, now: datetime | None = None) -> dict[int, MemberFigures]:
    """Members by level and role, active members and org units for each community (three queries)."""
    figures = {pk: MemberFigures() for pk in community_ids}
    members = Membership.objects.active().filter(community_id__in=community_ids)
    rows = (
        members.values("community_id", "level")
        .annotate(n=Count("pk"), coordinators=Count("pk", filter=Q(role=Membership.Role.COORDINATOR)))
        .order_by()
    )
    for row in rows:
        figure = figures[row["community_id"]]
        figure.levels[row["level"]] = row["n"]
        figure.coordinators += row["coordinators"]
    # From the (small) recent ledger to memberships, not the other way round: a few thousand rows, not every member.
    is_member = members.filter(community_id=OuterRef("community_id"), user_id=OuterRef("user_id"))
    active = (
        Participation.objects.filter(
            active_ledger_q(now=now), Exists(is_member), community_id__in=community_ids
        )
        .values("community_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    for row in active:
        figures[row["community_id"]].active_members = row["n"]
    units = (
        members.filter(user__org_unit__isnull=False)
        .values("community_id")
        .annotate(n=Count("user__org_unit", distinct=True))
        .order_by()
    )
    for row in units:
        figures[row["community_id"]].org_units = row["n"]
    return figures


@dataclass
class WindowFigures:
    """What happened in a community over a trailing window (health checks, the value matrix, digests)."""

    held: list[datetime] | None = field(default_factory=list)  # occurrences held (not cancelled), in order
    held_count: int | None = 0  # how many (None when not asked for); alone with held="count"
    ledger: dict[str, int] = field(default_factory=dict)  # ledger kind → rows
    participants: int | None = 0  # distinct people with a non-joining ledger row (None: not asked for)
    joined: int = 0
    promoted: int = 0
    discussions: int = 0
    answered: int = 0
    solved: int = 0
    # The middle times to a first reply, in hours, of the discussions answered (the lower and the upper middle:
    # the same one when their number is odd); None when none was answered. The database finds them.
    first_reply_middle: tuple[float, float] | None = None

    @property
    def answered_share(self) -> float | None:
        return round(100 * self.answered / self.discussions, 1) if self.discussions else None

    @property
    def solved_share(self) -> float | None:
        return round(100 * self.solved / self.discussions, 1) if self.discussions else None

    @property
    def median_first_reply_hours(self) -> float | None:
        """The median as `statistics.median` computes it: the mean of the two middles (one when odd)."""
        if self.first_reply_middle is None:
            return None
        lower, upper = self.first_reply_middle
        return round((lower + upper) / 2, 1)

    def count(self, kind: str) -> int:
        return self.ledger.get(kind, 0)


class _Middle(Aggregate):
    """The middle value of each group in the given order, PostgreSQL's `percentile_disc(0.5)`: the lower middle
    of an even group in ascending order, the upper one in descending order, the middle of an odd group in both."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s%(direction)s)%(filter)s"

    def __init__(self, expression, *, descending: bool = False, **extra) -> None:
        super().__init__(expression, direction=" DESC" if descending else "", **extra)


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _window_filters(sinces: list[datetime], field_name: str) -> list[tuple[int, Q]]:
    return [(index, Q(**{f"{field_name}__gte": since})) for index, since in enumerate(sinces)]


def _discussions_in_database(
    figures: list[dict[int, WindowFigures]], discussions, sinces: list[datetime], until: datetime
) -> None:
    """Counts and the middle times to a first reply per window, aggregated by PostgreSQL (one query)."""
    to_answer = ExpressionWrapper(F("first_answer_at") - F("created_at"), output_field=DurationField())
    aggregates = {}
    for index, started in _window_filters(sinces, "created_at"):
        answered = started & Q(first_answer_at__lt=until)
        aggregates |= {
            f"discussions_{index}": Count("pk", filter=started),
            f"answered_{index}": Count("pk", filter=answered),
            f"solved_{index}": Count("pk", filter=started & Q(solved_at__lt=until)),
            f"lower_{index}": _Middle(to_answer, filter=answered),
            f"upper_{index}": _Middle(to_answer, descending=True, filter=answered),
        }
    for row in discussions.values("community_id").annotate(**aggregates).order_by():
        for index, window in enumerate(figures):
            figure = window[row["community_id"]]
            figure.discussions = row[f"discussions_{index}"]
            figure.answered = row[f"answered_{index}"]
            figure.solved = row[f"solved_{index}"]
            if row[f"lower_{index}"] is not None:
                figure.first_reply_middle = (_hours(row[f"lower_{index}"]), _hours(row[f"upper_{index}"]))


def _discussions_in_python(
    figures: list[dict[int, WindowFigures]], discussions, sinces: list[datetime], until: datetime
) -> None:
    """The same figures where the database has no ordered-set aggregates (SQLite): the window's discussions are
    read and counted here (one query)."""
    times: dict[tuple[int, int], list[timedelta]] = defaultdict(list)
    for community_id, created, answered, solved in discussions.values_list(
        "community_id", "created_at", "first_answer_at", "solved_at"
    ):
        for index, since in enumerate(sinces):
            if created < since:
                continue
            figure = figures[index][community_id]
            figure.discussions += 1
            if answered is not None and answered < until:
                figure.answered += 1
                times[index, community_id].append(answered - created)
            if solved is not None and solved < until:
                figure.solved += 1
    for (index, community_id), deltas in times.items():
        deltas.sort()
        middle = (deltas[(len(deltas) - 1) // 2], deltas[len(deltas) // 2])
        figures[index][community_id].first_reply_middle = (_hours(middle[0]), _hours(middle[1]))


def windows_figures(
    community_ids: list[int],
    *,
    sinces: list[datetime],
    until: datetime | None = None,
    participants: bool = True,
    held: bool | str = True,
) -> dict[datetime, dict[int, WindowFigures]]:
    """Activity in [since, until) for each community and each of several windows ending together (the health
    checks' 12 weeks, 90 and 180 days): one pass over the longest window, each window one filter of a
    conditional aggregate, so five queries whatever the number of communities and windows.

    `participants=False` leaves out the distinct people (`participants` is None), the dearest of the five
    queries, for readers that do not show them (the health checks): four queries. `held=False` likewise leaves
    out the dates held (`held` and `held_count` are None), for readers that measure the rhythm with `rhythms`
    instead; `held="count"` counts them in the database (`held_count`) without reading them (`held` is None)."""
    until = until or timezone.now()
    sinces = sorted(set(sinces))
    if not sinces:
        return {}
    earliest = sinces[0]
    figures = [{pk: WindowFigures() for pk in community_ids} for _ in sinces]
    dates = (
        Occurrence.objects.filter(
            community_id__in=community_ids, cancelled=False, start__gte=earliest, start__lt=until
        )
        .order_by("start")
        .values_list("community_id", "start")
    )
    if held == "count":
        counted = _window_filters(sinces, "start")
        for row in (
            dates.values("community_id")
            .annotate(**{f"n_{index}": Count("pk", filter=q) for index, q in counted})
            .order_by()
        ):
            for index, window in enumerate(figures):
                window[row["community_id"]].held_count = row[f"n_{index}"]
    for community_id, start in dates if held is True else ():
        for index, since in enumerate(sinces):
            if start >= since:
                figures[index][community_id].held.append(start)
    ledger = Participation.objects.filter(community_id__in=community_ids, at__gte=earliest, at__lt=until)
    windows = _window_filters(sinces, "at")
    for row in (
        ledger.values("community_id", "kind")
        .annotate(**{f"n_{index}": Count("pk", filter=q) for index, q in windows})
        .order_by()
    ):
        for index, window in enumerate(figures):
            if row[f"n_{index}"]:
                window[row["community_id"]].ledger[row["kind"]] = row[f"n_{index}"]
    people = (
        ledger.exclude(kind=Participation.Kind.JOINED)
        .values("community_id")
        .annotate(**{f"n_{index}": Count("user_id", distinct=True, filter=q) for index, q in windows})
        .order_by()
    )
    for row in people if participants else ():
        for index, window in enumerate(figures):
            window[row["community_id"]].participants = row[f"n_{index}"]
    for window in figures:
        for figure in window.values():
            if not participants:
                figure.participants = None
            if held is True:
                figure.held_count = len(figure.held)
            else:
                figure.held = None
                figure.held_count = figure.held_count if held == "count" else None
    Event = MembershipEvent.Kind
    joined = Q(kind__in=MembershipEvent.JOINS)
    promoted = Q(kind=Event.LEVEL_CHANGED, to_value__in=ENGAGED_LEVELS) & ~Q(from_value__in=ENGAGED_LEVELS)
    aggregates = {}
    for index, q in windows:
        aggregates |= {
            f"joined_{index}": Count("pk", filter=q & joined),
            f"promoted_{index}": Count("pk", filter=q & promoted),
        }
    for row in (
        MembershipEvent.objects.filter(community_id__in=community_ids, at__gte=earliest, at__lt=until)
        .values("community_id")
        .annotate(**aggregates)
        .order_by()
    ):
        for index, window in enumerate(figures):
            window[row["community_id"]].joined = row[f"joined_{index}"]
            window[row["community_id"]].promoted = row[f"promoted_{index}"]
    discussions = Discussion.objects.shown().filter(
        community_id__in=community_ids, created_at__gte=earliest, created_at__lt=until
    )
    count_discussions = (
        _discussions_in_database if connection.vendor == "postgresql" else _discussions_in_python
    )
    count_discussions(figures, discussions, sinces, until)
    return dict(zip(sinces, figures, strict=True))


def window_figures(
    community_ids: list[int], *, since: datetime, until: datetime | None = None, held: bool | str = True
) -> dict[int, WindowFigures]:
    """Activity in [since, until) for each community: five queries whatever the number of communities
    (`held` as `windows_figures` takes it)."""
    return windows_figures(community_ids, sinces=[since], until=until, held=held)[since]


@dataclass(frozen=True)
class Rhythm:
    """The activities held in a window and the longest stretch without one: from the window's opening (or the
    community's founding, if later) to the first, between two, and from the last to the window's end."""

    held: int
    longest_gap: timedelta


def _gaps_in_database(community_ids: list[int], since: datetime, until: datetime) -> dict[int, tuple]:
    """(held, longest gap before a held date, last date held) per community with a date held: PostgreSQL ranks
    each date after the one before (LAG) or after the window's opening, and aggregates (one query)."""
    sql = """
        SELECT community_id, COUNT(*), MAX(gap), MAX(start) FROM (
            SELECT held.community_id, held.start,
                   held.start - COALESCE(
                       LAG(held.start) OVER (PARTITION BY held.community_id ORDER BY held.start),
                       GREATEST(%(since)s, community.created_at)
                   ) AS gap
            FROM activities_occurrence held
            JOIN communities_community community ON community.id = held.community_id
            WHERE held.community_id = ANY(%(ids)s) AND NOT held.cancelled
              AND held.start >= %(since)s AND held.start < %(until)s
        ) AS gaps
        GROUP BY community_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(community_ids), "since": since, "until": until})
        return {community_id: (held, gap, last) for community_id, held, gap, last in cursor.fetchall()}


def _gaps_in_python(community_ids: list[int], since: datetime, until: datetime) -> dict[int, tuple]:
    """The same where a database cannot subtract its timestamps portably (SQLite): the dates are read and their
    gaps measured here (one query)."""
    found: dict[int, tuple] = {}
    for community_id, created, start in (
        Occurrence.objects.filter(
            community_id__in=community_ids, cancelled=False, start__gte=since, start__lt=until
        )
        .order_by("community_id", "start")
        .values_list("community_id", "community__created_at", "start")
    ):
        held, gap, last = found.get(community_id, (0, None, max(since, created)))
        gap = start - last if gap is None else max(gap, start - last)
        found[community_id] = (held + 1, gap, start)
    return found


def rhythms(opened: dict[int, datetime], *, since: datetime, until: datetime) -> dict[int, Rhythm]:
    """Each community's rhythm over [since, until), given when it was founded (`opened`: community id →
    created_at; a window opens at the later of the two). One query, however many communities and dates."""
    measure = _gaps_in_database if connection.vendor == "postgresql" else _gaps_in_python
    found = measure(list(opened), since, until)
    result = {}
    for pk, created in opened.items():
        start = max(since, created)
        if pk not in found:
            result[pk] = Rhythm(held=0, longest_gap=until - start)
            continue
        held, gap, last = found[pk]
        result[pk] = Rhythm(held=held, longest_gap=max(gap, until - last))
    return result


def by_community(rows, key: str = "community_id") -> dict[int, list]:
    """Group rows (dicts or objects) by their community id."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
    return grouped
