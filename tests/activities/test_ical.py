"""iCalendar output read back the way a calendar app reads it: with the `icalendar` library, expanding each
series from its DTSTART, RRULE, EXDATE and RECURRENCE-ID overrides in the feed's own VTIMEZONE."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities.calendar import services
from activities.calendar.services import ActivityError
from activities.models import Activity, Occurrence
from tests.factories import CommunityFactory, coordinator_of, member_of

BERLIN = ZoneInfo("Europe/Berlin")


# --- Reading a feed back ---------------------------------------------------------------------------------


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def vevents(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def feed_zones(cal: Calendar) -> dict:
    """The feed's VTIMEZONEs as tzinfo objects built from their own data (not looked up by name)."""
    return {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.walk("VTIMEZONE")}


def local(prop, zones: dict) -> datetime:
    """A DATE-TIME property as the wall time it says, in the VTIMEZONE its TZID names."""
    tzid = prop.params.get("TZID")
    value = prop.dt
    return value.replace(tzinfo=zones[tzid]) if tzid else value


def exdates(event, zones: dict) -> list[datetime]:
    found = event.get("EXDATE")
    if found is None:
        return []
    lists = found if isinstance(found, list) else [found]
    return [
        (d.dt.replace(tzinfo=zones[lst.params["TZID"]]) if "TZID" in lst.params else d.dt)
        for lst in lists
        for d in lst.dts
    ]


def expand(cal: Calendar) -> dict[str, list[datetime]]:
    """Every date of every event, by UID, as a calendar app computes it from the feed alone."""
    zones = feed_zones(cal)
    masters = [e for e in vevents(cal) if "RECURRENCE-ID" not in e]
    overrides = [e for e in vevents(cal) if "RECURRENCE-ID" in e]
    dates: dict[str, list[datetime]] = {}
    for master in masters:
        start = local(master["DTSTART"], zones)
        if "RRULE" in master:
            rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=start)
            starts = [d for d in rule if d not in exdates(master, zones)]
        else:
            starts = [] if master.get("STATUS") == "CANCELLED" else [start]
        for override in overrides:
            if str(override["UID"]) == str(master["UID"]):
                original = local(override["RECURRENCE-ID"], zones)
                starts = [local(override["DTSTART"], zones) if d == original else d for d in starts]
        dates[str(master["UID"])] = sorted(starts)
    return dates


def db_starts(activity: Activity) -> list[datetime]:
    """The dates the database says take place (cancelled ones do not)."""
    return sorted(o.start for o in activity.occurrences.filter(cancelled=False))


# --- Fixtures --------------------------------------------------------------------------------------------


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def coordinator(community):
    return coordinator_of(community)


@pytest.fixture
def feed(client, community):
    """Fetch the community feed through a member's token, as a calendar app would (no login)."""
    token = services.calendar_token_for(user=member_of(community)).token
    url = reverse("activities:community_feed", kwargs={"token": token, "slug": community.slug})

    def fetch() -> bytes:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        return response.content

    return fetch


def schedule(coordinator, community, first: datetime, **kwargs) -> Activity:
    return services.activity_schedule(
        actor=coordinator,
        community=community,
        title=kwargs.pop("title", "Practice round"),
        start_local=first,
        end_local=first + kwargs.pop("duration", timedelta(hours=1, minutes=30)),
        time_zone=kwargs.pop("time_zone", "Europe/Berlin"),
        **kwargs,
    )


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def nth(activity: Activity, sequence: int) -> Occurrence:
    return activity.occurrences.get(sequence=sequence)


# --- The series across the clock change ------------------------------------------------------------------


