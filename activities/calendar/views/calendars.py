"""Views of calendars: a community's (month grid and agenda), mine (every community I belong to, with my answer on
each date) and the organization's "What's on".

Month navigation (`?month=YYYY-MM`) and the month/agenda switch (`?view=agenda`) are plain links; with htmx they
swap only the calendar (the `calendar` partial of the page) and push the URL, so the page stays bookmarkable.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from activities.calendar import rules, selectors
from activities.calendar.models import Occurrence
from activities.templatetags.activity_tags import answer_badge
from communities.access import get_community_for
from core import fragments
from core.moments import day_label, this_minute

AGENDA, MONTH = "agenda", "month"


@dataclass
class AgendaDay:
    date: date
    is_today: bool
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def label(self) -> str:
        return day_label(self.date)


def by_day(occurrences: list[Occurrence]) -> list[AgendaDay]:
    """Occurrences grouped by their date in the active (viewer's) time zone, in order."""
    today = timezone.localdate()
    days: list[AgendaDay] = []
    for occurrence in occurrences:
        day = timezone.localtime(occurrence.start).date()
        if not days or days[-1].date != day:
            days.append(AgendaDay(date=day, is_today=day == today))
        days[-1].occurrences.append(occurrence)
    return days


@dataclass
class MonthView:
    """What the calendar partial shows: a month as a grid of weeks and as an agenda, with its neighbours."""

    first: date
    view: str
    weeks: list[list[selectors.Day]]
    agenda: list[AgendaDay]
    previous: str
    next: str
    this_month: str

    @property
    def param(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def is_this_month(self) -> bool:
        return self.param == self.this_month

    @property
    def is_empty(self) -> bool:
        return not self.agenda


def _requested_month(request: HttpRequest, today: date) -> date:
    """The first day of `?month=YYYY-MM`; the current month when it is missing or malformed."""
    try:
        month = datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError:
        return today.replace(day=1)
    return month if 1971 <= month.year <= 2999 else today.replace(day=1)


def _shift(month: date, delta: int) -> str:
    index = month.year * 12 + month.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_view(request: HttpRequest, load: Callable[[datetime, datetime], QuerySet[Occurrence]]) -> MonthView:
    """The requested month in the viewer's zone, with the occurrences `load(start, end)` returns for it."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    first = _requested_month(request, today)
    start, end, dates = selectors.month_bounds(first.year, first.month, zone)
    occurrences = list(load(start, end))
    in_month = [o for o in occurrences if timezone.localtime(o.start).month == first.month]
    return MonthView(
        first=first,
        view=AGENDA if request.GET.get("view") == AGENDA else MONTH,
        weeks=selectors.month_grid(occurrences, year=first.year, month=first.month, zone=zone, dates=dates),
        agenda=by_day(in_month),
        previous=_shift(first, -1),
        next=_shift(first, 1),
        this_month=f"{today:%Y-%m}",
    )


def _render_calendar(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The whole page, or for htmx navigation only its calendar partial."""
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, f"{template}#calendar" if partial else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def community_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's calendar: a month grid (Monday first) and an agenda, cancelled dates struck through."""
    access = get_community_for(request.user, slug, content=True)
    community = access.community
    calendar = month_view(
        request,
        lambda start, end: selectors.community_occurrences(
            community=community, start=start, end=end, viewer=request.user
        ),
    )
    context = {
        "access": access,
        "tab": "activities",
        "calendar": calendar,
        "can_schedule": rules.may_schedule(access),
        # Only asked when the month is empty, to say whether anything was ever scheduled.
        "has_any": not calendar.is_empty or selectors.community_has_dates(community),
    }
    return _render_calendar(request, "activities/community_calendar.html", context)


@login_required
@require_GET
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Every date of every community I belong to, with my answer on each."""
    kept: list[selectors.KeptDates] = []

    def load(start: datetime, end: datetime) -> list[Occurrence]:
        kept.append(selectors.my_occurrences_kept(user=request.user, start=start, end=end))
        return kept[0].occurrences

    calendar = month_view(request, load)
    context = {
        "calendar": calendar,
        "show_community": True,
        # Only asked when the month is empty, to suggest joining a community if there is none.
        "has_communities": not calendar.is_empty or selectors.belongs_anywhere(request.user),
    }
    context["calendar_html"] = _kept_month(request, "activities/calendar.html", context, kept[0])
    return _render_calendar(request, "activities/calendar.html", context)


ANSWER_SLOT = re.compile(r"<!--answer:(\d+)-->")


def _kept_month(request: HttpRequest, template: str, context: dict, dates: selectors.KeptDates) -> SafeString:
    """The month's grid and agenda, the same for everyone in the same communities but for each one's answers:
    kept (`core.fragments`) under the dates' key and versions, the address asked (its links keep the query), htmx
    or not, the minute (the "in 3 days") and the zone, with a slot where each date's answer goes; the viewer's
    answers are put in the slots."""
    minute = this_minute()
    version = f"{dates.version}-{request.get_full_path()}-{int(bool(request.htmx))}-{minute}"
    version += f"-{int(context['has_communities'])}"
    html = fragments.one(
        "my-month",
        dates.key,
        fragments.digest(version),
        lambda: render_to_string(f"{template}#calendar", {**context, "answer_slots": True}, request=request),
        zoned=True,
    )
    badges = {o.pk: answer_badge(o) for o in dates.occurrences}
    return mark_safe(ANSWER_SLOT.sub(lambda slot: badges.get(int(slot[1]), ""), html))  # noqa: S308


@login_required
@require_GET
def whats_on(request: HttpRequest) -> HttpResponse:
    """Upcoming dates across the organization: listed communities, and private ones the viewer may see."""
    page = Paginator(selectors.whats_on(viewer=request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "activities/whats_on.html", {"page": page, "days": by_day(list(page.object_list))})
