"""Demo and benchmark data for activities: series and one-off activities, RSVPs, attendance, ledger rows."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.calendar.recurrence import expand
from activities.models import Activity, Occurrence, Rsvp
from communities.models import Community, Membership, Participation

ACTIVITIES_PER_SCALE = 50
Answer = Rsvp.Answer
KINDS = list(Activity.Kind.values)

DEMO_SERIES = {
    # community slug: (title, kind, repeat, weekday 0=Mon, hour, minutes, place)
    "site-reliability-guild": ("Incident review", "meeting", "fortnightly", 1, 10, 45, "Online"),
    "accessibility-champions": ("Accessibility clinic", "clinic", "monthly", 3, 14, 60, "Room 2.14, Berlin"),
    "lean-practitioners": ("Shop-floor stand-up", "meeting", "weekly", 0, 8, 30, "Plant Aarhus, line 3"),
    "maintenance-reliability-network": (
        "Root-cause round table",
        "meeting",
        "fortnightly",
        2,
        13,
        60,
        "Online",
    ),
    "data-science-circle": ("Model review", "workshop", "weekly", 2, 16, 60, "Online"),
    "safety-leaders": ("Near-miss learning session", "meeting", "monthly", 1, 9, 90, "Online (closed)"),
    "customer-onboarding-practice": ("Playbook swap", "brown_bag", "fortnightly", 0, 12, 45, "Lisbon office"),
    "agile-coaches-collective": ("Coaching dojo", "workshop", "monthly", 3, 15, 90, "Online"),
    "security-champions": ("Threat-modelling session", "workshop", "fortnightly", 3, 11, 60, "Online"),
    "storytelling-content": ("Writing workshop", "workshop", "monthly", 1, 15, 90, "Paris office"),
}


def _seed_rsvps(
    occurrences: list[Occurrence], members: list[int], rng: random.Random, now
) -> tuple[list, list]:
    rsvps, ledger = [], []
    for occurrence in occurrences:
        if occurrence.cancelled:
            continue
        people = rng.sample(members, k=min(len(members), rng.randint(2, 9)))
        capacity, seated = occurrence.activity.capacity, 0
        for n, user_id in enumerate(people):
            answer = rng.choices([Answer.GOING, Answer.MAYBE, Answer.NOT_GOING], weights=[6, 2, 1])[0]
            # Answers in order (the waitlist's order), all before the date.
            # Answers in the past, even for dates to come (the ledger never records the future).
            answered = min(
                occurrence.start - timedelta(days=10, hours=-n), now - timedelta(hours=len(people) - n)
            )
            waitlisted = answer == Answer.GOING and capacity is not None and seated >= capacity
            seated += answer == Answer.GOING and not waitlisted
            past = occurrence.end < now
            attended = (answer == Answer.GOING and not waitlisted and rng.random() < 0.85) if past else None
            rsvps.append(
                Rsvp(
                    occurrence=occurrence,
                    user_id=user_id,
                    answer=answer,
                    answered_at=answered,
                    waitlisted=waitlisted,
                    attended=attended,
                )
            )
            ledger.append(
                Participation(
                    community_id=occurrence.community_id,
                    user_id=user_id,
                    kind=Participation.Kind.RSVP,
                    at=answered,
                    source=f"occurrence:{occurrence.pk}",
                )
            )
            if attended:
                ledger.append(
                    Participation(
                        community_id=occurrence.community_id,
                        user_id=user_id,
                        kind=Participation.Kind.ATTENDED,
                        at=occurrence.end,
                        source=f"occurrence:{occurrence.pk}",
                    )
                )
    return rsvps, ledger


@transaction.atomic
def seed_demo_activities() -> None:
    """A recurring activity per demo community (past and upcoming dates, one cancelled), and a one-off workshop,
    with RSVPs, attendance and ledger rows; safe to run again."""
    rng = random.Random(4)
    now = timezone.now()
    for community in Community.objects.filter(slug__in=DEMO_SERIES):
        if community.activities.exists():
            continue
        title, kind, repeat, weekday, hour, minutes, place = DEMO_SERIES[community.slug]
        coordinator = community.memberships.filter(role=Membership.Role.COORDINATOR, status="active").first()
        zone_name = "Europe/Berlin"
        zone = zoneinfo.ZoneInfo(zone_name)
        today = now.astimezone(zone).date()
        first_day = today - timedelta(days=84) + timedelta(days=(weekday - today.weekday()) % 7)
        first_local = datetime.combine(first_day, time(hour, 0))
        dates = expand(
            repeat=repeat,
            first_local=first_local,
            duration=timedelta(minutes=minutes),
            time_zone=zone_name,
            count=12 if repeat != "monthly" else 6,
            until=None,
        )
        activity = Activity.objects.create(
            community=community,
            title=title,
            kind=kind,
            time_zone=zone_name,
            place=place,
            online_link="https://meet.example.org/" + community.slug if "Online" in place else "",
            description=f"Our regular {title.lower()}. Bring a recent example from your work.\n\n"
            "1. Round of news (10 min)\n2. One case in depth\n3. What we take away",
            repeat=repeat,
            repeat_count=len(dates),
            created_by=coordinator.user if coordinator else None,
            capacity=12 if kind == "clinic" else None,
        )
        if coordinator:
            activity.hosts.set([coordinator.user])
        occurrences = Occurrence.objects.bulk_create(
            [
                Occurrence(
                    activity=activity,
                    community=community,
                    sequence=n,
                    original_start=start,
                    start=start,
                    end=end,
                    attendance_recorded_at=end if end < now else None,
                    notes="We looked at two cases; the checklist is in the library."
                    if end < now and n % 3 == 0
                    else "",
                )
                for n, (start, end) in enumerate(dates, start=1)
            ]
        )
        upcoming = [o for o in occurrences if o.start > now]
        if len(upcoming) > 2:
            upcoming[1].cancelled, upcoming[1].cancel_reason = True, "Public holiday: we skip this one."
            upcoming[1].save(update_fields=["cancelled", "cancel_reason"])
        members = list(community.memberships.filter(status="active").values_list("user_id", flat=True))
        workshop_day = today + timedelta(days=rng.randint(5, 25))
        workshop = Activity.objects.create(
            community=community,
            title=f"{community.name}: hands-on workshop",
            kind=Activity.Kind.WORKSHOP,
            time_zone=zone_name,
            place="Berlin HQ, Auditorium",
            capacity=max(3, len(members) // 2),
            description="A half-day to practise together. Seats are limited: answer early.",
            created_by=coordinator.user if coordinator else None,
        )
        start = datetime.combine(workshop_day, time(13, 30)).replace(tzinfo=zone)
        occurrences.append(
            Occurrence.objects.create(
                activity=workshop,
                community=community,
                sequence=1,
                original_start=start,
                start=start,
                end=start + timedelta(hours=3),
            )
        )
        rsvps, ledger = _seed_rsvps(occurrences, members, rng, now)
        Rsvp.objects.bulk_create(rsvps)
        Participation.objects.bulk_create(ledger)


@transaction.atomic
def seed_scaled_activities(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add ACTIVITIES_PER_SCALE * scale activities across `communities` (mostly one-off, some weekly series of
    four), spread over the past six months and the next three, with RSVPs, attendance and ledger rows."""
    rng = rng or random.Random(scale * 104729)
    now = timezone.now()
    if not communities:
        return 0
    members: dict[int, list[int]] = {}
    for community_id, user_id in Membership.objects.filter(
        community__in=communities, status="active"
    ).values_list("community_id", "user_id"):
        members.setdefault(community_id, []).append(user_id)
    activities, plans = [], []
    for i in range(ACTIVITIES_PER_SCALE * scale):
        community = communities[i % len(communities)]
        series = i % 5 == 0
        activities.append(
            Activity(
                community=community,
                title=f"Bench activity {i}",
                kind=KINDS[i % len(KINDS)],
                time_zone="Europe/Berlin",
                place="Online",
                repeat="weekly" if series else "none",
                repeat_count=4 if series else None,
                capacity=rng.choice([None, None, 10, 20]),
            )
        )
        first = now + timedelta(days=rng.randint(-180, 90), hours=rng.randint(0, 23))
        plans.append((first.replace(minute=0, second=0, microsecond=0), 4 if series else 1))
    activities = Activity.objects.bulk_create(activities, batch_size=2000)
    occurrences = []
    for activity, (first, count) in zip(activities, plans, strict=True):
        for n in range(count):
            start = first + timedelta(weeks=n)
            occurrences.append(
                Occurrence(
                    activity=activity,
                    community_id=activity.community_id,
                    sequence=n + 1,
                    original_start=start,
                    start=start,
                    end=start + timedelta(hours=1),
                    attendance_recorded_at=start + timedelta(hours=1) if start < now else None,
                )
            )
    occurrences = Occurrence.objects.bulk_create(occurrences, batch_size=5000)
    rsvps, ledger = [], []
    for occurrence in occurrences:
        pool = members.get(occurrence.community_id, [])
        for user_id in rng.sample(pool, k=min(len(pool), 5)):
            past = occurrence.end < now
            attended = rng.random() < 0.8 if past else None
            answered = min(occurrence.start - timedelta(days=2), now - timedelta(hours=1))
            rsvps.append(
                Rsvp(
                    occurrence=occurrence,
                    user_id=user_id,
                    answer=Answer.GOING,
                    answered_at=answered,
                    attended=attended,
                )
            )
            ledger.append(
                Participation(
                    community_id=occurrence.community_id,
                    user_id=user_id,
                    kind=Participation.Kind.RSVP,
                    at=answered,
                )
            )
            if attended:
                ledger.append(
                    Participation(
                        community_id=occurrence.community_id,
                        user_id=user_id,
                        kind=Participation.Kind.ATTENDED,
                        at=occurrence.end,
                    )
                )
    Rsvp.objects.bulk_create(rsvps, batch_size=5000)
    Participation.objects.bulk_create(ledger, batch_size=5000)
    return len(activities)


