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

from core.forms import refusal_text
from core.rules import Refused
from repertoire import rules, selectors, services
from repertoire.access import library_access
from repertoire.views import library_page

# Each source: its tab's label, what lists it, what loads one, and the service that harvests it.
SOURCES = {
    "discussions": (
        "Accepted answers",
        selectors.harvestable_discussions,
        selectors.harvestable_discussion_for,
        lambda actor, discussion: services.resource_harvest_discussion(actor=actor, discussion=discussion),
    ),
    "notes": (
        "Activity notes",
        selectors.harvestable_occurrences,
        selectors.harvestable_occurrence_for,
        lambda actor, occurrence: services.resource_harvest_occurrence(actor=actor, occurrence=occurrence),
    ),
}


def _source(value: str | None) -> str:
    return value if value in SOURCES else "discussions"


@login_required
@require_GET
def harvest(request: HttpRequest, slug: str) -> HttpResponse:
    """Solved discussions or activity dates with notes, each with a Harvest button (or a link to what it
    became)."""
    access = library_access(request.user, slug, need=rules.may_harvest, only=rules.HARVEST)
    source = _source(request.GET.get("source"))
    items = SOURCES[source][1](access.community)
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    sources = {key: label for key, (label, *_) in SOURCES.items()}
    context = library_page(access, "harvest", source=source, sources=sources, page=page)
    return render(request, "repertoire/harvest.html", context)


@login_required
@require_POST
def harvest_from(request: HttpRequest, slug: str, pk: int, source: str) -> HttpResponse:
    """Harvest one discussion or activity date (`source`, from the URL): make the draft and open it for review;
    a refusal goes back to the harvest page with why."""
    access = library_access(request.user, slug, need=rules.may_harvest, only=rules.HARVEST)
    _, _, load, make = SOURCES[source]
    found = load(access, pk)
    try:
        draft = make(request.user, found)
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
        back = _source(request.POST.get("source"))
        return redirect(f"{reverse('repertoire:harvest', args=[slug])}?source={back}")
    messages.success(
        request, f"Draft “{draft.title}” created from what was harvested: review it, then publish it."
    )
    return redirect("repertoire:edit", slug, draft.pk)
