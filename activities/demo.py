"""Demo and benchmark data for activities: series and one-off activities, RSVPs, attendance, ledger rows."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Occurrence, Rsvp
from activities.recurrence import expand
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
            answered = occurrence.start - timedelta(days=10, hours=-n)
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
            answered = occurrence.start - timedelta(days=2)
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
