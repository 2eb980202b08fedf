"""The libraries: a community's (searched, filtered by kind, tag and status, sorted, paginated) and the
organization-wide one across the communities the viewer may see."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from repertoire import selectors
from repertoire.access import library_access
from repertoire.forms import LibraryFilterForm
from repertoire.models import Resource
from repertoire.views import library_page

SORT_LABELS = {"newest": "Newest", "applied": "Most applied", "title": "Title"}


def _cleaned(form: Form) -> dict:
    """The valid filters of a GET form; a malformed one is ignored, not a 400."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def _results(page, query: str, sort: str) -> dict:
    """What both libraries' results block shows: the page, how many were found, and the sorts offered."""
    count = page.paginator.count
    return {
        "page": page,
        "search_text": query,
        "sort": sort,
        "sorts": {"": "Best match", **SORT_LABELS} if query else SORT_LABELS,
        "kinds": Resource.Kind.choices,
        "results_count": f"{count} resource{'s' if count != 1 else ''} found.",
    }


@login_required
@require_GET
def community_library(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's library. htmx (the search box as one types) gets only the results block."""
    access = library_access(request.user, slug)
    form = LibraryFilterForm(request.GET)
    filters = _cleaned(form)
    query = (filters.get("q") or "").strip()
    status = filters.get("status") or "published"
    sort = filters.get("sort") or ("" if query else "newest")
    resources = selectors.community_library(
        access=access,
        query=query,
        kind=filters.get("kind") or "",
        tag=filters.get("tag") or "",
        status=status,
        sort=sort,
    )
    page = Paginator(resources, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = library_page(
        access,
        "resources",
        form=form,
        status=status,
        filtered=bool(query or filters.get("kind") or filters.get("tag") or status != "published"),
        **_results(page, query, sort),
    )
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "repertoire/community_library.html#results", context)
    context["tags"] = list(selectors.library_tags(access.community))
    context["collections"] = list(selectors.community_collections(access.community))
    return render(request, "repertoire/community_library.html", context)


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The organization-wide library: published resources of every community the viewer may see."""
    form = LibraryFilterForm(request.GET)
    filters = _cleaned(form)
    query = (filters.get("q") or "").strip()
    sort = filters.get("sort") or ("" if query else "newest")
    resources = selectors.organization_library(
        viewer=request.user,
        query=query,
        kind=filters.get("kind") or "",
        tag=filters.get("tag") or "",
        community=filters.get("community") or "",
        sort=sort,
    )
    page = Paginator(resources, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "tag": filters.get("tag") or "",
        "filtered": bool(query or filters.get("kind") or filters.get("tag") or filters.get("community")),
        "show_community": True,
        **_results(page, query, sort),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "repertoire/library.html#results", context)
    context["communities"] = list(selectors.library_communities(request.user))
    return render(request, "repertoire/library.html", context)
