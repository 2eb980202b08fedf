"""Daily snapshots: each community's figures for a day, replayed from the membership history and the ledger.

The daily task and the rebuild command run the same code (`compute_snapshots`), so a snapshot rebuilt later for a
past day equals the one the task took that night, as long as the history it reads is unchanged. One pass reads
a fixed number of queries (communities, membership history, ledger, occurrences, discussions) whatever the number
of communities or days, then replays them day by day in memory.

Days are calendar days in the organization's time zone (`TIME_ZONE`).
"""

import bisect
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from activities.models import Discussion, Occurrence
from communities.models import Community, Level, Membership, MembershipEvent, Participation
from insights.figures import ACTIVE_WINDOW, DISCUSSION_WINDOW, LEVELS
from insights.models import SNAPSHOT_FIGURES, Snapshot

Event = MembershipEvent.Kind
JOINS = MembershipEvent.JOINS
LEAVES = MembershipEvent.LEAVES
ENGAGED = {Level.CORE, Level.ACTIVE}
# How far back the daily task fills days it missed (the beat was down, the worker was away).
CATCH_UP_DAYS = 7


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """Midnight starting `day` in the organization's time zone (DST-safe: built from the date, not by adding)."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def local_today() -> date:
    return timezone.localtime(timezone.now(), local_zone()).date()


@dataclass
class _Community:
    """The replay's state of one community: its members and running counts."""

    members: dict[int, list[str]] = field(default_factory=dict)  # user id → [level, role]
    levels: Counter = field(default_factory=Counter)
    coordinators: int = 0
    units: Counter = field(default_factory=Counter)  # org unit id → members in it
    window: Counter = field(default_factory=Counter)  # user id → ledger rows in the active window
    flows: Counter = field(default_factory=Counter)

    def add(self, user_id: int, level: str, role: str, unit: int | None) -> None:
        self.members[user_id] = [level, role]
        self.levels[level] += 1
        self.coordinators += role == Membership.Role.COORDINATOR
        if unit is not None:
            self.units[unit] += 1

    def remove(self, user_id: int, unit: int | None) -> None:
        level, role = self.members.pop(user_id)
        self.levels[level] -= 1
        self.coordinators -= role == Membership.Role.COORDINATOR
        if unit is not None:
            self.units[unit] -= 1
            if not self.units[unit]:
                del self.units[unit]


def _apply(
    state: _Community, kind: str, user_id: int, from_value: str, to_value: str, unit: int | None
) -> None:
    """Replay one membership event the way the communities services change a membership."""
    member = state.members.get(user_id)
    if kind in JOINS:
        if member is not None:
            state.remove(user_id, unit)
        state.add(user_id, to_value or Level.PERIPHERAL, Membership.Role.MEMBER, unit)
        state.flows["joined"] += 1
    elif kind in LEAVES:
        if member is not None:
            state.remove(user_id, unit)
            state.flows["left"] += 1
    elif kind == Event.LEVEL_CHANGED and member is not None:
        state.levels[member[0]] -= 1
        member[0] = to_value
        state.levels[to_value] += 1
        if to_value in ENGAGED and from_value not in ENGAGED:
            state.flows["promoted"] += 1
    elif kind == Event.ROLE_CHANGED:
        if member is None:
            # Staff appointing a coordinator who was not a member makes them one, in the core group.
            state.add(user_id, Level.CORE, to_value, unit)
            state.flows["joined"] += 1
        else:
            state.coordinators -= member[1] == Membership.Role.COORDINATOR
            member[1] = to_value
            state.coordinators += to_value == Membership.Role.COORDINATOR


