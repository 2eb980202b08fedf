"""Harvest: coordinators and the core group turn a discussion's accepted answer or an activity's notes into a
draft resource, prefilled and linked back to where it came from. The entry points live here (activities never
depends on the repertoire): one page lists what can be harvested."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from repertoire import selectors, services
from repertoire.access import library_access, may_add, may_harvest
from repertoire.services import RepertoireError

ONLY_CORE = "Only the community's coordinators and core group harvest into the library."
SOURCES = {"discussions": "Accepted answers", "notes": "Activity notes"}


@login_required
@require_GET
def harvest(request: HttpRequest, slug: str) -> HttpResponse:
    """Solved discussions or activity dates with notes, each with a Harvest button (or a link to what it
    became)."""
    access = library_access(request.user, slug, need=may_harvest, refusal=ONLY_CORE)
    source = request.GET.get("source") if request.GET.get("source") in SOURCES else "discussions"
    if source == "notes":
        items = selectors.harvestable_occurrences(access.community)
    else:
        items = selectors.harvestable_discussions(access.community)
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "tab": "library",
        "section": "harvest",
        "source": source,
        "sources": SOURCES,
        "page": page,
        "may_add": may_add(access),
        "may_harvest": True,
    }
    return render(request, "repertoire/harvest.html", context)


def _harvested(request: HttpRequest, slug: str, make) -> HttpResponse:
    try:
        draft = make()
    except RepertoireError as error:
        messages.error(request, error.message)
        source = request.POST.get("source") if request.POST.get("source") in SOURCES else "discussions"
        return redirect(f"{reverse('repertoire:harvest', args=[slug])}?source={source}")
    messages.success(
        request,
        f"Draft “{draft.title}” created from what was harvested: review it, then publish it.",
    )
    return redirect("repertoire:edit", slug, draft.pk)


@login_required
@require_POST
def harvest_discussion(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = library_access(request.user, slug, need=may_harvest, refusal=ONLY_CORE)
    discussion = selectors.harvestable_discussion_for(access, pk)
    return _harvested(
        request, slug, lambda: services.resource_harvest_discussion(actor=request.user, discussion=discussion)
    )


@login_required
@require_POST
def harvest_occurrence(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = library_access(request.user, slug, need=may_harvest, refusal=ONLY_CORE)
    occurrence = selectors.harvestable_occurrence_for(access, pk)
    return _harvested(
        request, slug, lambda: services.resource_harvest_occurrence(actor=request.user, occurrence=occurrence)
    )
