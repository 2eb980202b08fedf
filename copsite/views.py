"""Pages that compose every app (home, search) and the health check."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from communities.selectors import my_memberships
from copsite.health import service_states


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker state as JSON; 503 when any of them is down."""
    services = service_states()
    healthy = all(state["ok"] for state in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "services": services}, status=200 if healthy else 503
    )


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in member's start page: their communities, upcoming activities and recent activity."""
    memberships = list(my_memberships(user=request.user)[:50])
    return render(request, "home.html", {"memberships": memberships})


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Site-wide search; each app answers for its own content (filled by the repertoire issue)."""
    query = request.GET.get("q", "").strip()[:200]
    return render(request, "search.html", {"query": query})
