"""Writes for activities: scheduling, series changes, RSVPs with a waitlist, attendance, notes, feed tokens.

Each function is atomic and enforces the calendar's rules (`activities.calendar.rules`, refusing with
`NotPermitted`); it refuses bad input with an `ActivityError` keyed by the form field it is about (nothing
changed), records participation in the ledger, and sends mail through tasks enqueued on commit.
"""

import zoneinfo
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone

from activities.calendar import rules, tasks
from activities.calendar.models import Activity, CalendarToken, Occurrence, Rsvp
from activities.calendar.recurrence import RecurrenceError, expand
from communities.access import access_for
from communities.models import Community, Membership, Participation
from communities.services import participation_record
from core.dates import years_from
from core.rules import Refused, require
from members.models import User

Answer = Rsvp.Answer


class ActivityError(Refused):
    """Bad input refused with a message for the person who tried (nothing was changed), keyed by the form field
    it is about where there is one: `ActivityError({"end_time": "…"})`."""


def _require_scheduler(actor: User, community: Community) -> None:
    access = access_for(actor, community)
    require(rules.may_schedule(access), rules.schedule_refusal(access))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ActivityError({"time_zone": f"Unknown time zone “{name}”."}) from None


DATE_RANGE_YEARS = 5
"""Activities are recorded up to five years back and planned up to five years ahead."""


def activity_date_range(today: date | None = None) -> tuple[date, date]:
    """The first and last date a person may give an activity (schedule, move, repeat until)."""
    today = today or timezone.localdate()
    return years_from(today, -DATE_RANGE_YEARS), years_from(today, DATE_RANGE_YEARS)


def _check_date(day: date, field: str = "date", what: str = "Choose a date") -> None:
    first, last = activity_date_range()
    if not first <= day <= last:
        raise ActivityError(
            {
                field: f"{what} between {first:%-d %B %Y} and {last:%-d %B %Y}: activities are recorded up to "
                f"{DATE_RANGE_YEARS} years back and planned up to {DATE_RANGE_YEARS} years ahead."
            }
        )


def _check_times(start_local: datetime, end_local: datetime) -> None:
    _check_date(start_local.date())
    if end_local <= start_local:
        raise ActivityError({"end_time": "The end must be after the start."})
    if end_local - start_local > timedelta(days=3):
        raise ActivityError({"end_time": "An activity can last at most three days."})


def _check_capacity(capacity: int | None) -> None:
    if capacity is not None and capacity < 1:
        raise ActivityError({"capacity": "Capacity must be at least 1, or empty for no limit."})


def _expand(**series) -> list[tuple[datetime, datetime]]:
    """The dates of a series (`recurrence.expand`); a series without a sane end is refused for the whole form."""
    try:
        return expand(**series)
    except RecurrenceError as error:
        raise ActivityError(str(error)) from None


PAST_DATE = (
    "The start is in the past: confirm to record an activity that already took place, or choose a later date."
)


def _check_not_past(start: datetime, past_confirmed: bool, now: datetime | None = None) -> None:
    """A start in the past is recorded only when the person says so: it is more often a slip (the wrong month or
    year) than a record of what already happened, and members can no longer answer for it."""
    if start < (now or timezone.now()) and not past_confirmed:
        raise ActivityError({"past_confirmed": PAST_DATE})


@transaction.atomic
def activity_schedule(
    *,
    actor: User,
    community: Community,
    title: str,
    start_local: datetime,
    end_local: datetime,
    time_zone: str,
    kind: str = Activity.Kind.MEETING,
    description: str = "",
    place: str = "",
    online_link: str = "",
    capacity: int | None = None,
    hosts: list[User] | None = None,
    repeat: str = Activity.Repeat.NONE,
    repeat_count: int | None = None,
    repeat_until: date | None = None,
    past_confirmed: bool = False,
    at: datetime | None = None,
) -> Activity:
    """Schedule an activity (naive start/end in `time_zone`), creating one occurrence per date of the series.

    A first date in the past is refused unless `past_confirmed`: the person said they are recording what already
    happened. `at` back-dates the scheduling (demo data and tests; None is now): the activity's creation time,
    and "the past" is before `at`."""
    _require_scheduler(actor, community)
    _zone(time_zone)
    _check_times(start_local, end_local)
    if repeat != Activity.Repeat.NONE and repeat_until is not None:
        _check_date(repeat_until, "repeat_until", "Choose an end of the series")
    _check_capacity(capacity)
    activity = Activity(
        community=community,
        title=title.strip(),
        kind=kind,
        description=description,
        time_zone=time_zone,
        place=place.strip(),
        online_link=online_link.strip(),
        capacity=capacity,
        repeat=repeat,
        repeat_count=repeat_count if repeat != Activity.Repeat.NONE else None,
        repeat_until=repeat_until if repeat != Activity.Repeat.NONE else None,
        created_by=actor,
    )
    activity.full_clean()
    dates = _expand(
        repeat=repeat,
        first_local=start_local,
        duration=end_local - start_local,
        time_zone=time_zone,
        count=activity.repeat_count,
        until=activity.repeat_until,
    )
    _check_not_past(dates[0][0], past_confirmed, at)
    activity.save()
    if at is not None:
        # created_at and updated_at are set by the database layer on save (auto_now): back-date them after.
        Activity.objects.filter(pk=activity.pk).update(created_at=at, updated_at=at)
        activity.created_at = activity.updated_at = at
    activity.hosts.set(hosts or [actor])
    Occurrence.objects.bulk_create(
        [
            Occurrence(
                activity=activity, community=community, sequence=n, original_start=start, start=start, end=end
            )
            for n, (start, end) in enumerate(dates, start=1)
        ]
    )
    return activity


