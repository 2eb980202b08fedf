"""URLs for activities, mounted at the site root: /calendar/... for people, /c/<slug>/activities/... per community."""

from django.urls import path

from activities.calendar.views import calendars, feeds, schedule
from activities.discussions import views as discussions

app_name = "activities"

# What schedulers and members do with one date, each at /c/<slug>/activities/<pk>/<name>/ under the name <name>.
DATE_ACTIONS = {
    "rsvp": schedule.rsvp,
    "edit": schedule.edit,
    "move": schedule.move,
    "cancel": schedule.cancel,
    "restore": schedule.restore,
    "attendance": schedule.attendance,
    "notes": schedule.notes,
}
# Editing, deleting, hiding and reporting a post: the discussion itself (no reply id, named discussion_<action>)
# or one reply (reply_<action>).
POST_ACTIONS = {
    "edit": discussions.edit_post,
    "delete": discussions.delete_post,
    "hide": discussions.hide_post,
    "unhide": discussions.unhide_post,
    "report": discussions.report_post,
}
DATE = "c/<slug:slug>/activities/<int:pk>/"
DISCUSSION = "c/<slug:slug>/discussions/<int:pk>/"

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
    path(DATE, schedule.occurrence, name="occurrence"),
    path(f"{DATE}activity.ics", feeds.occurrence_ics, name="occurrence_ics"),
    *(path(f"{DATE}{name}/", view, name=name) for name, view in DATE_ACTIONS.items()),
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
    path(DISCUSSION, discussions.thread, name="discussion"),
    path(f"{DISCUSSION}reply/", discussions.reply, name="discussion_reply"),
    path(f"{DISCUSSION}follow/", discussions.follow, name="discussion_follow"),
    path(f"{DISCUSSION}accept/", discussions.accept, name="discussion_accept"),
    path(f"{DISCUSSION}pin/", discussions.pin, name="discussion_pin"),
    path(f"{DISCUSSION}lock/", discussions.lock, name="discussion_lock"),
    *(
        path(f"{DISCUSSION}{action}/", view, name=f"discussion_{action}")
        for action, view in POST_ACTIONS.items()
    ),
    *(
        path(f"{DISCUSSION}replies/<int:reply>/{action}/", view, name=f"reply_{action}")
        for action, view in POST_ACTIONS.items()
    ),
]
