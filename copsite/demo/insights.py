"""Demo and benchmark data for insights: value stories (the small demo's through the service), and a year of
daily snapshots rebuilt from the history.

The other apps seed their history first (membership events, the participation ledger, activities, discussions,
resources); the snapshots are then computed from it by the same code the daily task and the rebuild command run,
so seeded charts agree with the live figures.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from communities.access import access_for
from communities.models import Community, Sponsorship
from copsite.demo.communities import COMMUNITIES
from copsite.demo.members import DEMO_DOMAIN
from insights.models import ValueStory
from insights.rules import may_record_story
from insights.services import value_story_record
from insights.snapshots import local_today, snapshots_rebuild
from members.models import User

# A year of history charts for the demo communities and the benchmark set.
SNAPSHOT_DAYS = 365
# Small benchmark sets (the query-count tests seed scales 1 and 10) get the last five weeks only: enough for
# every page that reads snapshots to find rows, and fast; a full year of 300 communities takes ~20 s.
SMALL_SCALE_SNAPSHOT_DAYS = 35
FULL_YEAR_FROM_SCALE = 50
STORIES_PER_COMMUNITY = 2

Cycle = ValueStory.Cycle


@dataclass(frozen=True)
class DemoStory:
    community: str  # the demo community's name
    cycle: str
    title: str
    story: str
    evidence: str
    days_ago: int
    recorded_by: str  # a demo person's full name (the sponsor or a coordinator)


DEMO_STORIES = [
    DemoStory(
        "Site Reliability Guild",
        Cycle.REALIZED,
        "Repeat incidents down by a third",
        "After the guild shared its incident-review template, teams stopped repeating the same database "
        "failover mistake: three repeat incidents in the half year before, one since.",
        "Incident log, first and second half of the year; confirmed by the platform on-call lead.",
        45,
        "Amara Okafor",
    ),
    DemoStory(
        "Site Reliability Guild",
        Cycle.REALIZED,
        "New on-call engineers ready in three weeks instead of six",
        "The on-call runbook collection became the onboarding path for every new on-call engineer.",
        "Onboarding survey of the last two cohorts.",
        120,
        "Jonas Becker",
    ),
    DemoStory(
        "Lean Practitioners",
        Cycle.REALIZED,
        "Cycle time on Aarhus line 3 down 12%",
        "The changeover checklist from the stand-ups was adopted on line 3; changeovers went from 42 to 37 minutes.",
        "Plant KPI dashboard, monthly average over the quarter.",
        30,
        "Grace Mensah",
    ),
    DemoStory(
        "Lean Practitioners",
        Cycle.REFRAMING,
        "Measuring learning between sites, not only savings",
        "We agreed to count how many improvements travel from one site to another, not only the money saved.",
        "Minutes of the quarterly gemba walk.",
        75,
        "Henrik Larsen",
    ),
    DemoStory(
        "Data Science Circle",
        Cycle.REALIZED,
        "Demand forecast in production for two product lines",
        "The model reviewed in the circle replaced the spreadsheet forecast; planners use it every week.",
        "Forecast error (MAPE) from 18% to 11%, planning team report.",
        60,
        "Emma Johansson",
    ),
    DemoStory(
        "Agile Coaches Collective",
        Cycle.REFRAMING,
        "Coaching practices move to the delivery excellence office",
        "The collective decided which of its practices the new office takes over (team kick-offs, retrospective "
        "formats) and which end with the community.",
        "Decision recorded at the last monthly meeting; handover plan in the library.",
        20,
        "Diego Fernández",
    ),
    DemoStory(
        "Safety Leaders",
        Cycle.REALIZED,
        "Near-miss reports up across every site",
        "Sharing near misses candidly in the closed sessions made site leads more willing to report them.",
        "Near-miss register: 31 reports this quarter against 12 a year ago.",
        90,
        "Fatima Zahra El Idrissi",
    ),
]


@transaction.atomic
def seed_demo_value_stories() -> int:
    """A few realized and reframing stories on the demo communities, recorded through the service by their sponsor
    or a coordinator a few days after they happened; safe to run again. Returns how many were added."""
    communities = {c.name: c for c in Community.objects.filter(name__in={s.community for s in DEMO_STORIES})}
    people = {u.full_name: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    told = set(
        ValueStory.objects.filter(community__in=communities.values()).values_list("community__name", "title")
    )
    now = timezone.now()
    added = 0
    for spec in DEMO_STORIES:
        community, recorder = communities.get(spec.community), people.get(spec.recorded_by)
        if community is None or recorder is None or (spec.community, spec.title) in told:
            continue
        if not may_record_story(access_for(recorder, community)):
            continue
        recorded_at = now - timedelta(days=max(spec.days_ago - 3, 0))
        value_story_record(
            actor=recorder,
            community=community,
            cycle=spec.cycle,
            title=spec.title,
            story=spec.story,
            evidence=spec.evidence,
            happened_on=timezone.localdate(now - timedelta(days=spec.days_ago)),
            at=recorded_at,
        )
        added += 1
    return added


def seed_demo_snapshots(*, days: int = SNAPSHOT_DAYS) -> int:
    """Rebuild the demo communities' snapshots for the last `days` days (up to yesterday) from their history."""
    ids = list(
        Community.objects.filter(name__in=[spec.name for spec in COMMUNITIES]).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    yesterday = local_today() - timedelta(days=1)
    return snapshots_rebuild(
        first_day=yesterday - timedelta(days=days - 1), last_day=yesterday, community_ids=ids
    )


@transaction.atomic
def seed_scaled_value_stories(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """STORIES_PER_COMMUNITY realized or reframing stories on each new benchmark community, over the past year,
    recorded by its sponsor."""
    rng = rng or random.Random(scale * 49979687)
    today = timezone.localdate()
    sponsors = dict(
        Sponsorship.objects.filter(community__in=communities).values_list("community_id", "sponsor_id")
    )
    stories = []
    for community in communities:
        for n in range(STORIES_PER_COMMUNITY):
            cycle = Cycle.REALIZED if (community.pk + n) % 3 else Cycle.REFRAMING
            stories.append(
                ValueStory(
                    community=community,
                    cycle=cycle,
                    title=f"Bench {cycle} story {n + 1} of {community.name}",
                    story="A team changed how it works after a session; the change held for a quarter.",
                    evidence="Team retrospective notes." if n % 2 == 0 else "",
                    happened_on=today - timedelta(days=rng.randint(0, 360)),
                    recorded_by_id=sponsors.get(community.pk),
                )
            )
    ValueStory.objects.bulk_create(stories, batch_size=5000)
    return len(stories)


def seed_scaled_snapshots(scale: int, *, days: int | None = None) -> int:
    """Rebuild every benchmark community's snapshots (earlier ones too: new people joined them) up to yesterday.

    A year of days from scale FULL_YEAR_FROM_SCALE on (`seed_demo --scale 100`: 300 communities), the last
    SMALL_SCALE_SNAPSHOT_DAYS below it; snapshot rows grow with the communities either way.
    """
    if days is None:
        days = SNAPSHOT_DAYS if scale >= FULL_YEAR_FROM_SCALE else SMALL_SCALE_SNAPSHOT_DAYS
    ids = list(Community.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    if not ids:
        return 0
    yesterday = local_today() - timedelta(days=1)
    return snapshots_rebuild(
        first_day=yesterday - timedelta(days=days - 1), last_day=yesterday, community_ids=ids
    )
