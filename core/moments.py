"""How moments are shown, a builtin of the template engine (settings `TEMPLATES`), so every template has them
without `{% load %}`:

- `{{ moment|datetime_attr }}`: the machine-readable form for `<time datetime="…">`. Django's `date:'c'` keeps
  microseconds, which HTML's `datetime` attribute does not accept (at most three fraction digits); this gives
  whole seconds in the viewer's time zone, the zone the visible text is in.
- `{{ moment|time_ago }}`: the whole `<time>` element people read, relative ("2 hours ago", "in 3 days") with the
  exact time on hover and for screen readers, made in one call (a list of fifty posts shows a hundred of them).
"""

from datetime import date, datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

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
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    exact = dateformat.format(local, EXACT)
    return format_html(
        '<time datetime="{}" title="{}">{}<span class="visually-hidden"> ({})</span></time>',
        local.isoformat(timespec="seconds"),
        exact,
        relative(value),
        exact,
    )