DEMO_THREADS = [
    (
        "How do you run blameless incident reviews?",
        "We keep slipping into who-did-what. What format works for you?",
        [
            "We use a timeline first, causes second: nobody's name on the causes.",
            "Same here. Also: the facilitator is never someone from the team involved.",
        ],
    ),
    (
        "Checklist for a first accessibility audit?",
        "Starting one next month for our portal. Where do I begin?",
        [
            "Keyboard first, then contrast, then screen reader on the three main journeys.",
            "axe in CI catches a lot of the easy ones before the audit.",
        ],
    ),
    (
        "Sharing a template for A3 problem solving",
        "Attached our A3 template; happy to hear how you adapt it.",
        [],
    ),
    (
        "What to do when a model drifts in production?",
        "Our demand forecast degraded after a price change.",
        [
            "Monitor input distributions, not only accuracy.",
            "Retrain windows shorter than the seasonality bite you.",
        ],
    ),
]


@transaction.atomic
def seed_demo_discussions() -> None:
    """A few realistic threads per demo community (answered, solved, unanswered), with ledger rows; idempotent."""
    from activities.models import Discussion, Follow, Reply

    rng = random.Random(5)
    now = timezone.now()
    for community in Community.objects.filter(slug__in=DEMO_SERIES).order_by("pk"):
        if community.discussions.exists():
            continue
        members = list(community.memberships.filter(status="active").values_list("user_id", flat=True))
        if len(members) < 3:
            continue
        for n, (title, body, answers) in enumerate(rng.sample(DEMO_THREADS, k=3)):
            author = members[n % len(members)]
            started = now - timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 23))
            discussion = Discussion.objects.create(
                community=community,
                author_id=author,
                title=title,
                body=body,
                created_at=started,
                last_activity_at=started,
            )
            Follow.objects.create(discussion=discussion, user_id=author)
            ledger = [
                Participation(community=community, user_id=author, kind=Participation.Kind.POSTED, at=started)
            ]
            replies = []
            for k, text in enumerate(answers):
                replier = members[(n + k + 1) % len(members)]
                replies.append(
                    Reply(
                        discussion=discussion,
                        author_id=replier,
                        body=text,
                        created_at=started + timedelta(hours=5 * (k + 1)),
                    )
                )
                ledger.append(
                    Participation(
                        community=community,
                        user_id=replier,
                        kind=Participation.Kind.REPLIED,
                        at=started + timedelta(hours=5 * (k + 1)),
                    )
                )
            replies = Reply.objects.bulk_create(replies)
            Participation.objects.bulk_create(ledger)
            for reply in replies:
                Follow.objects.get_or_create(discussion=discussion, user_id=reply.author_id)
            answered = [r for r in replies if r.author_id != author]
            discussion.reply_count = len(replies)
            discussion.first_answer_at = answered[0].created_at if answered else None
            discussion.last_activity_at = replies[-1].created_at if replies else started
            discussion.accepted_reply = answered[0] if answered and n == 0 else None
            discussion.solved_at = answered[0].created_at if discussion.accepted_reply else None
            discussion.save()