UNCHANGED = object()


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, capacity=UNCHANGED, hosts: list[User] | None = None, **fields
) -> Activity:
    """Change what a series is (title, kind, description, place, link, capacity, hosts), not its dates."""
    _require_scheduler(actor, activity.community)
    allowed = {"title", "kind", "description", "place", "online_link"}
    if set(fields) - allowed:
        raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
    for field, value in fields.items():
        setattr(activity, field, value.strip() if isinstance(value, str) else value)
    if capacity is not UNCHANGED and capacity is not None:
        _check_capacity(capacity)
        busiest = (
            Rsvp.objects.seated()
            .filter(occurrence__activity=activity, occurrence__start__gte=timezone.now())
            .values("occurrence")
            .annotate(n=Count("pk"))
            .aggregate(top=Max("n"))["top"]
            or 0
        )
        if capacity < busiest:
            raise ActivityError(
                {
                    "capacity": f"{busiest} people are already going to one of its dates: the capacity cannot "
                    "be lower than that."
                }
            )
    if capacity is not UNCHANGED:
        activity.capacity = capacity
    activity.full_clean()
    activity.save()
    if hosts is not None:
        activity.hosts.set(hosts)
    if capacity is not UNCHANGED:
        # A subquery, not a join with DISTINCT: PostgreSQL refuses FOR UPDATE with DISTINCT.
        waiting = Occurrence.objects.filter(
            activity=activity,
            start__gte=timezone.now(),
            pk__in=Rsvp.objects.waitlisted().values("occurrence_id"),
        )
        for occurrence in waiting.select_for_update(of=("self",)):
            while _promote_from_waitlist(occurrence):
                pass
    return activity


def _locked_occurrence(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update().select_related("activity", "community").get(pk=occurrence.pk)
    )


@transaction.atomic
def occurrence_cancel(*, actor: User, occurrence: Occurrence, reason: str) -> Occurrence:
    """Cancel one date (with a reason people see); the rest of the series stays."""
    occurrence = _locked_occurrence(occurrence)
    _require_scheduler(actor, occurrence.community)
    if occurrence.cancelled:
        raise ActivityError("This date is already cancelled.")
    if rules.is_over(occurrence):
        raise ActivityError("This date is over: it can no longer be cancelled.")
    if not reason.strip():
        raise ActivityError({"reason": "Say why it is cancelled: people who planned to come will see it."})
    occurrence.cancelled, occurrence.cancel_reason = True, reason.strip()[:300]
    occurrence.save(update_fields=["cancelled", "cancel_reason"])
    going = list(
        occurrence.rsvps.filter(answer__in=[Answer.GOING, Answer.MAYBE]).values_list("pk", flat=True)
    )
    if going:
        transaction.on_commit(lambda: tasks.send_occurrence_cancelled.delay(occurrence.pk, going))
    return occurrence


@transaction.atomic
def occurrence_restore(*, actor: User, occurrence: Occurrence) -> Occurrence:
    """Undo a cancellation: the date takes place after all."""
    occurrence = _locked_occurrence(occurrence)
    _require_scheduler(actor, occurrence.community)
    if not occurrence.cancelled:
        raise ActivityError("This date is not cancelled.")
    occurrence.cancelled, occurrence.cancel_reason = False, ""
    occurrence.save(update_fields=["cancelled", "cancel_reason"])
    return occurrence


