"""Insights pages: the sponsor dashboard, a community's health page (and its CSV exports), the constellation,
and staff previews of the digests and reports."""

from django.urls import path

from insights.views import community, constellation, dashboard, previews

app_name = "insights"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("constellation/", constellation.constellation, name="constellation"),
    path("c/<slug:slug>/health/", community.health, name="community"),
    path("c/<slug:slug>/health/<slug:chart>.csv", community.chart_csv, name="chart_csv"),
    path("c/<slug:slug>/health/stories/new/", community.story_create, name="story_create"),
    path("insights/preview/", previews.preview_list, name="preview_list"),
    path("insights/preview/<slug:kind>/", previews.preview, name="preview"),
]
