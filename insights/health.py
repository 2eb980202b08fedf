"""Health checks that depend on a community's lifecycle stage.

A coalescing community needs a regular rhythm; a maturing one a growing repertoire and answered questions; a
stewardship one a flow of newcomers into the active level and the core group. Which checks apply to which stage,
and their thresholds, are in `settings.INSIGHTS_HEALTH_CHECKS`. Each check says what it measured, the threshold,
its status, and what a coordinator can do about it. All communities' checks take a fixed number of queries.
"""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from communities.models import Community, Participation
from insights.figures import MemberFigures, WindowFigures, member_figures, window_figures
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


def _coordinator(inputs: _Inputs, config: dict) -> Check:
    count = inputs.members.coordinators
    ok = count > 0 and not inputs.community.needs_coordinator
    return Check(
        key="coordinator",
        title="A coordinator shepherds the community",
        measured=f"{_plural(count, 'coordinator')}",
        threshold="at least 1",
        status=Status.OK if ok else Status.ATTENTION,
        advice="Ask staff to appoint a coordinator from the core group; a community without one drifts.",
        value=count,
    )


def _core_group(inputs: _Inputs, config: dict) -> Check:
    count, wanted = inputs.members.levels["core"], config["min_members"]
    return Check(
        key="core_group",
        title="A core group carries the community",
        measured=f"{_plural(count, 'member')} in the core group",
        threshold=f"at least {wanted}",
        status=at_least(count, wanted),
        advice="Invite the members who already take the lead into the core group (Members → level).",
        value=count,
    )


def _rhythm(inputs: _Inputs, config: dict) -> Check:
    weeks, max_gap = config["window_weeks"], config["max_gap_weeks"]
    figures = inputs.windows[weeks * 7]
    opened = max(inputs.now - timedelta(weeks=weeks), inputs.community.created_at)
    moments = [opened, *[held for held in figures.held if held <= inputs.now], inputs.now]
    gap = max((later - earlier for earlier, later in itertools.pairwise(moments)), default=timedelta(0))
    gap_weeks = round(gap / timedelta(weeks=1), 1)
    return Check(
        key="rhythm",
        title="A regular rhythm of activities",
        measured=f"longest stretch without an activity in the last {weeks} weeks: {_plural(gap_weeks, 'week')} "
        f"({_plural(len(figures.held), 'activity')} held)",
        threshold=f"no gap longer than {_plural(max_gap, 'week')}",
        status=at_most(gap_weeks, max_gap),
        advice="Schedule a recurring activity (Activities → Schedule, “repeats every other week”) so members "
        "can count on the next meeting.",
        value=gap_weeks,
    )


def _active_share(inputs: _Inputs, config: dict) -> Check:
    share, wanted = inputs.members.active_share, config["min_percent"]
    if share is None:
        return Check(
            key="active_share",
            title="Members take part",
            measured="no members yet",
            threshold=f"at least {wanted}% active in the last 30 days",
            status=Status.NO_DATA,
            advice="Invite the people who care about the domain.",
        )
    return Check(
        key="active_share",
        title="Members take part",
        measured=f"{share:g}% active in the last 30 days ({inputs.members.active_members} of "
        f"{inputs.members.members})",
        threshold=f"at least {wanted}%",
        status=at_least(share, wanted),
        advice="Ask peripheral members a question they can answer, or invite them to present a short story "
        "from their work at the next activity.",
        value=share,
    )


def _repertoire(inputs: _Inputs, config: dict) -> Check:
    days, wanted = config["window_days"], config["min_resources"]
    added = inputs.windows[days].count(Participation.Kind.RESOURCE_ADDED)
    return Check(
        key="repertoire",
        title="A growing repertoire",
        measured=f"{_plural(added, 'resource')} added in the last {days} days",
        threshold=f"at least {wanted}",
        status=at_least(added, wanted),
        advice="Harvest accepted answers and activity notes into the library: “Harvest into the library” on a "
        "solved discussion or under an activity's notes, or Library → “Harvest” for all of them.",
        value=added,
    )


