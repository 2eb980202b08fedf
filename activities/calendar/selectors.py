"""Reads for activities: calendars, agendas, the viewer's RSVPs, feeds. Each a fixed number of queries."""

import calendar as calendar_module
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from activities.calendar.models import CalendarToken, Occurrence, Rsvp
from communities.access import CommunityAccess, visible_communities_q
from communities.models import Community, Membership
from members.models import User

Answer = Rsvp.Answer


def with_rsvp_counts(occurrences: QuerySet[Occurrence], viewer: User | None = None) -> QuerySet[Occurrence]:
    """Annotate going (seated), waitlist and maybe counts, and the viewer's own answer."""
    occurrences = occurrences.annotate(
        going_count=Count(
            "rsvps", filter=Q(rsvps__answer=Answer.GOING, rsvps__waitlisted=False), distinct=True
        ),
        waitlist_count=Count(
            "rsvps", filter=Q(rsvps__answer=Answer.GOING, rsvps__waitlisted=True), distinct=True
        ),
        maybe_count=Count("rsvps", filter=Q(rsvps__answer=Answer.MAYBE), distinct=True),
    ).select_related("activity", "community")
    if viewer is not None:
        mine = Rsvp.objects.filter(occurrence=OuterRef("pk"), user=viewer)
        occurrences = occurrences.prefetch_related(
            Prefetch("rsvps", queryset=Rsvp.objects.filter(user=viewer), to_attr="viewer_rsvps")
        ).annotate(viewer_answered=Exists(mine))
    return occurrences


def viewer_rsvp(occurrence: Occurrence) -> Rsvp | None:
    rows = getattr(occurrence, "viewer_rsvps", None)
    return rows[0] if rows else None


def community_occurrences(
    *, community: Community, start: datetime, end: datetime, viewer: User
) -> QuerySet[Occurrence]:
    """A community's dates between two instants, cancelled ones included (shown struck through)."""
    return with_rsvp_counts(
        Occurrence.objects.filter(community=community, start__lt=end, end__gt=start), viewer
    ).order_by("start", "pk")


def upcoming_for_community(*, community: Community, viewer: User, limit: int = 3) -> list[Occurrence]:
    """The next dates of a community (for its home page): not cancelled, not over."""
    return list(
        with_rsvp_counts(
            Occurrence.objects.filter(community=community, cancelled=False, end__gt=timezone.now()), viewer
        ).order_by("start", "pk")[:limit]
    )


def my_occurrences(*, user: User, start: datetime, end: datetime) -> QuerySet[Occurrence]:
    """Every date of every community the member belongs to, with their RSVP on each."""
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")
    return with_rsvp_counts(
        Occurrence.objects.filter(community_id__in=mine, start__lt=end, end__gt=start), user
    ).order_by("start", "pk")


def my_upcoming(*, user: User, limit: int = 5) -> list[Occurrence]:
    """For the home page: my next dates (I'm going, or in my communities), not cancelled."""
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")
    return list(
        with_rsvp_counts(
            Occurrence.objects.filter(community_id__in=mine, cancelled=False, end__gt=timezone.now()), user
        ).order_by("start", "pk")[:limit]
    )


def whats_on(*, viewer: User) -> QuerySet[Occurrence]:
    """The organization's upcoming dates in listed communities (and private ones the viewer may see)."""
    visible = Community.objects.filter(visible_communities_q(viewer), archived_at__isnull=True).values("pk")
    return with_rsvp_counts(
        Occurrence.objects.filter(community_id__in=visible, cancelled=False, end__gt=timezone.now()), viewer
    ).order_by("start", "pk")


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    occurrences: list[Occurrence] = field(default_factory=list)


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime, list[date]]:
    """The instants a month grid spans (whole weeks, Monday first) in the viewer's zone, and its dates."""
    cal = calendar_module.Calendar(firstweekday=0)
    dates = list(cal.itermonthdates(year, month))
    first = datetime.combine(dates[0], datetime.min.time()).replace(tzinfo=zone)
    last = datetime.combine(dates[-1] + timedelta(days=1), datetime.min.time()).replace(tzinfo=zone)
    return first, last, dates


def month_grid(
    occurrences: list[Occurrence], *, year: int, month: int, zone: ZoneInfo, dates: list[date]
) -> list[list[Day]]:
    """Weeks of days with their occurrences, in the viewer's zone."""
    today = timezone.now().astimezone(zone).date()
    by_day: dict[date, list[Occurrence]] = {}
    for occurrence in occurrences:
        by_day.setdefault(occurrence.start.astimezone(zone).date(), []).append(occurrence)
    days = [
        Day(date=d, in_month=d.month == month, is_today=d == today, occurrences=by_day.get(d, []))
        for d in dates
    ]
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def occurrence_for(access: CommunityAccess, pk: int, viewer: User) -> Occurrence:
    """One occurrence of this community with counts and the viewer's answer (404 if it belongs elsewhere)."""
    first = Occurrence.objects.filter(activity=OuterRef("activity"), sequence=1).values("original_start")[:1]
    occurrence = (
        with_rsvp_counts(Occurrence.objects.filter(pk=pk, community=access.community), viewer)
        .annotate(series_first_start=Subquery(first))
        .prefetch_related("activity__hosts")
        .first()
    )
    if occurrence is None:
        raise Http404("No such activity")
    return occurrence


def attendees(*, occurrence: Occurrence) -> QuerySet[Rsvp]:
    return occurrence.rsvps.select_related("user", "user__org_unit").order_by(
        "waitlisted", "answered_at", "pk"
    )


def user_for_feed_token(token: str) -> User:
    """The active member a feed token belongs to, or 404 (a forged or reset token)."""
    row = CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if row is None:
        raise Http404("No such calendar")
    return row.user
