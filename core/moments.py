"""`{{ moment|datetime_attr }}`: the machine-readable form of a moment for `<time datetime="…">`.

Django's `date:'c'` keeps microseconds, which HTML's `datetime` attribute does not accept (at most three
fraction digits); this gives whole seconds in the viewer's time zone, the zone the visible text is in.
A builtin of the template engine (settings `TEMPLATES`), so every template has it without `{% load %}`.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone

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