def _answered(inputs: _Inputs, config: dict) -> Check:
    days, wanted = config["window_days"], config["min_percent"]
    figures = inputs.windows[days]
    if not figures.discussions:
        return Check(
            key="answered",
            title="Questions get answered",
            measured=f"no discussions started in the last {days} days",
            threshold=f"at least {wanted}% answered",
            status=Status.NO_DATA,
            advice="Start a discussion with a question from your own work; others follow an example.",
        )
    return Check(
        key="answered",
        title="Questions get answered",
        measured=f"{figures.answered_share:g}% of {_plural(figures.discussions, 'discussion')} from the last "
        f"{days} days answered",
        threshold=f"at least {wanted}%",
        status=at_least(figures.answered_share, wanted),
        advice="Look at Discussions → Unanswered and mention (@name) a member who knows the answer.",
        value=figures.answered_share,
    )


def _first_reply(inputs: _Inputs, config: dict) -> Check:
    days, limit = config["window_days"], config["max_hours"]
    median = inputs.windows[days].median_first_reply_hours
    if median is None:
        return Check(
            key="first_reply",
            title="Answers come quickly",
            measured=f"no answered discussions in the last {days} days",
            threshold=f"a first reply within {limit} hours (median)",
            status=Status.NO_DATA,
            advice="Follow new discussions so you hear of them at once.",
        )
    return Check(
        key="first_reply",
        title="Answers come quickly",
        measured=f"median time to a first reply: {_plural(median, 'hour')}",
        threshold=f"at most {limit} hours",
        status=at_most(median, limit),
        advice="Agree in the core group who looks at new questions each week.",
        value=median,
    )


def _applied(inputs: _Inputs, config: dict) -> Check:
    days, wanted = config["window_days"], config["min_stories"]
    count = inputs.windows[days].count(Participation.Kind.APPLIED)
    return Check(
        key="applied",
        title="Members apply what the community knows",
        measured=f"{_plural(count, '“I applied this” story')} in the last {days} days",
        threshold=f"at least {wanted}",
        status=at_least(count, wanted),
        advice="Ask members at the next activity who used a resource, and invite them to record it.",
        value=count,
    )


def _newcomers(inputs: _Inputs, config: dict) -> Check:
    days, wanted = config["window_days"], config["min_promotions"]
    count = inputs.windows[days].promoted
    return Check(
        key="newcomers",
        title="Newcomers move towards the centre",
        measured=f"{_plural(count, 'member')} moved into the active level or the core group in the last {days} days",
        threshold=f"at least {wanted}",
        status=at_least(count, wanted),
        advice="Give occasional members a role (host a session, curate a collection) and change their level "
        "when they take it up.",
        value=count,
    )


def _handover(inputs: _Inputs, config: dict) -> Check:
    days, wanted = config["window_days"], config["min_stories"]
    count = inputs.stories.get(days, 0)
    return Check(
        key="handover",
        title="The transformation is decided and recorded",
        measured=f"{_plural(count, 'reframing story')} recorded in the last {days} days",
        threshold=f"at least {wanted}",
        status=at_least(count, wanted),
        advice="Record what the community becomes, and what of its practice lives on (Health → Record a story).",
        value=count,
    )


CHECKS = {
    "coordinator": _coordinator,
    "core_group": _core_group,
    "rhythm": _rhythm,
    "active_share": _active_share,
    "repertoire": _repertoire,
    "answered": _answered,
    "first_reply": _first_reply,
    "applied": _applied,
    "newcomers": _newcomers,
    "handover": _handover,
}


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
        if key != "handover" and (days := _window_days(config)) and stages & set(config["stages"])
    }
    windows = {
        days: window_figures(ids, since=now - timedelta(days=days), until=now) for days in sorted(needed)
    }
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
        )
        results[community.pk] = [
            CHECKS[key](inputs, config)
            for key, config in configured.items()
            if community.stage in config["stages"]
        ]
    return results
