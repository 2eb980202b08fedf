"""The matrix's rows for the calendar side of activities: my calendar, What's on, feed links and tokens, the iCalendar
feeds, a community's calendar, and one date's page with what members (RSVP) and schedulers (schedule, edit, move,
cancel, restore, attendance, notes) do with it."""

import datetime

from django.utils import timezone

from tests.authz.matrix import NOT_ALLOWED, Row, grid, uniform
from tests.authz.rules import CONTENT, CORE_GROUP, NOT_ALLOWED_SIGNED_IN, SIGNED_IN

# --- Grids of this module ----------------------------------------------------------------------------------------

# Answering for a date: active members of a community that is not archived. Non-members who may see the date
# ("no"): the page shows "Join … to answer" and a POST is answered in the page with that reason, nothing
# written (the rule lets them try, like starting a discussion); outsiders of a private community 404. In an
# archived community the answer is refused in the page ("its calendar no longer changes").
ANSWER = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no       ok         ok   ok          no          no      no      no
private  login 404      ok         ok   ok          404         no      404     no
archived login no
""")

# A community's feed through a token: listed (and archived, still readable) communities for any valid token; a
# private one only for the token of one of its members, sponsors or staff (404 otherwise, as for the pages): the
# removed member's token no longer opens it. The anon column is a calendar app (no session) holding the token of
# the *listed* community's peripheral member: the private community's own members' tokens are the peripheral,
# core and coordinator columns (feeds never read the session), and an anonymous response carrying MARKER would
# count as a leak.
COMMUNITY_FEED = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   ok
private  404   404      ok         ok   ok          404         ok      404     ok
archived ok
""")

# Another community's date named under this community's URL: 404 for whoever gets past the community's check.
ELSEWHERE = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 404
private  login 404
archived login 404
""")
ELSEWHERE_SCHEDULERS = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        404  404         403         403     403     403
private  login 404      403        404  404         404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

# Wrong method on a page asking to sign in first (login_required outside require_POST).
POST_ONLY = NOT_ALLOWED_SIGNED_IN


# --- Parameters and bodies ---------------------------------------------------------------------------------------


def slug(c):
    return {"slug": c.slug}


def upcoming(c):
    """The upcoming date (tomorrow, by the coordinator, the author going)."""
    return {"slug": c.slug, "pk": c.place.occurrence.pk}


def past(c):
    """Yesterday's date, with notes and the author's "going": attendance can be recorded."""
    return {"slug": c.slug, "pk": c.place.past_occurrence.pk}


def elsewhere(c):
    """This community's URL naming another community's date (the private one's; the listed one's from the private
    community): a date is found only in its own community."""
    other = "listed" if c.kind == "private" else "private"
    return {"slug": c.slug, "pk": c.world.places[other].occurrence.pk}


def feed_token(c) -> str:
    """The role's own token; for the anonymous visitor (a calendar app) the listed community's peripheral
    member's (see COMMUNITY_FEED)."""
    if c.role == "anon":
        return c.world.tokens[c.world.places["listed"].people["peripheral"].pk]
    return c.token()


def _in_days(days: int) -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=days):%Y-%m-%d}"


def schedule_body(c):
    return {
        "title": "Matrix meetup",
        "kind": "meeting",
        "description": "Checking who may schedule.",
        "date": _in_days(7),
        "start_time": "10:00",
        "end_time": "11:00",
        "time_zone": "UTC",
        "repeat": "none",
    }


EDIT_BODY = {
    "title": "Review clinic, renamed",
    "kind": "meeting",
    "description": "Bring two incidents.",
    "place": "Room 4",
    "online_link": "",
    "capacity": "",
    "hosts": "",
}


def move_body(c):
    return {"date": _in_days(2), "start_time": "14:00", "end_time": "15:00"}


def attendance_body(c):
    return {"attended": [c.place.author.pk]}


# --- Rows --------------------------------------------------------------------------------------------------------