def test_fortnightly_series_across_the_clock_change_reads_back_exactly(coordinator, community, feed, client):
    """Six fortnightly dates at 10:00 Berlin from mid-October (clocks go back in late October), the third
    cancelled and the fourth moved: one RRULE with COUNT=6, an EXDATE for the third, a RECURRENCE-ID event for
    the fourth, a VTIMEZONE for Europe/Berlin, the same UIDs on a second fetch, every date at 10:00 local."""
    year = timezone.now().year + 1
    first_day = weekday_on_or_after(date(year, 10, 13), 1)  # a Tuesday, before the last Sunday of October
    series = schedule(
        coordinator,
        community,
        datetime.combine(first_day, datetime.min.time()).replace(hour=10),
        repeat=Activity.Repeat.FORTNIGHTLY,
        repeat_count=6,
    )
    third, fourth = nth(series, 3), nth(series, 4)
    services.occurrence_cancel(actor=coordinator, occurrence=third, reason="Room taken")
    moved_day = fourth.original_start.astimezone(BERLIN).date() + timedelta(days=1)
    services.occurrence_move(
        actor=coordinator,
        occurrence=fourth,
        start_local=datetime.combine(moved_day, datetime.min.time()).replace(hour=10),
        end_local=datetime.combine(moved_day, datetime.min.time()).replace(hour=11, minute=30),
    )
    third.refresh_from_db()
    fourth.refresh_from_db()
    # The series really crosses the change: summer time first, winter time at the end.
    starts = [o.start for o in series.occurrences.order_by("sequence")]
    assert starts[0].astimezone(BERLIN).utcoffset() == timedelta(hours=2)
    assert starts[-1].astimezone(BERLIN).utcoffset() == timedelta(hours=1)

    body = feed()
    cal = parse(body)
    events = vevents(cal)

    masters = [e for e in events if "RRULE" in e]
    assert len(masters) == 1
    master = masters[0]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["INTERVAL"] == [2]
    assert master["RRULE"]["COUNT"] == [6]
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert master["DTSTART"].dt.replace(tzinfo=None) == datetime.combine(
        first_day, datetime.min.time()
    ).replace(hour=10)

    zones = feed_zones(cal)
    assert set(zones) == {"Europe/Berlin"}
    assert exdates(master, zones) == [
        third.original_start.astimezone(BERLIN).replace(tzinfo=zones["Europe/Berlin"])
    ]
    assert [d.astimezone(UTC) for d in exdates(master, zones)] == [third.original_start]

    overrides = [e for e in events if "RECURRENCE-ID" in e]
    assert len(overrides) == 1
    override = overrides[0]
    assert str(override["UID"]) == str(master["UID"]) == f"{series.uid}@copsite"
    assert local(override["RECURRENCE-ID"], zones).astimezone(UTC) == fourth.original_start
    assert local(override["DTSTART"], zones).astimezone(UTC) == fourth.start
    assert "RRULE" not in override and "STATUS" not in override

    # Expanded from the feed alone, in the feed's own VTIMEZONE: five dates, each at 10:00 local time, at the
    # instants the database holds (08:00 UTC in summer time, 09:00 UTC in winter time).
    dates = expand(cal)[str(master["UID"])]
    assert len(dates) == 5
    assert all((d.hour, d.minute) == (10, 0) for d in dates)
    assert [d.astimezone(UTC) for d in dates] == db_starts(series)
    assert {d.astimezone(UTC).hour for d in dates} == {8, 9}

    # A second fetch: the same UIDs (calendar apps update events instead of duplicating them), the same feed.
    again = feed()
    assert sorted(str(e["UID"]) for e in vevents(parse(again))) == sorted(str(e["UID"]) for e in events)
    assert again == body


def test_the_download_and_the_feeds_describe_the_series_the_same_way(coordinator, community, client):
    """The .ics download of one date, the community feed and the personal feed carry the same events."""
    member = member_of(community)
    series = schedule(
        coordinator,
        community,
        datetime(timezone.now().year + 1, 3, 2, 18, 0),
        repeat=Activity.Repeat.WEEKLY,
        repeat_count=4,
    )
    services.occurrence_cancel(actor=coordinator, occurrence=nth(series, 2), reason="Holiday")
    token = services.calendar_token_for(user=member).token
    client.force_login(member)
    bodies = [
        client.get(reverse("activities:occurrence_ics", args=[community.slug, nth(series, 3).pk])).content,
        client.get(
            reverse("activities:community_feed", kwargs={"token": token, "slug": community.slug})
        ).content,
        client.get(reverse("activities:my_feed", kwargs={"token": token})).content,
    ]
    expanded = [expand(parse(body)) for body in bodies]
    assert expanded[0] == expanded[1] == expanded[2]
    assert [d.astimezone(UTC) for d in expanded[0][f"{series.uid}@copsite"]] == db_starts(series)


# --- One-off activities ----------------------------------------------------------------------------------


def test_a_cancelled_one_off_activity_is_status_cancelled(coordinator, community, feed):
    """A one-off has no rule: cancelling it keeps the event (same UID) with STATUS:CANCELLED, so calendar apps
    mark it rather than silently dropping it."""
    kept = schedule(coordinator, community, datetime(timezone.now().year + 1, 5, 4, 9, 0), title="Kept")
    dropped = schedule(coordinator, community, datetime(timezone.now().year + 1, 5, 5, 9, 0), title="Dropped")
    services.occurrence_cancel(actor=coordinator, occurrence=nth(dropped, 1), reason="Speaker ill")

    events = {str(e["UID"]): e for e in vevents(parse(feed()))}
    assert events[f"{dropped.uid}@copsite"]["STATUS"] == "CANCELLED"
    assert "STATUS" not in events[f"{kept.uid}@copsite"]
    assert all("RRULE" not in e and "EXDATE" not in e for e in events.values())
    assert local(events[f"{kept.uid}@copsite"]["DTSTART"], feed_zones(parse(feed()))).hour == 9


