"""URLs for repertoire."""

from django.urls import path

from repertoire import views

app_name = "repertoire"
urlpatterns = [
    path("", views.library, name="library"),
]
