"""Health checks that depend on a community's lifecycle stage.

A coalescing community needs a regular rhythm; a maturing one a growing repertoire and answered questions; a
stewardship one a flow of newcomers into the active level and the core group. Which checks apply to which stage,
and their thresholds, are in `settings.INSIGHTS_HEALTH_CHECKS`. Each check says what it measured, the threshold,
its status, and what a coordinator can do about it. All communities' checks take a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from communities.models import Community, Participation
from insights.figures import MemberFigures, Rhythm, WindowFigures, member_figures, rhythms, windows_figures
from insights.models import ValueStory


class Status(StrEnum):
    OK = "ok"
    WATCH = "watch"
    ATTENTION = "attention"
    NO_DATA = "no_data"


STATUS_LABELS = {
    Status.OK: "Healthy",
    Status.WATCH: "Watch",
    Status.ATTENTION: "Needs attention",
    Status.NO_DATA: "Not enough data yet",
}
# How much each status weighs when sorting communities by the attention they need.
ATTENTION_WEIGHT = {Status.ATTENTION: 3, Status.WATCH: 1, Status.NO_DATA: 0, Status.OK: 0}


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    measured: str
    threshold: str
    status: Status
    advice: str
    value: float | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def needs_action(self) -> bool:
        return self.status in (Status.WATCH, Status.ATTENTION)


def attention_score(checks: list[Check]) -> int:
    return sum(ATTENTION_WEIGHT[check.status] for check in checks)


def at_least(value: float, threshold: float) -> Status:
    """A "minimum" check: ok at or above the threshold, watch down to half of it, attention below."""
    if value >= threshold:
        return Status.OK
    return Status.WATCH if value >= threshold / 2 else Status.ATTENTION


def at_most(value: float, threshold: float) -> Status:
    """A "maximum" check: ok at or below the threshold, watch up to half as much again, attention beyond."""
    if value <= threshold:
        return Status.OK
    return Status.WATCH if value <= threshold * 1.5 else Status.ATTENTION


def _plural(count: float, word: str) -> str:
    """ "1 story", "2 stories", "3 members"."""
    shown = f"{count:g}"
    if count == 1:
        return f"{shown} {word}"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return f"{shown} {word[:-1]}ies"
    return f"{shown} {word}s"


@dataclass
class _Inputs:
    community: Community
    members: MemberFigures
    windows: dict[int, WindowFigures]  # window in days → figures
    stories: dict[int, int]  # window in days → reframing stories
    now: datetime
    rhythm: Rhythm | None = None  # over the rhythm check's window, when a community's stage needs it


@dataclass(frozen=True)
class Reading:
    """What one check read from a community's figures: the figure, how it reads, the threshold it is held to and
    the status (`Status.NO_DATA` when there is nothing to measure yet)."""

    measured: str
    threshold: str
    status: Status
    value: float | None = None


def _minimum(value: float, wanted: float, measured: str, unit: str = "") -> Reading:
    """The reading of a "minimum" check: at least `wanted` (`at_least`)."""
    return Reading(measured, f"at least {wanted}{unit}", at_least(value, wanted), value)


@dataclass(frozen=True)
class CheckSpec:
    """One row of the table of checks: its key, title and advice (and its advice when there is nothing to
    measure yet), and how it reads a community's figures. Calling it is the one evaluator: the reading, with the
    row's key, title and advice, makes the `Check`."""

    key: str
    title: str
    advice: str
    read: Callable[[_Inputs, dict], Reading]
    no_data_advice: str = ""

    def __call__(self, inputs: _Inputs, config: dict) -> Check:
        reading = self.read(inputs, config)
        return Check(
            key=self.key,
            title=self.title,
            measured=reading.measured,
            threshold=reading.threshold,
            status=reading.status,
            advice=self.no_data_advice if reading.status is Status.NO_DATA else self.advice,
            value=reading.value,
        )


CHECKS: dict[str, CheckSpec] = {}