def test_a_moved_one_off_activity_is_simply_at_its_new_time(coordinator, community, feed):
    one_off = schedule(coordinator, community, datetime(timezone.now().year + 1, 5, 4, 9, 0))
    services.occurrence_move(
        actor=coordinator,
        occurrence=nth(one_off, 1),
        start_local=datetime(timezone.now().year + 1, 5, 6, 15, 0),
        end_local=datetime(timezone.now().year + 1, 5, 6, 16, 0),
    )
    cal = parse(feed())
    (event,) = vevents(cal)
    assert "RECURRENCE-ID" not in event
    assert local(event["DTSTART"], feed_zones(cal)).astimezone(UTC) == nth(one_off, 1).start


def test_a_cancelled_moved_date_is_an_exdate_at_its_original_time(coordinator, community, feed):
    """A date moved and then cancelled: excluded where the rule puts it, and no override event left behind."""
    series = schedule(
        coordinator,
        community,
        datetime(timezone.now().year + 1, 2, 1, 10, 0),
        repeat=Activity.Repeat.WEEKLY,
        repeat_count=3,
    )
    second = nth(series, 2)
    services.occurrence_move(
        actor=coordinator,
        occurrence=second,
        start_local=datetime(timezone.now().year + 1, 2, 9, 12, 0),
        end_local=datetime(timezone.now().year + 1, 2, 9, 13, 0),
    )
    services.occurrence_cancel(actor=coordinator, occurrence=second, reason="No room after all")
    cal = parse(feed())
    (master,) = vevents(cal)
    assert [d.astimezone(UTC) for d in exdates(master, feed_zones(cal))] == [second.original_start]
    assert [d.astimezone(UTC) for d in expand(cal)[f"{series.uid}@copsite"]] == db_starts(series)


# --- Series edited "this and following" ------------------------------------------------------------------


def test_a_split_series_gives_two_uids_with_consistent_rules(coordinator, community, feed):
    """Editing "this and following" from the 4th of 6 weekly dates (10:00 → 14:00): the old series keeps its
    UID with COUNT=3, the new one has its own UID, COUNT=3 and starts at the 4th date at 14:00; together they
    expand to exactly the six dates the database holds."""
    year = timezone.now().year + 1
    series = schedule(
        coordinator,
        community,
        datetime(year, 9, 7, 10, 0),
        repeat=Activity.Repeat.WEEKLY,
        repeat_count=6,
    )
    before = {str(e["UID"]) for e in vevents(parse(feed()))}
    fourth_day = nth(series, 4).start.astimezone(BERLIN).date()
    following = services.series_split(
        actor=coordinator,
        occurrence=nth(series, 4),
        start_local=datetime.combine(fourth_day, datetime.min.time()).replace(hour=14),
        end_local=datetime.combine(fourth_day, datetime.min.time()).replace(hour=15),
    )
    cal = parse(feed())
    masters = {str(e["UID"]): e for e in vevents(cal) if "RRULE" in e}
    old_uid, new_uid = f"{series.uid}@copsite", f"{following.uid}@copsite"
    assert set(masters) == {old_uid, new_uid}
    assert old_uid in before

    zones = feed_zones(cal)
    assert masters[old_uid]["RRULE"]["COUNT"] == [3]
    assert masters[new_uid]["RRULE"]["COUNT"] == [3]
    assert local(masters[new_uid]["DTSTART"], zones) == datetime.combine(
        fourth_day, datetime.min.time()
    ).replace(hour=14, tzinfo=zones["Europe/Berlin"])

    dates = expand(cal)
    assert [(d.hour, d.minute) for d in dates[old_uid]] == [(10, 0)] * 3
    assert [(d.hour, d.minute) for d in dates[new_uid]] == [(14, 0)] * 3
    assert max(dates[old_uid]) < min(dates[new_uid])
    series.refresh_from_db()
    assert [d.astimezone(UTC) for d in dates[old_uid]] == db_starts(series)
    assert [d.astimezone(UTC) for d in dates[new_uid]] == db_starts(following)


# --- Monthly on the Nth weekday, and series bounded by an end date ---------------------------------------


