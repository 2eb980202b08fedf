"""The people import's addresses (mounted by integrations/urls.py under the `integrations` namespace)."""

from django.urls import path

from integrations.people_import import views

urlpatterns = [
    path("staff/directory/import/", views.people_import, name="people_import"),
    path("staff/directory/import/apply/", views.people_import_apply, name="people_import_apply"),
]