def compute_snapshots(
    *, first_day: date, last_day: date, community_ids: list[int] | None = None
) -> list[Snapshot]:
    """Unsaved snapshots for every community that existed and was not archived, for each day in the range."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    communities = Community.objects.filter(created_at__lt=end).filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=start)
    )
    if community_ids is not None:
        communities = communities.filter(pk__in=community_ids)
    lifetimes = {
        pk: (created, archived)
        for pk, created, archived in communities.values_list("pk", "created_at", "archived_at")
    }
    ids = list(lifetimes)
    if not ids:
        return []
    events = (
        MembershipEvent.objects.filter(community_id__in=ids, at__lt=end)
        .exclude(kind__in=[Event.REQUESTED, Event.INVITED, Event.DECLINED, Event.INVITATION_DECLINED])
        .order_by("at", "pk")
        .values_list("community_id", "user_id", "kind", "from_value", "to_value", "at", "user__org_unit_id")
    )
    ledger = (
        Participation.objects.filter(community_id__in=ids, at__gte=start - ACTIVE_WINDOW, at__lt=end)
        .exclude(kind=Participation.Kind.JOINED)
        .order_by("at", "pk")
        .values_list("community_id", "user_id", "kind", "at")
    )
    held = Counter(
        (community_id, timezone.localtime(at, local_zone()).date())
        for community_id, at in Occurrence.objects.filter(
            community_id__in=ids, start__gte=start, start__lt=end, cancelled=False
        ).values_list("community_id", "start")
    )
    discussions: dict[int, list[tuple]] = defaultdict(list)
    for community_id, created, answered, solved in (
        Discussion.objects.shown()
        .filter(community_id__in=ids, created_at__gte=start - DISCUSSION_WINDOW, created_at__lt=end)
        .order_by("created_at")
        .values_list("community_id", "created_at", "first_answer_at", "solved_at")
    ):
        discussions[community_id].append((created, answered, solved))
    starts = {pk: [row[0] for row in rows] for pk, rows in discussions.items()}

    states = {pk: _Community() for pk in ids}
    event_rows, ledger_rows = list(events.iterator(chunk_size=5000)), list(ledger.iterator(chunk_size=5000))
    next_event = next_row = leaving_row = 0
    snapshots = []

    def replay_until(moment: datetime) -> None:
        nonlocal next_event
        while next_event < len(event_rows) and event_rows[next_event][5] < moment:
            community_id, user_id, kind, from_value, to_value, _at, unit = event_rows[next_event]
            _apply(states[community_id], kind, user_id, from_value, to_value, unit)
            next_event += 1

    replay_until(start)  # the state before the first day; its flows are not counted
    day = first_day
    while day <= last_day:
        opens, closes = day_start(day), day_start(day + timedelta(days=1))
        for state in states.values():
            state.flows.clear()
        replay_until(closes)
        while next_row < len(ledger_rows) and ledger_rows[next_row][3] < closes:
            community_id, user_id, kind, at = ledger_rows[next_row]
            states[community_id].window[user_id] += 1
            if at >= opens:
                states[community_id].flows[kind] += 1
            next_row += 1
        while leaving_row < next_row and ledger_rows[leaving_row][3] < closes - ACTIVE_WINDOW:
            community_id, user_id, _kind, _at = ledger_rows[leaving_row]
            window = states[community_id].window
            window[user_id] -= 1
            if not window[user_id]:
                del window[user_id]
            leaving_row += 1
        for pk in ids:
            created, archived = lifetimes[pk]
            if created >= closes or (archived is not None and archived < opens):
                continue
            snapshots.append(
                _snapshot(
                    pk, day, states[pk], held[(pk, day)], discussions.get(pk, []), starts.get(pk, []), closes
                )
            )
        day += timedelta(days=1)
    return snapshots


def _snapshot(
    community_id: int,
    day: date,
    state: _Community,
    held: int,
    discussions: list[tuple],
    starts: list[datetime],
    closes: datetime,
) -> Snapshot:
    first = bisect.bisect_left(starts, closes - DISCUSSION_WINDOW)
    last = bisect.bisect_left(starts, closes)
    recent = discussions[first:last]
    answered = [a - c for c, a, _s in recent if a is not None and a < closes]
    solved = sum(1 for _c, _a, s in recent if s is not None and s < closes)
    flows = state.flows
    Kind = Participation.Kind
    return Snapshot(
        community_id=community_id,
        day=day,
        members=len(state.members),
        **{f"level_{level}": state.levels[level] for level in LEVELS},
        coordinators=state.coordinators,
        active_members=len(state.window.keys() & state.members.keys()),
        org_units=len(state.units),
        joined=flows["joined"],
        left=flows["left"],
        promoted=flows["promoted"],
        activities_held=held,
        attendance=flows[Kind.ATTENDED],
        discussions=flows[Kind.POSTED],
        replies=flows[Kind.REPLIED],
        resources_added=flows[Kind.RESOURCE_ADDED],
        applied=flows[Kind.APPLIED],
        recent_discussions=len(recent),
        answered_share=round(100 * len(answered) / len(recent), 1) if recent else None,
        solved_share=round(100 * solved / len(recent), 1) if recent else None,
        median_first_reply_hours=round(statistics.median(answered).total_seconds() / 3600, 1)
        if answered
        else None,
    )


@transaction.atomic
def snapshots_store(snapshots: list[Snapshot]) -> int:
    """Insert or overwrite snapshots (one row per community and day: running twice changes nothing); the
    communities' cached insights are made again (`insights.cached`)."""
    now = timezone.now()
    for snapshot in snapshots:
        snapshot.taken_at = now
    Snapshot.objects.bulk_create(
        snapshots,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["community", "day"],
        update_fields=[*SNAPSHOT_FIGURES, "taken_at"],
    )
    from insights.cached import bump  # below: the cache's keys hold the day, which this module tells

    bump({snapshot.community_id for snapshot in snapshots})  # a bulk write sends no signal
    return len(snapshots)


def snapshots_take_daily(*, today: date | None = None) -> int:
    """The daily task's work: snapshot yesterday, and any of the last CATCH_UP_DAYS days no run took."""
    today = today or local_today()
    yesterday = today - timedelta(days=1)
    latest = Snapshot.objects.filter(day__lt=today).aggregate(latest=Max("day"))["latest"]
    first = max(today - timedelta(days=CATCH_UP_DAYS), (latest + timedelta(days=1)) if latest else yesterday)
    first = min(first, yesterday)
    return snapshots_store(compute_snapshots(first_day=first, last_day=yesterday))


def snapshots_rebuild(*, first_day: date, last_day: date, community_ids: list[int] | None = None) -> int:
    """Recompute and store snapshots for past days (the rebuild command)."""
    return snapshots_store(
        compute_snapshots(first_day=first_day, last_day=last_day, community_ids=community_ids)
    )