@transaction.atomic
def occurrence_move(
    *,
    actor: User,
    occurrence: Occurrence,
    start_local: datetime,
    end_local: datetime,
    past_confirmed: bool = False,
) -> Occurrence:
    """Move one date of a series (given in the organizer's zone); its RSVPs stay with it. A new start in the past
    is refused unless `past_confirmed`."""
    occurrence = _locked_occurrence(occurrence)
    _require_scheduler(actor, occurrence.community)
    _check_times(start_local, end_local)
    zone = _zone(occurrence.activity.time_zone)
    _check_not_past(start_local.replace(tzinfo=zone), past_confirmed)
    occurrence.start, occurrence.end = start_local.replace(tzinfo=zone), end_local.replace(tzinfo=zone)
    occurrence.save(update_fields=["start", "end"])
    return occurrence


SERIES_KEEPS = ("community", "kind", "description", "time_zone", "place", "online_link", "capacity", "repeat")
"""What the following dates' new series keeps of the old one when they move (its hosts too)."""


@transaction.atomic
def series_split(
    *,
    actor: User,
    occurrence: Occurrence,
    start_local: datetime,
    end_local: datetime,
    title: str | None = None,
    past_confirmed: bool = False,
) -> Activity:
    """Edit "this and following": the series ends before `occurrence`; a new series starts there with the new
    time. Earlier dates keep their RSVPs; the following dates keep theirs too, matched by position. A new start
    in the past is refused unless `past_confirmed`."""
    occurrence = _locked_occurrence(occurrence)
    old = occurrence.activity
    _require_scheduler(actor, old.community)
    if not old.is_recurring:
        raise ActivityError("This activity does not repeat: edit its date instead.")
    _check_times(start_local, end_local)
    _check_not_past(start_local.replace(tzinfo=_zone(old.time_zone)), past_confirmed)
    following = list(old.occurrences.filter(sequence__gte=occurrence.sequence).order_by("sequence"))
    remaining = len(following)
    new = Activity.objects.create(
        **{field: getattr(old, field) for field in SERIES_KEEPS},
        title=(title or old.title).strip(),
        repeat_count=remaining,
        created_by=actor,
    )
    new.hosts.set(old.hosts.all())
    dates = _expand(
        repeat=old.repeat,
        first_local=start_local,
        duration=end_local - start_local,
        time_zone=old.time_zone,
        count=remaining,
        until=None,
    )
    for n, (row, (start, end)) in enumerate(zip(following, dates, strict=True), start=1):
        row.activity, row.sequence, row.original_start, row.start, row.end = new, n, start, start, end
    Occurrence.objects.bulk_update(following, ["activity", "sequence", "original_start", "start", "end"])
    old.repeat_count, old.repeat_until = occurrence.sequence - 1, None
    old.save(update_fields=["repeat_count", "repeat_until", "updated_at"])
    if old.repeat_count == 0:
        old.delete()
    return new


# --- RSVPs and attendance -------------------------------------------------------------------------------


@transaction.atomic
def rsvp_set(*, user: User, occurrence: Occurrence, answer: str, at: datetime | None = None) -> Rsvp:
    """Answer going / maybe / not going. A full activity puts new "going" answers on the waitlist; giving up a
    seat moves the first waitlisted person up (and tells them). The occurrence row lock makes two people taking
    the last seat at once come out as one seated, one waitlisted. `at` back-dates the answer (demo data and
    tests; None is now): answers close when the date is over at that time."""
    occurrence = _locked_occurrence(occurrence)
    if answer not in Answer.values:
        raise ActivityError({"answer": "Answer going, maybe or not going."})
    access = access_for(user, occurrence.community)
    require(rules.may_answer(access), rules.answer_refusal(access))
    if occurrence.cancelled:
        raise ActivityError("This date is cancelled.")
    now = at or timezone.now()
    if rules.is_over(occurrence, now):
        raise ActivityError("This date is over: answers are closed.")
    rsvp = Rsvp.objects.filter(occurrence=occurrence, user=user).first()
    was_seated = bool(rsvp and rsvp.answer == Answer.GOING and not rsvp.waitlisted)
    if rsvp and rsvp.answer == answer:
        return rsvp
    capacity = occurrence.activity.capacity
    seated = occurrence.rsvps.seated().exclude(user=user).count()
    waitlisted = answer == Answer.GOING and capacity is not None and seated >= capacity
    if rsvp is None:
        rsvp = Rsvp(occurrence=occurrence, user=user)
    rsvp.answer, rsvp.waitlisted, rsvp.answered_at = answer, waitlisted, now
    rsvp.save()
    participation_record(
        community=occurrence.community,
        user=user,
        kind=Participation.Kind.RSVP,
        source=f"occurrence:{occurrence.pk}",
        at=now,
    )
    if was_seated and answer != Answer.GOING:
        _promote_from_waitlist(occurrence)
    return rsvp


