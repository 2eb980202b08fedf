"""The integrations' addresses: each part mounts its own (SCIM's /scim/v2/, the staff pages of the directory
connections and the people import)."""

from django.urls import include, path

app_name = "integrations"

urlpatterns = [
    path("", include("integrations.scim.urls")),
    path("", include("integrations.people_import.urls")),
]
