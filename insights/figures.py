"""The figures insights reports, each defined once, computed live with a fixed number of aggregate queries.

"Active member": a member with at least one participation-ledger row other than joining in the last 30 days
(`ACTIVE_WINDOW`). Snapshots (`insights.snapshots`) apply the same definitions to past days; dashboards, health
checks and (later) digests call these functions with many communities at once, never one query per community.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
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

    held: list[datetime] = field(default_factory=list)  # occurrences held (not cancelled), in order
    ledger: dict[str, int] = field(default_factory=dict)  # ledger kind → rows
    participants: int = 0  # distinct people with a non-joining ledger row
    joined: int = 0
    promoted: int = 0
    discussions: int = 0
    answered: int = 0
    solved: int = 0
    first_reply_hours: list[float] = field(default_factory=list)

    @property
    def answered_share(self) -> float | None:
        return round(100 * self.answered / self.discussions, 1) if self.discussions else None

    @property
    def solved_share(self) -> float | None:
        return round(100 * self.solved / self.discussions, 1) if self.discussions else None

    @property
    def median_first_reply_hours(self) -> float | None:
        return round(statistics.median(self.first_reply_hours), 1) if self.first_reply_hours else None

    def count(self, kind: str) -> int:
        return self.ledger.get(kind, 0)


def window_figures(
    community_ids: list[int], *, since: datetime, until: datetime | None = None
) -> dict[int, WindowFigures]:
    """Activity in [since, until) for each community: five queries whatever the number of communities."""
    until = until or timezone.now()
    figures = {pk: WindowFigures() for pk in community_ids}
    for community_id, start in (
        Occurrence.objects.filter(
            community_id__in=community_ids, cancelled=False, start__gte=since, start__lt=until
        )
        .order_by("start")
        .values_list("community_id", "start")
    ):
        figures[community_id].held.append(start)
    ledger = Participation.objects.filter(community_id__in=community_ids, at__gte=since, at__lt=until)
    for row in ledger.values("community_id", "kind").annotate(n=Count("pk")).order_by():
        figures[row["community_id"]].ledger[row["kind"]] = row["n"]
    for row in (
        ledger.exclude(kind=Participation.Kind.JOINED)
        .values("community_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    ):
        figures[row["community_id"]].participants = row["n"]
    Event = MembershipEvent.Kind
    for row in (
        MembershipEvent.objects.filter(community_id__in=community_ids, at__gte=since, at__lt=until)
        .values("community_id")
        .annotate(
            joined=Count("pk", filter=Q(kind__in=[Event.JOINED, Event.APPROVED, Event.INVITATION_ACCEPTED])),
            promoted=Count(
                "pk",
                filter=Q(kind=Event.LEVEL_CHANGED, to_value__in=ENGAGED_LEVELS)
                & ~Q(from_value__in=ENGAGED_LEVELS),
            ),
        )
        .order_by()
    ):
        figures[row["community_id"]].joined = row["joined"]
        figures[row["community_id"]].promoted = row["promoted"]
    for community_id, created, answered, solved in (
        Discussion.objects.shown()
        .filter(community_id__in=community_ids, created_at__gte=since, created_at__lt=until)
        .values_list("community_id", "created_at", "first_answer_at", "solved_at")
    ):
        figure = figures[community_id]
        figure.discussions += 1
        if answered is not None and answered < until:
            figure.answered += 1
            figure.first_reply_hours.append((answered - created).total_seconds() / 3600)
        if solved is not None and solved < until:
            figure.solved += 1
    return figures


def by_community(rows, key: str = "community_id") -> dict[int, list]:
    """Group rows (dicts or objects) by their community id."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
    return grouped