@transaction.atomic
def seed_scaled_discussions(
    scale: int, communities: list[Community], *, rng: random.Random | None = None
) -> int:
    """Add about 1,000 posts per unit of scale (200 discussions, four in five with five replies) across
    `communities`, with follows and ledger rows; most answered, about half of those solved."""
    from activities.models import Discussion, Follow, Reply

    rng = rng or random.Random(scale * 15485863)
    now = timezone.now()
    if not communities:
        return 0
    members: dict[int, list[int]] = {}
    for community_id, user_id in Membership.objects.filter(
        community__in=communities, status="active"
    ).values_list("community_id", "user_id"):
        members.setdefault(community_id, []).append(user_id)
    usable = [c for c in communities if len(members.get(c.pk, [])) >= 2]
    discussions = []
    for i in range(200 * scale):
        community = usable[i % len(usable)]
        started = now - timedelta(days=rng.randint(0, 360), minutes=rng.randint(0, 1440))
        discussions.append(
            Discussion(
                community=community,
                author_id=rng.choice(members[community.pk]),
                title=f"Bench question {i} about {rng.choice(KINDS)}",
                body="How do you handle this in your team? " * 3,
                created_at=started,
                last_activity_at=started,
            )
        )
    discussions = Discussion.objects.bulk_create(discussions, batch_size=5000)
    authors = {discussion.pk: discussion.author_id for discussion in discussions}
    replies, follows, ledger = [], [], []
    for discussion in discussions:
        pool = members[discussion.community_id]
        follows.append(Follow(discussion=discussion, user_id=discussion.author_id))
        ledger.append(
            Participation(
                community_id=discussion.community_id,
                user_id=discussion.author_id,
                kind=Participation.Kind.POSTED,
                at=discussion.created_at,
            )
        )
        for k in range(5 if rng.random() < 0.8 else 0):
            author = rng.choice(pool)
            at = discussion.created_at + timedelta(hours=3 * (k + 1))
            replies.append(
                Reply(
                    discussion=discussion,
                    author_id=author,
                    body="In our team we tried this. " * 2,
                    created_at=at,
                )
            )
            ledger.append(
                Participation(
                    community_id=discussion.community_id,
                    user_id=author,
                    kind=Participation.Kind.REPLIED,
                    at=at,
                )
            )
    Reply.objects.bulk_create(replies, batch_size=5000)
    answered_ids = {r.discussion_id for r in replies if r.author_id != authors[r.discussion_id]}
    # Half of the answered discussions are solved by their first answer (drawn in order, as before).
    solved_ids = [d.pk for d in discussions if d.pk in answered_ids and rng.random() < 0.5]
    # The counters, computed by the database in two statements (a CASE per row costs seconds at scale 10).
    own = Reply.objects.filter(discussion=OuterRef("pk"))
    answers = own.exclude(author=OuterRef("author")).order_by("created_at", "pk")
    Discussion.objects.filter(pk__in=[d.pk for d in discussions]).update(
        reply_count=Coalesce(Subquery(own.values("discussion").annotate(n=Count("pk")).values("n")), 0),
        first_answer_at=Subquery(answers.values("created_at")[:1]),
        last_activity_at=Coalesce(
            Subquery(own.order_by("-created_at", "-pk").values("created_at")[:1]), F("created_at")
        ),
    )
    Discussion.objects.filter(pk__in=solved_ids).update(
        accepted_reply=Subquery(answers.values("pk")[:1]),
        solved_at=Subquery(answers.values("created_at")[:1]),
    )
    Follow.objects.bulk_create(follows, batch_size=5000, ignore_conflicts=True)
    Participation.objects.bulk_create(ledger, batch_size=5000)
    return len(discussions) + len(replies)