ROWS = [
    # A person's calendars: every signed-in person (only their own active communities; What's on shows listed
    # communities and private ones they may see).
    Row("activities:calendar", GET=SIGNED_IN, POST=NOT_ALLOWED_SIGNED_IN, in_community=False),
    Row("activities:whats_on", GET=SIGNED_IN, POST=NOT_ALLOWED_SIGNED_IN, in_community=False),
    # The feed links of the signed-in person (their token exists in the world: nothing is written).
    Row("activities:subscribe", GET=SIGNED_IN, POST=NOT_ALLOWED_SIGNED_IN, in_community=False),
    # Anyone signed in resets their own token (POST only).
    Row(
        "activities:reset_token",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=SIGNED_IN,
        writes=("activities_calendartoken",),
        in_community=False,
    ),
    # The personal feed: any valid token of an active person, no session; it holds only the communities its owner
    # is an active member of (the removed member's holds nothing of the private community). GET and HEAD only.
    Row(
        "activities:my_feed",
        GET=uniform("ok"),
        POST=NOT_ALLOWED,
        params=lambda c: {"token": feed_token(c)},
        in_community=False,
    ),
    # A forged (or reset: the row is gone) token opens nothing.
    Row(
        "activities:my_feed",
        target="forged token",
        GET=uniform("404"),
        POST=NOT_ALLOWED,
        params=lambda c: {"token": "forged-or-reset-token"},
        in_community=False,
    ),
    Row(
        "activities:community_feed",
        GET=COMMUNITY_FEED,
        POST=NOT_ALLOWED,
        params=lambda c: {"token": feed_token(c), "slug": c.slug},
    ),
    Row(
        "activities:community_feed",
        target="forged token",
        GET=uniform("404"),
        POST=NOT_ALLOWED,
        params=lambda c: {"token": "forged-or-reset-token", "slug": c.slug},
    ),
    # A community's calendar, a date's page and its .ics: whoever may see the community's content.
    Row("activities:community_calendar", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row("activities:occurrence", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=upcoming),
    Row("activities:occurrence_ics", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=upcoming),
    # A date of another community, named under this community's URL, is not found (nor its series' .ics).
    Row(
        "activities:occurrence",
        target="elsewhere",
        GET=ELSEWHERE,
        POST=NOT_ALLOWED_SIGNED_IN,
        params=elsewhere,
    ),
    Row(
        "activities:occurrence_ics",
        target="elsewhere",
        GET=ELSEWHERE,
        POST=NOT_ALLOWED_SIGNED_IN,
        params=elsewhere,
    ),
    # Answering going / maybe / not going: active members (POST only).
    Row(
        "activities:rsvp",
        GET=POST_ONLY,
        POST=ANSWER,
        params=upcoming,
        body={"answer": "going"},
        writes=("activities_rsvp", "communities_participation"),
    ),
    Row(
        "activities:rsvp",
        target="elsewhere",
        GET=POST_ONLY,
        POST=ELSEWHERE,
        params=elsewhere,
        body={"answer": "going"},
    ),
    # Scheduling and changing: coordinators and core group members of a community that is not archived.
    Row(
        "activities:schedule",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=slug,
        body=schedule_body,
        writes=("activities_activity", "activities_occurrence"),
    ),
    Row(
        "activities:edit",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=upcoming,
        body=EDIT_BODY,
        writes=("activities_activity",),
    ),
    Row(
        "activities:move",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=upcoming,
        body=move_body,
        writes=("activities_occurrence",),
    ),
    Row(
        "activities:cancel",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=upcoming,
        body={"reason": "The room is taken."},
        writes=("activities_occurrence",),
    ),
    Row(
        "activities:cancel",
        target="elsewhere",
        GET=ELSEWHERE_SCHEDULERS,
        POST=ELSEWHERE_SCHEDULERS,
        params=elsewhere,
        body={"reason": "The room is taken."},
    ),
    # Restoring a cancelled date (POST only). The world has no cancelled date yet, so this row asks to restore the
    # upcoming date, which is not cancelled: schedulers are answered in the page ("This date is not cancelled."),
    # nothing written; everyone else is refused before that, as for the other scheduler tools.
    Row(
        "activities:restore",
        target="not cancelled",
        GET=POST_ONLY,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        no   no          403         403     403     403
private  login 404      403        no   no          404         403     404     403
archived login 403      403        403  403         403         403     403     403
"""),
        params=upcoming,
    ),
    # Restoring a cancelled date: the schedulers, while the community is not archived.
    Row(
        "activities:restore",
        GET=POST_ONLY,
        POST=CORE_GROUP,
        params=lambda c: {"slug": c.slug, "pk": c.place.cancelled_occurrence.pk},
        writes=("activities_occurrence",),
    ),
    # Attendance and notes are recorded after the date started: yesterday's date.
    Row(
        "activities:attendance",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=past,
        body=attendance_body,
        writes=("activities_rsvp", "activities_occurrence", "communities_participation"),
    ),
    Row(
        "activities:notes",
        GET=CORE_GROUP,
        POST=CORE_GROUP,
        params=past,
        body={"notes": "We learned to write timelines, and to share them."},
        writes=("activities_occurrence",),
    ),
]
