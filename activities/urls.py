"""URLs for activities, mounted at the site root: /calendar/... for people, /c/<slug>/activities/... per community."""

from django.urls import path

from activities.views import calendars, feeds, schedule

app_name = "activities"
urlpatterns = [
    # A person's calendars.
    path("calendar/", calendars.my_calendar, name="calendar"),
    path("calendar/whats-on/", calendars.whats_on, name="whats_on"),
    path("calendar/subscribe/", feeds.subscribe, name="subscribe"),
    path("calendar/subscribe/reset/", feeds.reset_token, name="reset_token"),
    # iCalendar feeds, reached by a secret token (calendar apps cannot log in).
    path("calendar/feed/<str:token>/mine.ics", feeds.my_feed, name="my_feed"),
    path("calendar/feed/<str:token>/c/<slug:slug>.ics", feeds.community_feed, name="community_feed"),
    # A community's calendar and its activities.
    path("c/<slug:slug>/activities/", calendars.community_calendar, name="community_calendar"),
    path("c/<slug:slug>/activities/new/", schedule.schedule, name="schedule"),
    path("c/<slug:slug>/activities/<int:pk>/", schedule.occurrence, name="occurrence"),
    path("c/<slug:slug>/activities/<int:pk>/activity.ics", feeds.occurrence_ics, name="occurrence_ics"),
    path("c/<slug:slug>/activities/<int:pk>/rsvp/", schedule.rsvp, name="rsvp"),
    path("c/<slug:slug>/activities/<int:pk>/edit/", schedule.edit, name="edit"),
    path("c/<slug:slug>/activities/<int:pk>/move/", schedule.move, name="move"),
    path("c/<slug:slug>/activities/<int:pk>/cancel/", schedule.cancel, name="cancel"),
    path("c/<slug:slug>/activities/<int:pk>/restore/", schedule.restore, name="restore"),
    path("c/<slug:slug>/activities/<int:pk>/attendance/", schedule.attendance, name="attendance"),
    path("c/<slug:slug>/activities/<int:pk>/notes/", schedule.notes, name="notes"),
]