def check(key: str, title: str, *, advice: str, no_data_advice: str = "") -> Callable:
    """Enter the decorated reading into the table of checks (settings.INSIGHTS_HEALTH_CHECKS names them by key)."""

    def enter(read: Callable[[_Inputs, dict], Reading]) -> CheckSpec:
        CHECKS[key] = CheckSpec(key, title, advice, read, no_data_advice)
        return CHECKS[key]

    return enter


@check(
    "coordinator",
    "A coordinator shepherds the community",
    advice="Ask staff to appoint a coordinator from the core group; a community without one drifts.",
)
def _coordinator(inputs: _Inputs, config: dict) -> Reading:
    count = inputs.members.coordinators
    ok = count > 0 and not inputs.community.needs_coordinator
    return Reading(_plural(count, "coordinator"), "at least 1", Status.OK if ok else Status.ATTENTION, count)


@check(
    "core_group",
    "A core group carries the community",
    advice="Invite the members who already take the lead into the core group (Members → level).",
)
def _core_group(inputs: _Inputs, config: dict) -> Reading:
    count = inputs.members.levels["core"]
    return _minimum(count, config["min_members"], f"{_plural(count, 'member')} in the core group")


@check(
    "rhythm",
    "A regular rhythm of activities",
    advice="Schedule a recurring activity (Activities → Schedule, “repeats every other week”) so members can "
    "count on the next meeting.",
)
def _rhythm(inputs: _Inputs, config: dict) -> Reading:
    weeks, max_gap = config["window_weeks"], config["max_gap_weeks"]
    rhythm = inputs.rhythm
    gap_weeks = round(rhythm.longest_gap / timedelta(weeks=1), 1)
    return Reading(
        f"longest stretch without an activity in the last {weeks} weeks: {_plural(gap_weeks, 'week')} "
        f"({_plural(rhythm.held, 'activity')} held)",
        f"no gap longer than {_plural(max_gap, 'week')}",
        at_most(gap_weeks, max_gap),
        gap_weeks,
    )


@check(
    "active_share",
    "Members take part",
    advice="Ask peripheral members a question they can answer, or invite them to present a short story from "
    "their work at the next activity.",
    no_data_advice="Invite the people who care about the domain.",
)
def _active_share(inputs: _Inputs, config: dict) -> Reading:
    share, wanted = inputs.members.active_share, config["min_percent"]
    if share is None:
        return Reading("no members yet", f"at least {wanted}% active in the last 30 days", Status.NO_DATA)
    measured = (
        f"{share:g}% active in the last 30 days ({inputs.members.active_members} of {inputs.members.members})"
    )
    return _minimum(share, wanted, measured, "%")


@check(
    "repertoire",
    "A growing repertoire",
    advice="Harvest accepted answers and activity notes into the library: “Harvest into the library” on a solved "
    "discussion or under an activity's notes, or Library → “Harvest” for all of them.",
)
def _repertoire(inputs: _Inputs, config: dict) -> Reading:
    days = config["window_days"]
    added = inputs.windows[days].count(Participation.Kind.RESOURCE_ADDED)
    return _minimum(
        added, config["min_resources"], f"{_plural(added, 'resource')} added in the last {days} days"
    )


@check(
    "answered",
    "Questions get answered",
    advice="Look at Discussions → Unanswered and mention (@name) a member who knows the answer.",
    no_data_advice="Start a discussion with a question from your own work; others follow an example.",
)
def _answered(inputs: _Inputs, config: dict) -> Reading:
    days, wanted = config["window_days"], config["min_percent"]
    figures = inputs.windows[days]
    if not figures.discussions:
        return Reading(
            f"no discussions started in the last {days} days", f"at least {wanted}% answered", Status.NO_DATA
        )
    measured = (
        f"{figures.answered_share:g}% of {_plural(figures.discussions, 'discussion')} from the last {days} days "
        "answered"
    )
    return _minimum(figures.answered_share, wanted, measured, "%")


