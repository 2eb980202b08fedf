"""How moments are shown, a builtin of the template engine (settings `TEMPLATES`), so every template has them
without `{% load %}`:

- `{{ moment|datetime_attr }}`: the machine-readable form for `<time datetime="…">`. Django's `date:'c'` keeps
  microseconds, which HTML's `datetime` attribute does not accept (at most three fraction digits); this gives
  whole seconds in the viewer's time zone, the zone the visible text is in.
- `{{ moment|time_ago }}`: the whole `<time>` element people read, relative ("2 hours ago", "in 3 days") with the
  exact time on hover and for screen readers, made in one call (a list of fifty posts shows a hundred of them).
  Each element is kept for the minute it was made in (per zone and language: a thread seen again within the
  minute formats none of its dates twice); "2 hours ago" is at most a minute behind.
"""

from datetime import date, datetime
from functools import lru_cache
from html import escape

from django import template
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import get_language

register = template.Library()


@register.filter
def datetime_attr(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    return value.isoformat()


EXACT = "l j F Y, H:i T"


def this_minute() -> int:
    """The minute now falls in (minutes since the epoch): what fragments and kept values showing relative times
    ("2 hours ago", "in 3 days") are keyed by, so they are at most a minute behind."""
    return int(timezone.now().timestamp()) // 60


def day_label(day: date) -> str:
    """ "Monday 7 December": a day as calendars name it (kept per language)."""
    return _day_label(day, get_language())


@lru_cache(maxsize=1024)
def _day_label(day: date, language: str | None) -> str:
    return dateformat.format(day, "l j F")


def relative(value: datetime | None) -> str:
    """ "in 3 days" or "2 hours ago" (the largest unit only); the exact time goes in a <time> title."""
    if value is None:
        return ""
    now = timezone.now()
    if value > now:
        return f"in {timeuntil(value, now, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"


@register.filter
def time_ago(value: datetime | None) -> SafeString | str:
    if value is None or value == "":
        return ""
    return times_ago([value])[0]


def times_ago(values) -> list[SafeString]:
    """`time_ago` of many moments at once (a page of posts): the zone, the minute and the language asked once."""
    zone = timezone.get_current_timezone()
    minute, language = this_minute(), get_language()
    return [
        # `_time_element` escapes every text it puts in (hence S308 below)
        mark_safe(_time_element(value, zone if timezone.is_aware(value) else None, minute, language))  # noqa: S308
        for value in values
    ]


@lru_cache(maxsize=8192)
def _time_element(value: datetime, zone, minute: int, language: str | None) -> str:
    """`time_ago`'s element for `value` seen in `zone` during `minute` (both are part of the cache's key)."""
    local = timezone.localtime(value, zone) if zone is not None else value
    exact = escape(dateformat.format(local, EXACT))
    return (
        f'<time datetime="{local.isoformat(timespec="seconds")}" title="{exact}">{escape(relative(value))}'
        f'<span class="visually-hidden"> ({exact})</span></time>'
    )
