"""Views of the calendar: calendars (community, mine, what's on), activity pages and actions, iCalendar feeds."""
