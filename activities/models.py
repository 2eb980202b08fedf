"""The models of the activities app, from its two rooms: the calendar (`activities/calendar/`) and the
discussions (`activities/discussions/`). Same app label, tables and migrations as when they lived here."""

import activities.calendar.models
from activities.calendar.models import Activity, CalendarToken, Occurrence, Rsvp
from activities.discussions.models import Discussion, Follow, Mention, Post, Reply, Report

# Migration 0001 names the feed tokens' default by its first home.
_feed_token = activities.calendar.models.new_feed_token

__all__ = [
    "Activity",
    "CalendarToken",
    "Discussion",
    "Follow",
    "Mention",
    "Occurrence",
    "Post",
    "Reply",
    "Report",
    "Rsvp",
]