@check(
    "first_reply",
    "Answers come quickly",
    advice="Agree in the core group who looks at new questions each week.",
    no_data_advice="Follow new discussions so you hear of them at once.",
)
def _first_reply(inputs: _Inputs, config: dict) -> Reading:
    days, limit = config["window_days"], config["max_hours"]
    median = inputs.windows[days].median_first_reply_hours
    if median is None:
        return Reading(
            f"no answered discussions in the last {days} days",
            f"a first reply within {limit} hours (median)",
            Status.NO_DATA,
        )
    return Reading(
        f"median time to a first reply: {_plural(median, 'hour')}",
        f"at most {limit} hours",
        at_most(median, limit),
        median,
    )


@check(
    "applied",
    "Members apply what the community knows",
    advice="Ask members at the next activity who used a resource, and invite them to record it.",
)
def _applied(inputs: _Inputs, config: dict) -> Reading:
    days = config["window_days"]
    count = inputs.windows[days].count(Participation.Kind.APPLIED)
    measured = f"{_plural(count, '“I applied this” story')} in the last {days} days"
    return _minimum(count, config["min_stories"], measured)


@check(
    "newcomers",
    "Newcomers move towards the centre",
    advice="Give occasional members a role (host a session, curate a collection) and change their level when "
    "they take it up.",
)
def _newcomers(inputs: _Inputs, config: dict) -> Reading:
    days = config["window_days"]
    count = inputs.windows[days].promoted
    measured = (
        f"{_plural(count, 'member')} moved into the active level or the core group in the last {days} days"
    )
    return _minimum(count, config["min_promotions"], measured)


@check(
    "handover",
    "The transformation is decided and recorded",
    advice="Record what the community becomes, and what of its practice lives on (Health → Record a story).",
)
def _handover(inputs: _Inputs, config: dict) -> Reading:
    days = config["window_days"]
    count = inputs.stories.get(days, 0)
    return _minimum(
        count, config["min_stories"], f"{_plural(count, 'reframing story')} recorded in the last {days} days"
    )


def _window_days(config: dict) -> int | None:
    if "window_days" in config:
        return config["window_days"]
    if "window_weeks" in config:
        return config["window_weeks"] * 7
    return None


def health_checks(
    communities: list[Community],
    *,
    now: datetime | None = None,
    members: dict[int, MemberFigures] | None = None,
) -> dict[int, list[Check]]:
    """The checks that apply to each community's stage, in settings order (a fixed number of queries)."""
    now = now or timezone.now()
    ids = [community.pk for community in communities]
    configured = settings.INSIGHTS_HEALTH_CHECKS
    members = members if members is not None else member_figures(ids, now=now)
    stages = {community.stage for community in communities}
    needed = {
        days
        for key, config in configured.items()
        if key not in ("handover", "rhythm")
        and (days := _window_days(config))
        and stages & set(config["stages"])
    }
    rhythm = configured.get("rhythm")
    rhythm_of = (
        rhythms(
            {community.pk: community.created_at for community in communities},
            since=now - timedelta(weeks=rhythm["window_weeks"]),
            until=now,
        )
        if rhythm and stages & set(rhythm["stages"])
        else {}
    )
    sinces = {days: now - timedelta(days=days) for days in needed}
    by_since = windows_figures(ids, sinces=list(sinces.values()), until=now, participants=False, held=False)
    windows = {days: by_since[since] for days, since in sorted(sinces.items())}
    stories: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    handover = configured.get("handover")
    if handover and "transformation" in stages:
        days = handover["window_days"]
        for row in (
            ValueStory.objects.filter(
                community_id__in=ids,
                cycle=ValueStory.Cycle.REFRAMING,
                happened_on__gt=(timezone.localtime(now) - timedelta(days=days)).date(),
            )
            .values("community_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            stories[row["community_id"]][days] = row["n"]
    results = {}
    for community in communities:
        inputs = _Inputs(
            community=community,
            members=members[community.pk],
            windows={days: figures[community.pk] for days, figures in windows.items()},
            stories=stories[community.pk],
            now=now,
            rhythm=rhythm_of.get(community.pk),
        )
        results[community.pk] = [
            CHECKS[key](inputs, config)
            for key, config in configured.items()
            if community.stage in config["stages"]
        ]
    return results
