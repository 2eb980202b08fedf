"""iCalendar (RFC 5545) for activities: one VEVENT per series with RRULE, EXDATE for cancelled dates and a
RECURRENCE-ID event per moved date; one-off activities carry STATUS:CANCELLED when cancelled. UIDs are the
activities' stable UUIDs, so calendar apps update events between fetches instead of duplicating them."""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event, vRecur, vText

from activities.calendar.models import Activity, Occurrence
from activities.calendar.recurrence import rrule_text

PRODID = "-//CoPsite//Communities of practice//EN"
TIMEZONE_MARGIN = timedelta(days=366)


# Time-zone rules are written out for these years at most; a calendar app extends the last one beyond.
ZONE_RULES_FROM, ZONE_RULES_UNTIL = date(1900, 1, 1), date(2199, 12, 31)


def _shifted(instant: datetime, by: timedelta) -> date:
    """The instant's date moved by `by`, within the years whose zone rules a feed spells out."""
    day = instant.date()
    if ZONE_RULES_FROM + abs(by) <= day <= ZONE_RULES_UNTIL - abs(by):
        day = (instant + by).date()
    return min(max(day, ZONE_RULES_FROM), ZONE_RULES_UNTIL)


def _uid(activity: Activity) -> str:
    return f"{activity.uid}@copsite"


def _url(occurrence: Occurrence) -> str:
    return f"{settings.SITE_URL}{occurrence.get_absolute_url()}"


def _event(activity: Activity, occurrence: Occurrence, zone: zoneinfo.ZoneInfo) -> Event:
    event = Event()
    event.add("uid", _uid(activity))
    event.add("dtstamp", activity.updated_at)
    event.add("summary", f"{activity.title} ({occurrence.community.name})")
    event.add("dtstart", occurrence.start.astimezone(zone))
    event.add("dtend", occurrence.end.astimezone(zone))
    description = activity.description
    if activity.online_link:
        description = f"{description}\n\nJoin online: {activity.online_link}".strip()
    if description:
        event.add("description", description)
    if activity.place:
        event.add("location", activity.place)
    event.add("url", _url(occurrence))
    event.add("categories", [activity.get_kind_display()])
    return event


def series_events(activity: Activity, occurrences: list[Occurrence]) -> list[Event]:
    """The VEVENTs of one activity: the master (with its rule) and one per moved date."""
    zone = zoneinfo.ZoneInfo(activity.time_zone)
    occurrences = sorted(occurrences, key=lambda o: o.sequence)
    first = occurrences[0]
    master = _event(activity, first, zone)
    if not activity.is_recurring:
        if first.cancelled:
            master.add("status", "CANCELLED")
        return [master]
    # The master describes the series as scheduled: its first date at its original time.
    master["dtstart"].dt = first.original_start.astimezone(zone)
    master["dtend"].dt = (first.original_start + (first.end - first.start)).astimezone(zone)
    rule = rrule_text(
        repeat=activity.repeat,
        first_local=first.original_start.astimezone(zone).replace(tzinfo=None),
        count=activity.repeat_count,
        until=activity.repeat_until,
        time_zone=activity.time_zone,
    )
    master.add("rrule", vRecur(rule))
    cancelled = [o.original_start.astimezone(zone) for o in occurrences if o.cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    events = [master]
    for occurrence in occurrences:
        if occurrence.is_moved and not occurrence.cancelled:
            moved = _event(activity, occurrence, zone)
            moved.add("recurrence-id", occurrence.original_start.astimezone(zone))
            events.append(moved)
    return events


def calendar_for(occurrences: Iterable[Occurrence], *, name: str) -> bytes:
    """A VCALENDAR of the activities these occurrences belong to, with the VTIMEZONEs they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # An X- property is not escaped like TEXT: a line break in a title would break the feed.
    cal.add("x-wr-calname", vText(" ".join(name.split())))
    by_activity: dict[int, list[Occurrence]] = defaultdict(list)
    activities: dict[int, Activity] = {}
    instants = []
    for occurrence in occurrences:
        by_activity[occurrence.activity_id].append(occurrence)
        activities[occurrence.activity_id] = occurrence.activity
        instants += [occurrence.original_start, occurrence.start, occurrence.end]
    for activity_id in sorted(by_activity):
        for event in series_events(activities[activity_id], by_activity[activity_id]):
            cal.add_component(event)
    if instants:
        # The VTIMEZONEs cover the feed's dates with a year to spare (not 1970 to 2038: feeds are re-fetched
        # every few minutes, and each zone would otherwise weigh kilobytes of transitions). Dates at the ends of
        # the calendar (stored before dates were checked) get what fits: a feed never fails for one row.
        cal.add_missing_timezones(
            first_date=_shifted(min(instants), -TIMEZONE_MARGIN),
            last_date=_shifted(max(instants), TIMEZONE_MARGIN),
        )
    return cal.to_ical()
