"""The `time_range` filter writes what the `_time_range.html` include wrote, in one call: same text and markup, in
the active zone, with and without the date, for ranges within a day and across midnight."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

THE_INCLUDE_IT_REPLACES = Template(
    '{% load tz %}{% get_current_timezone as zone_name %}{% if not without_date %}{{ o.start|date:"D j M" }}, '
    '{% endif %}{{ o.start|time:"H:i" }}\u2013{% if o.start|date:"Ymd" != o.end|date:"Ymd" %}{{ o.end|date:"D j M" }}, '
    '{% endif %}{{ o.end|time:"H:i" }} <abbr class="zone" title="{{ zone_name }}">{{ o.start|date:"T" }}</abbr>'
)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/Los_Angeles", "Europe/Berlin"])
@pytest.mark.parametrize("hours", [1, 5, 30])
@pytest.mark.parametrize("without_date", [False, True])
def test_the_same_as_the_include(zone, hours, without_date):
    start = timezone.now().replace(hour=21, minute=30, second=0, microsecond=0)
    o = SimpleNamespace(start=start, end=start + timedelta(hours=hours))
    with timezone.override(zone):
        before = THE_INCLUDE_IT_REPLACES.render(Context({"o": o, "without_date": without_date}))
        argument = ':"without_date"' if without_date else ""
        after = Template("{% load activity_tags %}{{ o|time_range" + argument + " }}").render(
            Context({"o": o})
        )
    assert after == before


def test_inside_a_timezone_block_the_blocks_zone():
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=timezone.UTC)
    o = SimpleNamespace(start=start, end=start + timedelta(hours=1))
    text = Template(
        '{% load tz activity_tags %}{% timezone "Asia/Tokyo" %}{{ o|time_range:"without_date" }}{% endtimezone %}'
    ).render(Context({"o": o}))
    assert text.startswith("18:00\u201319:00 ") and 'title="Asia/Tokyo">JST<' in text
