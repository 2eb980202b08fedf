"""URL configuration: each app mounts its own urls.py."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from copsite import views

admin.site.site_header = "CoPsite administration"
admin.site.site_title = "CoPsite admin"
# Staff sign in through allauth, so two-factor authentication also guards the admin.
admin.site.login = secure_admin_login(admin.site.login)

# allauth's sign-in limits answer with this too (it looks for ROOT_URLCONF.handler429): one 429 page for all.
handler429 = "core.ratelimits.too_many_requests"

# What operations tools call: the load balancer's health check, and the signed-in floor `make bench` compares with.
OPERATIONS = [path("healthz", views.healthz, name="healthz"), path("ping/", views.ping, name="ping")]

urlpatterns = [
    path("", views.home, name="home"),
    *OPERATIONS,
    path("search/", views.search, name="search"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("members/", include("members.urls")),
    # Activities mounts both /calendar/... and /c/<slug>/activities/..., so it comes before communities.
    path("", include("activities.urls")),
    # The repertoire mounts /library/ and /c/<slug>/library/..., so it also comes before communities.
    path("", include("repertoire.urls")),
    # Insights mounts /dashboard/, /constellation/ and /c/<slug>/health/..., so it also comes before communities.
    path("", include("insights.urls")),
    path("c/", include("communities.urls")),
    # SCIM (/scim/v2/) and the staff pages of the company directory (/staff/directory/...).
    path("", include("integrations.urls")),
]