def test_monthly_on_the_second_tuesday_expands_correctly(coordinator, community, feed):
    """Monthly on the 2nd Tuesday from January to June (across the spring clock change): BYDAY=2TU, and every
    date expanded from the feed is a 2nd Tuesday at 10:00 Berlin time, as in the database."""
    year = timezone.now().year + 1
    first = weekday_on_or_after(date(year, 1, 8), 1)  # the 2nd Tuesday of January
    series = schedule(
        coordinator,
        community,
        datetime.combine(first, datetime.min.time()).replace(hour=10),
        repeat=Activity.Repeat.MONTHLY,
        repeat_count=6,
    )
    cal = parse(feed())
    (master,) = vevents(cal)
    assert master["RRULE"]["FREQ"] == ["MONTHLY"]
    assert master["RRULE"].to_ical().decode().count("BYDAY=2TU") == 1

    dates = expand(cal)[f"{series.uid}@copsite"]
    assert [d.month for d in dates] == [1, 2, 3, 4, 5, 6]
    assert all(d.weekday() == 1 and (d.day - 1) // 7 == 1 and d.hour == 10 for d in dates)
    assert [d.astimezone(UTC) for d in dates] == db_starts(series)


def test_monthly_from_a_fifth_weekday_means_the_last_one(coordinator, community, feed):
    """A series starting on a 5th Thursday repeats on the last Thursday (not every month has a 5th)."""
    day = date(timezone.now().year + 1, 1, 1)
    while not (day.weekday() == 3 and day.day > 28):  # a 5th Thursday
        day += timedelta(days=1)
    series = schedule(
        coordinator,
        community,
        datetime.combine(day, datetime.min.time()).replace(hour=16),
        repeat=Activity.Repeat.MONTHLY,
        repeat_count=4,
    )
    cal = parse(feed())
    (master,) = vevents(cal)
    assert "BYDAY=-1TH" in master["RRULE"].to_ical().decode()
    dates = expand(cal)[f"{series.uid}@copsite"]
    assert all(d.weekday() == 3 and (d + timedelta(days=7)).month != d.month for d in dates)
    assert [d.astimezone(UTC) for d in dates] == db_starts(series)


def test_a_series_with_an_end_date_has_a_utc_until_and_expands_to_its_dates(coordinator, community, feed):
    """RFC 5545: with a zoned DTSTART, UNTIL is in UTC; the last date is the one on the end date itself."""
    year = timezone.now().year + 1
    series = schedule(
        coordinator,
        community,
        datetime(year, 3, 1, 19, 30),
        time_zone="America/New_York",
        repeat=Activity.Repeat.WEEKLY,
        repeat_until=date(year, 3, 29),
    )
    cal = parse(feed())
    (master,) = vevents(cal)
    assert master["RRULE"].to_ical().decode().split("UNTIL=")[1].split(";")[0].endswith("Z")
    assert "COUNT" not in master["RRULE"]
    assert set(feed_zones(cal)) == {"America/New_York"}
    dates = expand(cal)[f"{series.uid}@copsite"]
    assert len(dates) == series.occurrences.count() == 5
    assert all((d.hour, d.minute) == (19, 30) for d in dates)
    assert [d.astimezone(UTC) for d in dates] == db_starts(series)


def test_a_feed_has_one_vtimezone_per_zone_in_use(coordinator, community, feed):
    year = timezone.now().year + 1
    schedule(coordinator, community, datetime(year, 4, 1, 9, 0), time_zone="Europe/Berlin")
    schedule(coordinator, community, datetime(year, 4, 1, 9, 0), time_zone="Asia/Kolkata")
    schedule(coordinator, community, datetime(year, 4, 2, 9, 0), time_zone="Europe/Berlin")
    cal = parse(feed())
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == ["Asia/Kolkata", "Europe/Berlin"]


# --- Refused series --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "until_days", "message"),
    [
        (None, None, "Say when the series ends"),
        (101, None, "at most 100 dates"),
        (None, 3 * 366, "at most two years"),
    ],
    ids=["neither-end-nor-count", "too-many-dates", "too-long"],
)
def test_a_series_without_a_sane_end_is_refused(coordinator, community, count, until_days, message):
    """A repeating activity needs an end (a count or a date) within the limits; nothing is saved otherwise."""
    first = datetime(timezone.now().year + 1, 1, 5, 10, 0)
    with pytest.raises(ActivityError) as refused:
        schedule(
            coordinator,
            community,
            first,
            repeat=Activity.Repeat.FORTNIGHTLY,
            repeat_count=count,
            repeat_until=first.date() + timedelta(days=until_days) if until_days else None,
        )
    assert message in refused.value.message
    assert not Activity.objects.exists() and not Occurrence.objects.exists()
