"""Demo and benchmark data for communities: communities, memberships at every level, sponsors, history, ledger.

The small demo is made through the communities services, back-dated over the past year with their `at`, so it
holds what people would have made (history, the participation ledger) and cannot drift from the services. The
benchmark set (`seed_demo --scale`) writes the same rows with bulk inserts, for speed.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from communities import services
from communities.models import (
    Community,
    EmailInvitation,
    Level,
    Membership,
    MembershipEvent,
    Participation,
    Sponsorship,
    Stage,
)
from copsite.demo.members import DEMO_DOMAIN, ScaledMembers, demo_email
from core.markup import render_markdown
from members.models import User

Status = Membership.Status
Role = Membership.Role
Event = MembershipEvent.Kind
COMMUNITIES_PER_SCALE = 3
MEMBERSHIPS_PER_PERSON = 6
LEVEL_WEIGHTS = {
    Level.CORE: 5,
    Level.ACTIVE: 15,
    Level.OCCASIONAL: 25,
    Level.PERIPHERAL: 40,
    Level.TRANSACTIONAL: 15,
}


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    domain: str
    topics: tuple[str, ...]
    stage: str
    join_policy: str
    visibility: str
    coordinators: tuple[str, ...]
    core: tuple[str, ...]
    sponsor: str
    members: int  # how many other demo people join, at mixed levels
    purpose: str
    rhythm: str
    value: str


OPEN, APPROVAL, INVITATION = (
    Community.JoinPolicy.OPEN,
    Community.JoinPolicy.APPROVAL,
    Community.JoinPolicy.INVITATION,
)
LISTED, PRIVATE = Community.Visibility.LISTED, Community.Visibility.PRIVATE

COMMUNITIES = [
    DemoCommunity(
        "Site Reliability Guild",
        "Keeping our services up, fast and boring to operate.",
        ("Site reliability", "Observability", "Incident response"),
        Stage.MATURING,
        OPEN,
        LISTED,
        ("Jonas Becker",),
        ("Kenji Watanabe", "Pedro Alves"),
        "Amara Okafor",
        14,
        "Share how each team runs production, and turn incidents into lessons everyone can use.",
        "Every other Tuesday, 45 minutes; incident reviews monthly",
        "Fewer repeat incidents; faster on-call onboarding.",
    ),
    DemoCommunity(
        "Accessibility Champions",
        "Making everything we ship usable by everyone.",
        ("Accessibility", "Design systems", "Usability testing"),
        Stage.COALESCING,
        OPEN,
        LISTED,
        ("Sofia Lindqvist",),
        ("Zainab Yusuf",),
        "Lucas Moreau",
        9,
        "Build shared know-how on accessible design and testing across product teams.",
        "Monthly clinic, first Thursday",
        "WCAG 2.1 AA across our products; a shared checklist.",
    ),
    DemoCommunity(
        "Lean Practitioners",
        "Finding and removing waste in how we make things.",
        ("Lean", "Kaizen", "Value stream mapping"),
        Stage.STEWARDSHIP,
        APPROVAL,
        LISTED,
        ("Grace Mensah", "Thabo Nkosi"),
        ("Henrik Larsen", "Fatima Zahra El Idrissi"),
        "Henrik Larsen",
        12,
        "Keep our plants' improvement methods alive and spread what works between sites.",
        "Weekly stand-up on the shop floor; quarterly gemba walks",
        "Measurable cycle-time reductions at every site.",
    ),
    DemoCommunity(
        "Maintenance Reliability Network",
        "Predicting failures before they stop a line.",
        ("Predictive maintenance", "Root cause analysis", "Hydraulics"),
        Stage.MATURING,
        APPROVAL,
        LISTED,
        ("Tomasz Nowak",),
        ("Oliver Bennett",),
        "Fatima Zahra El Idrissi",
        7,
        "Compare maintenance strategies and root-cause findings between plants.",
        "Fortnightly call",
        "Less unplanned downtime.",
    ),
    DemoCommunity(
        "Data Science Circle",
        "Doing data science that changes decisions.",
        ("Machine learning", "Statistics", "Forecasting"),
        Stage.MATURING,
        OPEN,
        LISTED,
        ("Elena Petrova",),
        ("Ravi Kumar", "Marcus Johnson"),
        "Emma Johansson",
        13,
        "Review each other's models and share patterns that get results into production.",
        "Weekly paper & model review, Wednesdays",
        "Models in use, not just in notebooks.",
    ),
    DemoCommunity(
        "Safety Leaders",
        "Building a safety culture where everyone goes home unharmed.",
        ("Risk assessment", "Safety culture", "Incident investigation"),
        Stage.STEWARDSHIP,
        INVITATION,
        PRIVATE,
        ("Aisha Bello",),
        ("Daniel Kowalski",),
        "Fatima Zahra El Idrissi",
        5,
        "A safe space for site safety leads to discuss near misses candidly.",
        "Monthly, closed session",
        "Near misses reported and learned from across all sites.",
    ),
    DemoCommunity(
        "Customer Onboarding Practice",
        "Getting every new customer to value quickly.",
        ("Customer onboarding", "Training design"),
        Stage.COALESCING,
        OPEN,
        LISTED,
        ("Carlos Mendes",),
        ("Anna Kovács",),
        "Emma Johansson",
        8,
        "Share onboarding playbooks between regions.",
        "Every other Monday",
        "Shorter time to first value.",
    ),
    DemoCommunity(
        "Knowledge Management Forum",
        "Helping knowledge flow to where work happens.",
        ("Knowledge management", "Communities of practice", "Facilitation"),
        Stage.POTENTIAL,
        OPEN,
        LISTED,
        ("Ingrid Halvorsen",),
        ("Nora Haddad",),
        "Emma Johansson",
        4,
        "Explore how we capture and reuse what we know.",
        "To be decided together",
        "A first shared practice library.",
    ),
    DemoCommunity(
        "Agile Coaches Collective",
        "Coaching teams to deliver value in small steps.",
        ("Agile coaching", "Retrospectives", "Facilitation"),
        Stage.TRANSFORMATION,
        OPEN,
        LISTED,
        ("Diego Fernández",),
        ("Lucas Moreau",),
        "Amara Okafor",
        6,
        "Our practice is becoming part of the delivery excellence office; we are deciding what lives on.",
        "Monthly",
        "Coaching practices handed over to the new office.",
    ),
    DemoCommunity(
        "Security Champions",
        "Building security into every team's daily work.",
        ("Security", "Threat modelling"),
        Stage.COALESCING,
        APPROVAL,
        PRIVATE,
        ("Sarah Cohen",),
        ("Pedro Alves",),
        "Amara Okafor",
        6,
        "Train champions in each team and share threat models.",
        "Fortnightly",
        "Threat models for every service.",
    ),
    DemoCommunity(
        "Storytelling & Content",
        "Telling our customers' stories well.",
        ("Storytelling", "Technical writing"),
        Stage.MATURING,
        OPEN,
        LISTED,
        ("Yuki Tanaka",),
        ("Chloé Dubois",),
        "Emma Johansson",
        6,
        "Share techniques and critique drafts.",
        "Monthly writing workshop",
        "Content customers actually read.",
    ),
    DemoCommunity(
        "Supply Chain Forecasting",
        "Forecasting demand well enough to act on it.",
        ("Forecasting", "Inventory planning"),
        Stage.POTENTIAL,
        APPROVAL,
        LISTED,
        ("Mei Chen",),
        ("Ahmed Hassan",),
        "Fatima Zahra El Idrissi",
        4,
        "Bring planners and data scientists together on forecasting.",
        "To be decided",
        "Lower stock-outs.",
    ),
]


def _random_level(rng: random.Random) -> str:
    return rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]


@transaction.atomic
def seed_demo_communities() -> list[tuple[str, str]]:
    """The ~12 demo communities with their people and a year of history; safe to run again.

    Made through the services, back-dated with their `at`, as people would have made them: a coordinator
    proposes the community; members join and choose how involved they are; the coordinator brings the core
    group in and shares the role; staff name a sponsor. Everyone joined while the community was open; its
    coordinator then set the policy and the stage it has now, and the last weeks left a request or an
    invitation waiting. Returns extra logins worth printing (email, role).
    """
    rng = random.Random(2026)
    now = timezone.now()
    people = {u.full_name: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    staff = next(u for u in people.values() if u.is_staff)
    for spec in COMMUNITIES:
        if Community.objects.filter(name=spec.name).exists():
            continue
        founded = now - timedelta(days=rng.randint(200, 360))
        coordinator = people[spec.coordinators[0]]
        community = services.community_propose(
            proposer=coordinator,
            name=spec.name,
            domain=spec.domain,
            description=f"**{spec.name}** brings together people who care about {spec.topics[0].lower()}.\n\n"
            f"New here? Introduce yourself and tell us what you are working on.",
            charter_purpose=spec.purpose,
            charter_scope=f"In: {', '.join(spec.topics).lower()}. Out: tool choices of single teams.",
            charter_norms="Assume good intent. Share what did not work, too. What is said in a session stays there "
            "unless the speaker agrees to share it.",
            meeting_rhythm=spec.rhythm,
            expected_value=spec.value,
            topics=list(spec.topics),
            visibility=spec.visibility,
            at=founded,
        )
        services.sponsorship_assign(
            actor=staff,
            community=community,
            sponsor=people[spec.sponsor],
            since=(founded + timedelta(days=14)).date(),
            provides="Two hours a month for the core group; a budget for one meet-up a year.",
            expects="A shared practice library others can use, and a yearly story of what changed.",
        )
        taken = set()
        rows: list[tuple[User, str, str]] = []
        for name in spec.coordinators:
            rows.append((people[name], Level.CORE, Role.COORDINATOR))
            taken.add(name)
        for name in spec.core:
            if name not in taken:
                rows.append((people[name], Level.CORE, Role.MEMBER))
                taken.add(name)
        others = [p for n, p in sorted(people.items()) if n not in taken and n != spec.sponsor]
        for person in rng.sample(others, k=min(spec.members, len(others))):
            level = rng.choice(
                [Level.ACTIVE, Level.OCCASIONAL, Level.PERIPHERAL, Level.PERIPHERAL, Level.TRANSACTIONAL]
            )
            rows.append((person, level, Role.MEMBER))
        for index, (person, level, role) in enumerate(rows):
            joined = founded + timedelta(days=0 if index == 0 else rng.randint(1, (now - founded).days - 1))
            first_level = level if level != Level.ACTIVE or rng.random() < 0.5 else Level.PERIPHERAL
            if index == 0:
                continue  # the proposer, a coordinator in the core group since the community began
            if level == Level.CORE:
                # Nobody joins straight into the core group: the coordinator brings them in.
                membership = services.membership_join(
                    user=person, community=community, level=Level.ACTIVE, at=joined
                )
                services.membership_change_level(
                    actor=coordinator, membership=membership, level=Level.CORE, at=joined
                )
                if role == Role.COORDINATOR:
                    services.membership_change_role(
                        actor=coordinator, membership=membership, role=role, at=joined
                    )
                continue
            membership = services.membership_join(
                user=person, community=community, level=first_level, at=joined
            )
            if first_level != level:
                services.membership_change_level(
                    actor=person,
                    membership=membership,
                    level=level,
                    at=min(joined + timedelta(days=rng.randint(10, 60)), now - timedelta(hours=1)),
                )
        services.community_update(
            actor=coordinator, community=community, join_policy=spec.join_policy, stage=spec.stage
        )
        # Something waiting for the coordinators: a request, an invitation.
        waiting = [
            p
            for n, p in sorted(people.items())
            if n not in taken and not community.memberships.filter(user=p).exists()
        ]
        if waiting and spec.join_policy == APPROVAL:
            services.membership_request(
                user=waiting[0],
                community=community,
                message="I'd love to learn from you and share what we do in my team.",
                level=Level.OCCASIONAL,
                at=now - timedelta(days=2),
            )
        if len(waiting) > 1 and spec.join_policy == INVITATION:
            services.membership_invite(
                actor=coordinator, community=community, user=waiting[1], at=now - timedelta(days=4)
            )
    return [
        (demo_email("Jonas Becker"), "coordinator of Site Reliability Guild"),
        (demo_email("Grace Mensah"), "coordinator of Lean Practitioners (on approval)"),
        (demo_email("Fatima Zahra El Idrissi"), "sponsor"),
    ]


@transaction.atomic
def seed_scaled_communities(
    scale: int, batch: ScaledMembers, *, rng: random.Random | None = None
) -> dict[str, int]:
    """Add COMMUNITIES_PER_SCALE * scale communities; each new person joins up to MEMBERSHIPS_PER_PERSON
    benchmark communities (new or earlier), with history and ledger rows, sponsors and pending requests."""
    rng = rng or random.Random(scale * 7919)
    now = timezone.now()
    start = Community.objects.filter(slug__startswith="bench-").count()
    policies = [OPEN, OPEN, APPROVAL, INVITATION]
    stages = list(Stage.values)
    new = Community.objects.bulk_create(
        [
            Community(
                name=f"Bench community {start + i}",
                slug=f"bench-{start + i}",
                domain=f"Getting better at {rng.choice(batch.tags).name.lower()} together.",
                description="A benchmark community.",
                description_html=render_markdown("A benchmark community."),
                join_policy=policies[i % len(policies)],
                visibility=PRIVATE if i % 5 == 4 else LISTED,
                stage=stages[i % len(stages)],
            )
            for i in range(COMMUNITIES_PER_SCALE * scale)
        ]
    )
    # Founded a year ago, before anyone joined (history and snapshots start there).
    Community.objects.filter(pk__in=[c.pk for c in new]).update(created_at=now - timedelta(days=366))
    through = Community.topics.through
    through.objects.bulk_create(
        [
            through(community_id=c.pk, tag_id=t.pk)
            for c in new
            for t in rng.sample(batch.tags, k=min(3, len(batch.tags)))
        ]
    )
    pool = list(Community.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    Sponsorship.objects.bulk_create(
        [
            Sponsorship(
                community=c, sponsor=rng.choice(batch.users), since=(now - timedelta(days=300)).date()
            )
            for c in new
        ]
    )
    memberships, events, ledger = [], [], []
    coordinated = set(
        Membership.objects.filter(community_id__in=pool, role=Role.COORDINATOR).values_list(
            "community_id", flat=True
        )
    )
    for user in batch.users:
        for community_id in rng.sample(pool, k=min(MEMBERSHIPS_PER_PERSON, len(pool))):
            joined = now - timedelta(days=rng.randint(1, 360), minutes=rng.randint(0, 1440))
            status = Status.ACTIVE if rng.random() < 0.97 else Status.REQUESTED
            role = Role.MEMBER
            level = _random_level(rng)
            if status == Status.ACTIVE and community_id not in coordinated:
                role, level = Role.COORDINATOR, Level.CORE
                coordinated.add(community_id)
            memberships.append(
                Membership(
                    community_id=community_id,
                    user=user,
                    status=status,
                    level=level,
                    role=role,
                    joined_at=joined if status == Status.ACTIVE else None,
                )
            )
            kind = Event.JOINED if status == Status.ACTIVE else Event.REQUESTED
            events.append(
                MembershipEvent(
                    community_id=community_id, user=user, kind=kind, actor=user, at=joined, to_value=level
                )
            )
            if role == Role.COORDINATOR:
                events.append(
                    MembershipEvent(
                        community_id=community_id,
                        user=user,
                        kind=Event.ROLE_CHANGED,
                        actor=user,
                        at=joined,
                        from_value=Role.MEMBER,
                        to_value=Role.COORDINATOR,
                    )
                )
            if status == Status.ACTIVE:
                ledger.append(
                    Participation(
                        community_id=community_id, user=user, kind=Participation.Kind.JOINED, at=joined
                    )
                )
    Membership.objects.bulk_create(memberships, batch_size=5000)
    MembershipEvent.objects.bulk_create(events, batch_size=5000)
    Participation.objects.bulk_create(ledger, batch_size=5000)
    EmailInvitation.objects.bulk_create(
        [
            EmailInvitation(
                community=c,
                email=f"guest{start + i}@example.org",
                expires_at=now + timedelta(days=7),
                token=f"bench-{start + i}",
            )
            for i, c in enumerate(new)
        ]
    )
    return {"communities": len(new), "memberships": len(memberships)}


def active_member_ids(communities: list[Community]) -> dict[int, list[int]]:
    """The ids of each community's active members (one query), for the scaled seeders to draw people from."""
    members: dict[int, list[int]] = {}
    for community_id, user_id in (
        Membership.objects.active().filter(community__in=communities).values_list("community_id", "user_id")
    ):
        members.setdefault(community_id, []).append(user_id)
    return members


def ledger_row(
    community_id: int, user_id: int, kind: str, at: datetime, *, source: str = ""
) -> Participation:
    """One participation-ledger row for the scaled seeders' bulk inserts (the services record theirs one by one
    through `participation_record`)."""
    return Participation(community_id=community_id, user_id=user_id, kind=kind, at=at, source=source)
