"""Pages that compose every app (home, search) and the health check."""

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from communities.selectors import my_memberships
from copsite.health import service_states
from copsite.search import BY_KEY, TYPES, search_all
from copsite.selectors import recent_activity_kept, search_scope
from core import fragments
from core.numbers import number_param
from core.ratelimits import rate_limited
from core.search_support import clean_query

MAX_SEARCH_PAGE = 10_000  # a search never lists more rows than this many pages
HOME_COMMUNITIES = 50  # the home page lists at most this many communities


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker state as JSON; 503 when any of them is down."""
    services = service_states()
    healthy = all(state["ok"] for _name, state in services.items())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "services": services}, status=200 if healthy else 503
    )


@require_GET
@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """A signed-in trivial page: the floor `make bench` measures the other pages against (session, user, no
    template)."""
    return HttpResponse("pong", content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in member's start page: their communities, upcoming activities and recent activity."""
    memberships = list(my_memberships(user=request.user)[:HOME_COMMUNITIES])
    recent = recent_activity_kept(memberships, listed_all=len(memberships) < HOME_COMMUNITIES)
    return render(request, "home.html", {"memberships": memberships, "recent": recent})


def _community_options(communities: list[dict], community) -> str:
    """The <option>s of the search's community filter (every community the viewer may see, a few hundred): the
    same for everyone offered the same communities, so kept in the cache under a digest of them and the one
    chosen."""
    chosen = community.slug if community is not None else ""
    if chosen not in {c["slug"] for c in communities}:
        chosen = ""  # nothing is selected
    version = fragments.digest([(c["slug"], c["name"]) for c in communities])

    def options() -> str:
        return render_to_string(
            "search.html#community-options", {"communities": communities, "community": community}
        )

    return fragments.one("search-community-options", chosen, version, options)


@require_GET
@login_required
@rate_limited("search")
def search(request: HttpRequest) -> HttpResponse:
    """Site-wide search: results grouped by type, ranked, with marked snippets; filter by type and community."""
    query = clean_query(request.GET.get("q"))
    chosen = BY_KEY.get(request.GET.get("type", ""))
    include_archived = request.GET.get("archived") == "1"
    page = search_scope(
        request.user, slug=request.GET.get("community", "").strip(), include_archived=include_archived
    )
    community = page.scope.community
    context = {
        "communities": page.communities,
        "community_options": _community_options(page.communities, page.scope.community),
        "query": query.text,
        "searchable": query.is_searchable,
        "types": TYPES,
        "chosen": chosen,
        "community": community,
        "include_archived": include_archived,
        # The links to other types and pages, made once: "?q=…" and what narrows the search ("&community=…").
        "q_param": f"?q={quote(query.text, safe='/')}",
        "scope_params": (f"&community={community.slug}" if community else "")
        + ("&archived=1" if include_archived else ""),
    }
    if query.is_searchable and chosen:
        size = settings.PAGE_SIZE
        # Any page number fits a query: past the last page, the last page's offset is asked at most.
        page_number = number_param(request.GET.get("page"), 1, high=MAX_SEARCH_PAGE)
        results = chosen.search(page.scope, query, offset=(page_number - 1) * size, limit=size)
        pages = max(1, -(-results.total // size))
        context.update(results=results, page_number=min(page_number, pages), pages=pages)
    elif query.is_searchable:
        context["groups"] = search_all(page.scope, query)
    return render(request, "search.html", context)
