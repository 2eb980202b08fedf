"""URLs for activities, mounted at the site root: /calendar/... for people, /c/<slug>/activities/... per community."""

from django.urls import path

from activities.calendar.views import calendars, feeds, schedule
from activities.discussions import views as discussions

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
    # A community's discussions.
    path("c/<slug:slug>/discussions/", discussions.discussion_list, name="discussions"),
    path("c/<slug:slug>/discussions/new/", discussions.start, name="discussion_start"),
    path("c/<slug:slug>/discussions/preview/", discussions.preview, name="discussion_preview"),
    path("c/<slug:slug>/discussions/reports/", discussions.reports, name="discussion_reports"),
    path(
        "c/<slug:slug>/discussions/reports/<int:pk>/resolve/",
        discussions.resolve_report,
        name="resolve_report",
    ),
    path("c/<slug:slug>/discussions/<int:pk>/", discussions.thread, name="discussion"),
    path("c/<slug:slug>/discussions/<int:pk>/reply/", discussions.reply, name="discussion_reply"),
    path("c/<slug:slug>/discussions/<int:pk>/follow/", discussions.follow, name="discussion_follow"),
    path("c/<slug:slug>/discussions/<int:pk>/accept/", discussions.accept, name="discussion_accept"),
    path("c/<slug:slug>/discussions/<int:pk>/pin/", discussions.pin, name="discussion_pin"),
    path("c/<slug:slug>/discussions/<int:pk>/lock/", discussions.lock, name="discussion_lock"),
    # Editing, deleting, hiding and reporting a post: the discussion itself (no reply id) or one reply.
    path("c/<slug:slug>/discussions/<int:pk>/edit/", discussions.edit_post, name="discussion_edit"),
    path("c/<slug:slug>/discussions/<int:pk>/delete/", discussions.delete_post, name="discussion_delete"),
    path("c/<slug:slug>/discussions/<int:pk>/hide/", discussions.hide_post, name="discussion_hide"),
    path("c/<slug:slug>/discussions/<int:pk>/unhide/", discussions.unhide_post, name="discussion_unhide"),
    path("c/<slug:slug>/discussions/<int:pk>/report/", discussions.report_post, name="discussion_report"),
    path(
        "c/<slug:slug>/discussions/<int:pk>/replies/<int:reply>/edit/",
        discussions.edit_post,
        name="reply_edit",
    ),
    path(
        "c/<slug:slug>/discussions/<int:pk>/replies/<int:reply>/delete/",
        discussions.delete_post,
        name="reply_delete",
    ),
    path(
        "c/<slug:slug>/discussions/<int:pk>/replies/<int:reply>/hide/",
        discussions.hide_post,
        name="reply_hide",
    ),
    path(
        "c/<slug:slug>/discussions/<int:pk>/replies/<int:reply>/unhide/",
        discussions.unhide_post,
        name="reply_unhide",
    ),
    path(
        "c/<slug:slug>/discussions/<int:pk>/replies/<int:reply>/report/",
        discussions.report_post,
        name="reply_report",
    ),
]
