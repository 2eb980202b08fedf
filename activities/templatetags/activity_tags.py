"""Activities on pages of other apps, and the small filters activity templates share.

`{% load activity_tags %}`, then `{% upcoming_activities community %}` (a community's next three dates with RSVP
buttons, for its home page) or `{% my_upcoming_activities user %}` (my next dates, for the home page). Both
render `activities/_upcoming.html` in the viewer's time zone. `{% page_actions access obj %}`: what the apps above
offer on a discussion's or a date's page (`activities.page_actions`). Filters: `my_rsvp` (the viewer's answer on an
occurrence from an RSVP selector), `relative` ("in 3 days", "2 hours ago"), `is_over`.
"""

from datetime import datetime
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from activities.calendar import rules, selectors
from activities.models import Occurrence, Rsvp
from activities.page_actions import actions_for
from communities.access import CommunityAccess, access_for
from communities.models import Community
from core.moments import relative

register = template.Library()


@register.inclusion_tag("activities/_upcoming.html", takes_context=True)
def upcoming_activities(context, community: Community) -> dict:
    """A community's next three dates (not cancelled, not over) with RSVP buttons for its members; the rules
    are asked of the page's `access` when it is this community's (else of the viewer's own)."""
    request = context["request"]
    user = request.user
    access = context.get("access")
    if access is None or access.community.pk != community.pk:
        access = access_for(user, community)
    return {
        "request": request,
        "occurrences": selectors.upcoming_for_community(community=community, viewer=user),
        "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
        "can_answer": rules.may_answer(access),
        "can_schedule": rules.may_schedule(access),
        "community": community,
        "calendar_url": reverse("activities:community_calendar", args=[community.slug]),
    }


@register.inclusion_tag("activities/_upcoming.html", takes_context=True)
def my_upcoming_activities(context, user) -> dict:
    """My next dates in the communities I belong to, with RSVP buttons: `selectors.my_upcoming` lists only dates
    `rules.may_answer` allows."""
    return {
        "request": context["request"],
        "occurrences": selectors.my_upcoming(user=user),
        "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
        "can_answer": True,
        "show_community": True,
        "calendar_url": reverse("activities:calendar"),
    }


@register.inclusion_tag("activities/_page_actions.html", takes_context=True)
def page_actions(context, access: CommunityAccess, obj) -> dict:
    """The actions other apps offer the viewer on this discussion's or occurrence's page (none: nothing shown)."""
    return {"actions": actions_for(access, obj), "csrf_token": context.get("csrf_token")}


@register.filter
def my_rsvp(occurrence: Occurrence) -> Rsvp | None:
    """The viewer's own answer, from an occurrence loaded by `with_rsvp_counts(..., viewer)`."""
    return selectors.viewer_rsvp(occurrence)


@register.filter
def is_over(occurrence: Occurrence) -> bool:
    """`rules.is_over`: the date has ended."""
    return rules.is_over(occurrence)


@register.filter(name="relative")
def relative_filter(value: datetime | None) -> str:
    """ "in 3 days" or "2 hours ago" (core.moments.relative)."""
    return relative(value)


ANSWER_LABELS = {
    "going": "You're going",
    "waitlisted": "You're on the waitlist",
    "maybe": "You said maybe",
    "not_going": "You're not going",
}


@register.filter
def answer_key(rsvp: Rsvp | None) -> str:
    """going, waitlisted, maybe or not_going (a CSS class and a label key); empty without an answer."""
    if rsvp is None:
        return ""
    return "waitlisted" if rsvp.answer == Rsvp.Answer.GOING and rsvp.waitlisted else rsvp.answer


@register.filter
def answer_label(rsvp: Rsvp | None) -> str:
    return ANSWER_LABELS.get(answer_key(rsvp), "")


@register.filter
def answer_badge(occurrence: Occurrence) -> str:
    """The viewer's answer on `occurrence` as the lists show it (nothing without an answer)."""
    key = answer_key(selectors.viewer_rsvp(occurrence))
    if not key:
        return ""
    return mark_safe(f'<span class="rsvp-answer rsvp-{key}">{escape(ANSWER_LABELS[key])}</span>')  # noqa: S308


@register.filter
def time_range(occurrence: Occurrence, without_date: str = "") -> str:
    """ "Tue 14 Apr, 10:00-11:00 CEST" (an en dash) in the active time zone (`"without_date"`: "10:00-11:00
    CEST"), the end's date shown when it ends on another day; the zone's name on hover. One call, kept per zone
    and language."""
    if occurrence is None:
        return ""
    return mark_safe(  # noqa: S308 - escaped in _time_range_html
        _time_range_html(
            occurrence.start,
            occurrence.end,
            timezone.get_current_timezone_name(),
            bool(without_date),
            get_language(),
        )
    )


@lru_cache(maxsize=4096)
def _time_range_html(
    start: datetime, end: datetime, zone: str, without_date: bool, language: str | None
) -> str:
    tz = ZoneInfo(zone)
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    first = "" if without_date else f"{dateformat.format(start, 'D j M')}, "
    other_day = f"{dateformat.format(end, 'D j M')}, " if start.date() != end.date() else ""
    return (
        f"{escape(first)}{start:%H:%M}\u2013{escape(other_day)}{end:%H:%M} "
        f'<abbr class="zone" title="{escape(zone)}">{escape(dateformat.format(start, "T"))}</abbr>'
    )
