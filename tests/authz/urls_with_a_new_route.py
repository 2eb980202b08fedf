"""The project's URLs plus routes nobody wrote a matrix row for, to show that the matrix notices them."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from copsite.urls import urlpatterns as project_urlpatterns
from members.models import Tag
from tests.authz.world import MARKER


def writes_then_refuses(request, slug):
    Tag.objects.create(name="written-by-a-refused-request", slug="written-by-a-refused-request")
    raise PermissionDenied


def leaks(request, slug):
    return HttpResponse(f"<p>{MARKER}</p>")


urlpatterns = [
    *project_urlpatterns,
    path("c/<slug:slug>/secret-door/", writes_then_refuses, name="secret_door"),
    path("c/<slug:slug>/open-window/", leaks, name="open_window"),
]
