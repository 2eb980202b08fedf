"""Pages that compose every app (home, search) and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from communities.access import visible_communities_q
from communities.models import Community
from communities.selectors import my_memberships
from copsite.health import service_states
from copsite.search import BY_KEY, TYPES, search_all
from core.numbers import number_param
from core.ratelimits import rate_limited
from core.search_support import clean_query

MAX_SEARCH_PAGE = 10_000  # a search never lists more rows than this many pages


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
@rate_limited("search")
def search(request: HttpRequest) -> HttpResponse:
    """Site-wide search: results grouped by type, ranked, with marked snippets; filter by type and community."""
    query = clean_query(request.GET.get("q"))
    chosen = BY_KEY.get(request.GET.get("type", ""))
    include_archived = request.GET.get("archived") == "1"
    community = None
    if slug := request.GET.get("community", "").strip():
        community = Community.objects.filter(visible_communities_q(request.user), slug=slug).first()
    choosable = Community.objects.filter(visible_communities_q(request.user))
    if not include_archived:
        choosable = choosable.filter(archived_at__isnull=True)
    communities = list(choosable.order_by("name").values("pk", "slug", "name"))
    # The communities the search looks in: those the filter offers (visible, archived only when asked for), or
    # the chosen one among them. Found here once, every type of result shares them (no query of their own).
    community_ids = [c["pk"] for c in communities if community is None or c["pk"] == community.pk]
    context = {
        "communities": communities,
        "query": query.text,
        "searchable": query.is_searchable,
        "types": TYPES,
        "chosen": chosen,
        "community": community,
        "include_archived": include_archived,
    }
    if query.is_searchable and chosen:
        size = settings.PAGE_SIZE
        # Any page number fits a query: past the last page, the last page's offset is asked at most.
        page_number = number_param(request.GET.get("page"), 1, high=MAX_SEARCH_PAGE)
        results = chosen.search(
            viewer=request.user,
            query=query,
            community=community,
            include_archived=include_archived,
            offset=(page_number - 1) * size,
            limit=size,
            community_ids=community_ids,
        )
        pages = max(1, -(-results.total // size))
        context.update(results=results, page_number=min(page_number, pages), pages=pages)
    elif query.is_searchable:
        context["groups"] = search_all(
            viewer=request.user,
            query=query,
            community=community,
            include_archived=include_archived,
            community_ids=community_ids,
        )
    return render(request, "search.html", context)
