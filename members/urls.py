"""URLs for members: the directory, profiles, one's own settings, one-click unsubscribe and people suggestions."""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/", views.edit_profile, name="edit_profile"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.profile, name="profile"),
    path("by-handle/<str:handle>/", views.by_handle, name="by_handle"),
]
