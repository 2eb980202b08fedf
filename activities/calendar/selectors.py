"""Reads for activities: calendars, agendas, the viewer's RSVPs, a date's people and attendance, feeds. Each a
fixed number of queries."""

import calendar as calendar_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from activities.calendar.models import Activity, CalendarToken, Occurrence, Rsvp
from communities.access import CommunityAccess
from communities.models import Community, Membership, texts_of
from communities.selectors import community_members, content_version_name
from core import fragments, versions
from core.moments import day_label, this_minute
from members.models import User

Answer = Rsvp.Answer

# A feed carries every series with a date in the last year or later: calendar apps keep the recent past,
# and a community's whole history would make the feed grow without end.
FEED_HISTORY = timedelta(days=365)


def _rsvps_counted(**answer) -> Coalesce:
    """How many RSVPs of the outer occurrence match `answer`, as a subquery on the (occurrence, …) index: no
    GROUP BY over the page's columns."""
    rows = (
        Rsvp.objects.filter(occurrence=OuterRef("pk"), **answer)
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_rsvp_counts(occurrences: QuerySet[Occurrence], viewer: User | None = None) -> QuerySet[Occurrence]:
    """Annotate going (seated), waitlist and maybe counts, and the viewer's own answer (`viewer_rsvp`)."""
    occurrences = occurrences.annotate(
        going_count=_rsvps_counted(answer=Answer.GOING, waitlisted=False),
        waitlist_count=_rsvps_counted(answer=Answer.GOING, waitlisted=True),
        maybe_count=_rsvps_counted(answer=Answer.MAYBE),
    ).select_related("activity", "community")
    if viewer is not None:
        occurrences = occurrences.prefetch_related(
            Prefetch("rsvps", queryset=Rsvp.objects.filter(user=viewer), to_attr="viewer_rsvps")
        )
    return occurrences


# What lists of dates never show, left in the database: the texts of the date, its series and its community.
LISTS_LEAVE_OUT = (
    "notes",
    "notes_html",
    "activity__description",
    "activity__description_html",
    *texts_of("community"),
)


def listed(occurrences: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
    """`occurrences` for a list of dates (calendars, agendas, upcoming): without the long texts it never shows."""
    return occurrences.defer(*LISTS_LEAVE_OUT)


def viewer_rsvp(occurrence: Occurrence) -> Rsvp | None:
    rows = getattr(occurrence, "viewer_rsvps", None)
    return rows[0] if rows else None


def community_occurrences(
    *, community: Community, start: datetime, end: datetime, viewer: User
) -> QuerySet[Occurrence]:
    """A community's dates between two instants, cancelled ones included (shown struck through)."""
    return listed(with_rsvp_counts(community.occurrences.between(start, end), viewer)).order_by("start", "pk")


def community_has_dates(community: Community) -> bool:
    """Whether anything was ever scheduled in the community (an empty month says which)."""
    return community.occurrences.exists()


def upcoming_for_community(*, community: Community, viewer: User, limit: int = 3) -> list[Occurrence]:
    """The next dates of a community (for its home page): not cancelled, not over. Kept per minute under the
    community's content version (`_kept_dates`), the viewer's answers read apart."""
    minute = this_minute()  # dates under way until they end: kept for a minute at most

    def compute() -> list[Occurrence]:
        return list(
            listed(with_rsvp_counts(community.occurrences.upcoming())).order_by("start", "pk")[:limit]
        )

    return _with_my_answers(
        _kept_dates("community-upcoming", [community.pk], (minute, limit), compute).occurrences, viewer
    )


def _my_community_ids(user: User) -> QuerySet:
    """The communities `user` is an active member of, as a subquery."""
    return Membership.objects.active().filter(user=user).values("community_id")


def belongs_anywhere(user: User) -> bool:
    """Whether `user` is an active member of any community (an empty calendar suggests joining one)."""
    return Membership.objects.active().filter(user=user).exists()


def my_communities(user: User) -> list[Community]:
    """The communities `user` is an active member of, by name (their feed links)."""
    return [
        membership.community
        for membership in Membership.objects.active()
        .filter(user=user)
        .select_related("community")
        .order_by("community__name")
    ]


def my_occurrences(*, user: User, start: datetime, end: datetime) -> QuerySet[Occurrence]:
    """Every date of every community the member belongs to, with their RSVP on each."""
    mine = Occurrence.objects.filter(community_id__in=_my_community_ids(user)).between(start, end)
    return listed(with_rsvp_counts(mine, user)).order_by("start", "pk")


@dataclass
class KeptDates:
    """Dates shared by everyone in some communities, with what they are kept under: what a page makes of them
    may be kept under the same (`views.calendars.my_calendar`)."""

    occurrences: list[Occurrence]
    key: str
    version: str


def _kept_dates(
    name: str, ids: list[int], span: object, compute: Callable[[], list[Occurrence]]
) -> KeptDates:
    """Dates shared by everyone in the communities `ids`, kept under their content versions (a new, moved or
    cancelled date, a renamed activity or community, an answer: every RSVP records a ledger row) and `span`."""
    version = versions.current(*(content_version_name(pk) for pk in ids)) if ids else ""
    key = fragments.digest((ids, span))
    return KeptDates(fragments.kept(name, key, version, compute), key=key, version=version)


def _with_my_answers(occurrences: list[Occurrence], user: User) -> list[Occurrence]:
    """The viewer's own answers on kept dates (one query), where `viewer_rsvp` finds them."""
    answers = {
        rsvp.occurrence_id: rsvp
        for rsvp in Rsvp.objects.filter(user=user, occurrence_id__in=[o.pk for o in occurrences])
    }
    for occurrence in occurrences:
        occurrence.viewer_rsvps = [answers[occurrence.pk]] if occurrence.pk in answers else []
    return occurrences


def my_occurrences_kept(*, user: User, start: datetime, end: datetime) -> KeptDates:
    """`my_occurrences`, its dates kept per set of communities and span (`_kept_dates`), the viewer's answers
    read apart."""
    ids = sorted(_my_community_ids(user).order_by().values_list("community_id", flat=True))

    def compute() -> list[Occurrence]:
        mine = Occurrence.objects.filter(community_id__in=ids).between(start, end)
        return list(listed(with_rsvp_counts(mine)).order_by("start", "pk"))

    dates = _kept_dates("my-dates", ids, (start, end), compute)
    _with_my_answers(dates.occurrences, user)
    return dates


def my_upcoming(*, user: User, limit: int = 5) -> list[Occurrence]:
    """For the home page: my next dates in the communities I belong to that still change (not archived), not
    cancelled: every one a date I may answer (`rules.may_answer`), so the list offers the RSVP buttons. Kept per
    set of communities and minute (`_kept_dates`), the viewer's answers read apart."""
    current = Membership.objects.active().in_current().filter(user=user).order_by()
    ids = sorted(current.values_list("community_id", flat=True))
    minute = this_minute()  # dates under way until they end: kept for a minute at most

    def compute() -> list[Occurrence]:
        mine = Occurrence.objects.filter(community_id__in=ids).upcoming()
        return list(listed(with_rsvp_counts(mine)).order_by("start", "pk")[:limit])

    return _with_my_answers(_kept_dates("my-upcoming", ids, (minute, limit), compute).occurrences, user)


def whats_on(*, viewer: User) -> QuerySet[Occurrence]:
    """The organization's upcoming dates in listed communities (and private ones the viewer may see)."""
    visible = Community.objects.current().visible_to(viewer).values("pk")
    return listed(
        with_rsvp_counts(Occurrence.objects.filter(community_id__in=visible).upcoming(), viewer)
    ).order_by("start", "pk")


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def label(self) -> str:
        return day_label(self.date)


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


def people_at(occurrence: Occurrence) -> dict[str, list[Rsvp]]:
    """Who is going, waiting, maybe coming, and who came: a date's people section (one query)."""
    people = list(attendees(occurrence=occurrence))
    return {
        "going": [r for r in people if r.answer == Answer.GOING and not r.waitlisted],
        "waitlist": [r for r in people if r.answer == Answer.GOING and r.waitlisted],
        "maybe": [r for r in people if r.answer == Answer.MAYBE],
        "attended": [r for r in people if r.attended],
    }


SAID = {Answer.GOING: "said going", Answer.MAYBE: "said maybe", Answer.NOT_GOING: "said not going"}


def attendance_choices(*, occurrence: Occurrence) -> tuple[list[tuple[int, str]], set[int]]:
    """The attendance form's members (those ticked first, then by name), each with what they answered, and who
    is ticked: who was recorded before, or else who said they were going (with a seat). Two queries."""
    answers = {r.user_id: r for r in attendees(occurrence=occurrence)}
    if occurrence.attendance_recorded_at:
        checked = {user_id for user_id, r in answers.items() if r.attended}
    else:
        checked = {user_id for user_id, r in answers.items() if r.answer == Answer.GOING and not r.waitlisted}

    def label(membership: Membership) -> str:
        r = answers.get(membership.user_id)
        said = ("on the waitlist" if r.waitlisted else SAID[r.answer]) if r else ""
        return f"{membership.user.full_name} ({said})" if said else membership.user.full_name

    members = sorted(
        community_members(community=occurrence.community),
        key=lambda m: (m.user_id not in checked, m.user.full_name),
    )
    return [(m.user_id, label(m)) for m in members], checked


def series_opening(activity: Activity) -> tuple[Occurrence, int]:
    """The first date of a series just scheduled and how many dates it has (one query)."""
    dates = list(activity.occurrences.select_related("community").order_by("start"))
    return dates[0], len(dates)


def series_for_download(*, community: Community, pk: int) -> list[Occurrence]:
    """Every date of the series the date `pk` of this community belongs to, for its .ics (404 if it belongs
    elsewhere)."""
    series = list(
        community.occurrences.filter(activity__occurrences__pk=pk)
        .select_related("activity", "community")
        .order_by("sequence")
    )
    if not series:
        raise Http404("No such activity")
    return series


def feed_occurrences(community_ids: QuerySet | list[int]) -> QuerySet[Occurrence]:
    """Every date of the series (whole series, so their RRULEs stay whole) of these communities that have a
    date within FEED_HISTORY or later. One query."""
    cutoff = timezone.now() - FEED_HISTORY
    recent_series = Occurrence.objects.filter(community_id__in=community_ids, end__gte=cutoff).values(
        "activity_id"
    )
    return (
        Occurrence.objects.filter(community_id__in=community_ids, activity_id__in=recent_series)
        .select_related("activity", "community")
        .order_by("activity_id", "sequence")
    )


def my_feed_occurrences(user: User) -> QuerySet[Occurrence]:
    """The personal feed: `feed_occurrences` of every community `user` is an active member of. One query."""
    return feed_occurrences(_my_community_ids(user))


def user_for_feed_token(token: str) -> User:
    """The active member a feed token belongs to, or 404 (a forged or reset token)."""
    row = CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if row is None:
        raise Http404("No such calendar")
    return row.user
