"""The calendar room of activities: activities and their recurrence, occurrences, RSVPs and attendance,
calendars and iCalendar feeds. It imports nothing from the discussions room."""
