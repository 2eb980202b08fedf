"""The value-creation matrix: for each community and period, figures and example stories per cycle of value.

Immediate value (activities and interactions) and potential value (knowledge built: resources, answered
questions, new members) come from the participation ledger and the repertoire; applied value (changes in practice)
from "I applied this" stories; realized value (results the organization sees) and reframing value (new goals, new
ways of measuring success) from the stories coordinators and sponsors record (`ValueStory`). Every function here
takes many communities at once and runs a fixed number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from activities.models import Occurrence
from communities.models import Participation
from insights.figures import window_figures
from insights.models import ValueStory
from insights.snapshots import day_start
from repertoire.models import Application, Resource

EXAMPLES = 3


@dataclass
class Example:
    """One line of evidence under a cycle: a title, who or what, a link, a date."""

    title: str
    detail: str = ""
    url: str = ""
    at: date | datetime | None = None
    evidence: str = ""
    pk: int | None = None


@dataclass
class Cycle:
    key: str
    name: str
    question: str  # what the cycle asks, in the words of the value-creation framework
    figures: list[tuple[str, int]] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)


@dataclass
class Period:
    first_day: date
    last_day: date

    @property
    def since(self) -> datetime:
        return day_start(self.first_day)

    @property
    def until(self) -> datetime:
        return day_start(self.last_day + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.first_day:%-d %b %Y} to {self.last_day:%-d %b %Y}"


def last_days(days: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(first_day=today - timedelta(days=days - 1), last_day=today)


def _top(queryset, *, partition: str | list[str], order: list, limit: int = EXAMPLES):
    """The first `limit` rows per community (or per `partition`), in one query (a window function), in rank
    order (without the final ordering the rows came back in the model's default order, not the ranking's)."""
    names = [partition] if isinstance(partition, str) else partition
    return (
        queryset.annotate(rank=Window(RowNumber(), partition_by=[F(name) for name in names], order_by=order))
        .filter(rank__lte=limit)
        .order_by(*names, "rank")
    )


def value_matrix(community_ids: list[int], period: Period) -> dict[int, list[Cycle]]:
    """The five cycles of value for each community over the period (ten queries whatever the number)."""
    windows = window_figures(community_ids, since=period.since, until=period.until, held="count")
    matrix: dict[int, dict[str, Cycle]] = {}
    for pk in community_ids:
        figures = windows[pk]
        Kind = Participation.Kind
        matrix[pk] = {
            "immediate": Cycle(
                "immediate",
                "Immediate value",
                "What happened: activities and interactions, and who took part.",
                [
                    ("Activities held", figures.held_count),
                    ("Attendances", figures.count(Kind.ATTENDED)),
                    ("Discussions started", figures.count(Kind.POSTED)),
                    ("Replies", figures.count(Kind.REPLIED)),
                    ("People who took part", figures.participants),
                ],
            ),
            "potential": Cycle(
                "potential",
                "Potential value",
                "Knowledge capital built: resources, answered questions, new members and connections.",
                [
                    ("Resources added", figures.count(Kind.RESOURCE_ADDED)),
                    ("Discussions answered", figures.answered),
                    ("Discussions solved", figures.solved),
                    ("New members", figures.joined),
                    ("Moved into the active level or core group", figures.promoted),
                ],
            ),
            "applied": Cycle(
                "applied",
                "Applied value",
                "Changes in practice: members who used what the community knows in their work.",
                [("“I applied this” stories", figures.count(Kind.APPLIED))],
            ),
            "realized": Cycle(
                "realized",
                "Realized value",
                "Results the organization sees, recorded by coordinators and sponsors.",
            ),
            "reframing": Cycle(
                "reframing",
                "Reframing value",
                "New goals and new ways of measuring success.",
            ),
        }
    occurrences = _top(
        Occurrence.objects.filter(
            community_id__in=community_ids, cancelled=False, start__gte=period.since, start__lt=period.until
        )
        .annotate(attended=Count("rsvps", filter=Q(rsvps__attended=True)))
        .select_related("activity", "community"),
        partition="community_id",
        order=[F("attended").desc(), F("start").desc()],
    )
    for occurrence in occurrences:
        matrix[occurrence.community_id]["immediate"].examples.append(
            Example(
                title=occurrence.activity.title,
                detail=f"{occurrence.attended} attended",
                at=occurrence.start,
                url=occurrence.get_absolute_url(),
            )
        )
    resources = _top(
        Resource.objects.published()
        .filter(
            community_id__in=community_ids,
            created_at__gte=period.since,
            created_at__lt=period.until,
        )
        .select_related("community"),
        partition="community_id",
        order=[F("applied_count").desc(), F("created_at").desc()],
    )
    for resource in resources:
        matrix[resource.community_id]["potential"].examples.append(
            Example(
                title=resource.title,
                detail=resource.get_kind_display(),
                at=resource.created_at,
                url=resource.get_absolute_url(),
            )
        )
    applications = _top(
        Application.objects.filter(
            resource__community_id__in=community_ids,
            created_at__gte=period.since,
            created_at__lt=period.until,
        ).select_related("resource__community", "user"),
        partition="resource__community_id",
        order=[F("created_at").desc()],
    )
    for application in applications:
        matrix[application.resource.community_id]["applied"].examples.append(
            Example(
                title=application.resource.title,
                detail=f"{application.user.full_name}: {application.story}",
                at=application.created_at,
                url=application.resource.get_absolute_url(),
            )
        )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    stories = ValueStory.objects.filter(
        community_id__in=community_ids, happened_on__gte=period.first_day, happened_on__lte=period.last_day
    )
    for row in stories.values("community_id", "cycle").annotate(n=Count("pk")).order_by():
        counts[(row["community_id"], row["cycle"])] = row["n"]
    for pk in community_ids:
        matrix[pk]["realized"].figures = [("Stories recorded", counts[(pk, ValueStory.Cycle.REALIZED)])]
        matrix[pk]["reframing"].figures = [("Stories recorded", counts[(pk, ValueStory.Cycle.REFRAMING)])]
    for story in _top(
        stories.select_related("recorded_by"),
        partition=["community_id", "cycle"],
        order=[F("happened_on").desc(), F("pk").desc()],
    ):
        matrix[story.community_id][story.cycle].examples.append(
            Example(
                title=story.title,
                detail=story.story,
                at=story.happened_on,
                evidence=story.evidence,
                pk=story.pk,
            )
        )
    return {pk: list(cycles.values()) for pk, cycles in matrix.items()}
