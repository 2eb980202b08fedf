"""`time_ago` makes in one call the <time> element three template filters and an include made before: the same
markup, in the viewer's zone, for moments past and to come."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

THE_INCLUDE_IT_REPLACES = Template(
    "{% load activity_tags %}"
    '<time datetime="{{ at|datetime_attr }}" title="{{ at|date:\'l j F Y, H:i T\' }}">{{ at|relative }}'
    "<span class=\"visually-hidden\"> ({{ at|date:'l j F Y, H:i T' }})</span></time>"
)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/Los_Angeles"])
@pytest.mark.parametrize(
    "offset", [timedelta(minutes=-5), timedelta(days=-40), timedelta(hours=3), timedelta(days=9)]
)
def test_the_same_markup_as_before(zone, offset):
    at = (timezone.now() + offset).replace(microsecond=123456)
    with timezone.override(zone):
        before = THE_INCLUDE_IT_REPLACES.render(Context({"at": at}))
        after = Template("{{ at|time_ago }}").render(Context({"at": at}))
    assert after == before
    assert 'datetime="' in after and ".123" not in after


def test_nothing_for_no_moment():
    assert Template("{{ at|time_ago }}").render(Context({"at": None})) == ""


def test_the_same_moment_in_two_zones_within_a_minute():
    """The elements are kept per minute: the key holds the zone, so a second viewer's zone is not served the
    first one's text."""
    at = timezone.now() - timedelta(hours=2)
    with timezone.override("Asia/Kolkata"):
        kolkata = Template("{{ at|time_ago }}").render(Context({"at": at}))
    with timezone.override("America/Los_Angeles"):
        los_angeles = Template("{{ at|time_ago }}").render(Context({"at": at}))
    assert "IST" in kolkata and "PST" in los_angeles
    assert "2\xa0hours ago" in kolkata and "2\xa0hours ago" in los_angeles


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_many_moments_at_once_are_each_what_time_ago_makes(zone):
    from core.moments import time_ago, times_ago

    moments = [timezone.now() - timedelta(minutes=n * 37) for n in range(5)]
    with timezone.override(zone):
        assert times_ago(moments) == [time_ago(moment) for moment in moments]
