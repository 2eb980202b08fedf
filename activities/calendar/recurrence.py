"""Expanding a recurring activity into dates (RFC 5545 RRULE via python-dateutil), in the organizer's time zone.

Expansion runs on naive local times and attaches the zone afterwards, so a 10:00 meeting stays at 10:00 local
time across daylight-saving changes (its UTC time shifts by an hour instead).
"""

import zoneinfo
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

MAX_OCCURRENCES = 100
MAX_SPAN = timedelta(days=2 * 366)


class RecurrenceError(ValueError):
    """A recurrence that cannot be accepted, with a message for the person."""


ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}


def monthly_position(first_local: datetime) -> int:
    """Which weekday of the month a monthly series keeps: 1 to 4, or -1 for the last (a 5th one is not in every
    month)."""
    nth = (first_local.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def describe(*, repeat: str, first_local: datetime) -> str:
    """How a series repeats, in words: "Every week", "Every month on the 2nd Tuesday"."""
    if repeat == "weekly":
        return "Every week"
    if repeat == "fortnightly":
        return "Every other week"
    if repeat == "monthly":
        return f"Every month on the {ORDINALS[monthly_position(first_local)]} {first_local:%A}"
    return "Does not repeat"


def rule_for(*, repeat: str, first_local: datetime, count: int | None, until: date | None) -> rrule | None:
    """The dateutil rule of a series starting at `first_local` (naive, organizer's time), or None if one-off."""
    if repeat == "none":
        return None
    if count is None and until is None:
        raise RecurrenceError("Say when the series ends: a number of dates or an end date.")
    if count is not None and not 1 <= count <= MAX_OCCURRENCES:
        raise RecurrenceError(f"A series can have at most {MAX_OCCURRENCES} dates.")
    until_local = datetime.combine(until, time(23, 59, 59)) if until else None
    if until_local is not None:
        if until_local < first_local:
            raise RecurrenceError("The series must end after its first date.")
        if until_local - first_local > MAX_SPAN:
            raise RecurrenceError("A series can run for at most two years; schedule a new one after that.")
    kwargs = {"dtstart": first_local, "count": count, "until": until_local}
    if repeat == "weekly":
        return rrule(WEEKLY, interval=1, **kwargs)
    if repeat == "fortnightly":
        return rrule(WEEKLY, interval=2, **kwargs)
    if repeat == "monthly":
        return rrule(
            MONTHLY, byweekday=weekday(first_local.weekday(), monthly_position(first_local)), **kwargs
        )
    raise RecurrenceError(f"Unknown repetition {repeat!r}.")


def expand(
    *,
    repeat: str,
    first_local: datetime,
    duration: timedelta,
    time_zone: str,
    count: int | None,
    until: date | None,
) -> list[tuple[datetime, datetime]]:
    """Every (start, end) of the series as aware datetimes in the organizer's zone."""
    zone = zoneinfo.ZoneInfo(time_zone)
    rule = rule_for(repeat=repeat, first_local=first_local, count=count, until=until)
    locals_ = [first_local] if rule is None else list(rule[: MAX_OCCURRENCES + 1])
    if len(locals_) > MAX_OCCURRENCES:
        raise RecurrenceError(
            f"A series can have at most {MAX_OCCURRENCES} dates; choose an earlier end date."
        )
    dates = []
    for local in locals_:
        start = local.replace(tzinfo=zone)
        end = (local + duration).replace(tzinfo=zone)
        dates.append((start, end))
    return dates


def rrule_text(
    *, repeat: str, first_local: datetime, count: int | None, until: date | None, time_zone: str
) -> dict:
    """The RRULE of a series for iCalendar, as icalendar's vRecur wants it."""
    rule: dict = {}
    if repeat == "weekly":
        rule = {"FREQ": "WEEKLY"}
    elif repeat == "fortnightly":
        rule = {"FREQ": "WEEKLY", "INTERVAL": 2}
    elif repeat == "monthly":
        position = monthly_position(first_local)
        rule = {
            "FREQ": "MONTHLY",
            "BYDAY": f"{position}{['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][first_local.weekday()]}",
        }
    if count:
        rule["COUNT"] = count
    elif until:
        # RFC 5545: with a zoned DTSTART, UNTIL is given in UTC.
        zone = zoneinfo.ZoneInfo(time_zone)
        rule["UNTIL"] = (
            datetime.combine(until, time(23, 59, 59))
            .replace(tzinfo=zone)
            .astimezone(zoneinfo.ZoneInfo("UTC"))
        )
    return rule