def _promote_from_waitlist(occurrence: Occurrence) -> Rsvp | None:
    capacity = occurrence.activity.capacity
    if capacity is not None and occurrence.rsvps.seated().count() >= capacity:
        return None
    first = occurrence.rsvps.waitlisted().select_for_update().order_by("answered_at", "pk").first()
    if first is None:
        return None
    first.waitlisted = False
    first.save(update_fields=["waitlisted"])
    transaction.on_commit(lambda: tasks.send_waitlist_promoted.delay(first.pk))
    return first


@transaction.atomic
def attendance_record(
    *, actor: User, occurrence: Occurrence, attended_user_ids: set[int], at: datetime | None = None
) -> int:
    """A coordinator records who came (the form is prefilled from "going"). Returns how many attended.

    People recorded for the first time get an "attended" ledger row; running it again adds no duplicates. `at`
    back-dates the record (demo data and tests; None is now).
    """
    occurrence = _locked_occurrence(occurrence)
    access = access_for(actor, occurrence.community)
    require(rules.may_record_attendance(access), rules.schedule_refusal(access))
    now = at or timezone.now()
    if not rules.has_started(occurrence, now):
        raise ActivityError(rules.ATTENDANCE_NOT_STARTED)
    members = set(
        occurrence.community.memberships.active()
        .filter(user_id__in=attended_user_ids)
        .values_list("user_id", flat=True)
    )
    strangers = set(attended_user_ids) - members
    if strangers:
        raise ActivityError({"attended": "Only members of the community can be recorded as attending."})
    already = set(occurrence.rsvps.filter(attended=True).values_list("user_id", flat=True))
    existing = {r.user_id: r for r in occurrence.rsvps.all()}
    for user_id in members:
        rsvp = existing.get(user_id)
        if rsvp is None:
            Rsvp.objects.create(
                occurrence=occurrence, user_id=user_id, answer=Answer.GOING, answered_at=now, attended=True
            )
        elif not rsvp.attended:
            rsvp.attended = True
            rsvp.save(update_fields=["attended"])
    occurrence.rsvps.exclude(user_id__in=members).filter(attended=True).update(attended=False)
    Participation.objects.bulk_create(
        [
            Participation(
                community=occurrence.community,
                user_id=user_id,
                kind=Participation.Kind.ATTENDED,
                at=now,
                source=f"occurrence:{occurrence.pk}",
            )
            for user_id in sorted(members - already)
        ]
    )
    occurrence.attendance_recorded_at = now
    occurrence.save(update_fields=["attendance_recorded_at"])
    return len(members)


@transaction.atomic
def occurrence_notes_save(*, actor: User, occurrence: Occurrence, notes: str) -> Occurrence:
    """Notes written after the activity happened (what was discussed, decisions, links)."""
    occurrence = _locked_occurrence(occurrence)
    access = access_for(actor, occurrence.community)
    require(rules.may_write_notes(access), rules.schedule_refusal(access))
    if len(notes) > 50_000:
        raise ActivityError({"notes": "Notes can be at most 50,000 characters."})
    occurrence.notes = notes
    occurrence.save(update_fields=["notes", "notes_html"])
    return occurrence


# --- Calendar feeds and reminders -----------------------------------------------------------------------


def calendar_token_for(*, user: User) -> CalendarToken:
    token, _ = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user: User) -> CalendarToken:
    """A new secret for the member's feed URLs; the old ones stop working at once."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


def reminders_claim_due(*, within: timedelta = timedelta(hours=24), now: datetime | None = None) -> list[int]:
    """Claim the RSVPs due a reminder (going, seated, starting within `within`, not reminded yet, still a member
    of the community) with a conditional update, so a second run at the same time claims nothing. Returns the
    claimed RSVP ids."""
    now = now or timezone.now()
    still_member = Membership.objects.active().filter(
        community=OuterRef("occurrence__community"), user=OuterRef("user")
    )
    candidates = list(
        Rsvp.objects.seated()
        .filter(
            Exists(still_member),
            reminded_at__isnull=True,
            occurrence__cancelled=False,
            occurrence__start__gt=now,
            occurrence__start__lte=now + within,
            user__is_active=True,
        )
        .values_list("pk", flat=True)[:5000]
    )
    claimed = []
    for pk in candidates:
        if Rsvp.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            claimed.append(pk)
    return claimed
