"""Collections: ordered lists of a community's resources that its coordinators curate (e.g. “Start here”)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from repertoire import selectors, services
from repertoire.access import library_access, may_add, may_curate, may_harvest
from repertoire.forms import CollectionForm, CollectionItemForm
from repertoire.services import RepertoireError

ONLY_COORDINATORS = "Only the community's coordinators curate collections."


@login_required
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's collections; its coordinators start new ones here."""
    access = library_access(request.user, slug)
    curate = may_curate(access)
    form = CollectionForm(request.POST or None)
    if request.method == "POST":
        if not curate:
            return _forbidden()
        if form.is_valid():
            try:
                created = services.collection_create(
                    actor=request.user, community=access.community, **form.cleaned_data
                )
            except RepertoireError as error:
                form.add_error("title", error.message)
            else:
                messages.success(
                    request, f"Collection “{created.title}” started: add resources from their pages."
                )
                return redirect(created)
    context = {
        "access": access,
        "tab": "library",
        "section": "collections",
        "collections": list(selectors.community_collections(access.community)),
        "form": form,
        "may_curate": curate,
        "may_add": may_add(access),
        "may_harvest": may_harvest(access),
    }
    return render(request, "repertoire/collections.html", context, status=400 if form.is_bound else 200)


def _forbidden():
    raise PermissionDenied(ONLY_COORDINATORS)


@login_required
@require_GET
def collection(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A collection's resources in order; coordinators rename it, reorder and remove its resources."""
    access = library_access(request.user, slug)
    found = selectors.collection_for(access, pk)
    curate = may_curate(access)
    context = {
        "access": access,
        "tab": "library",
        "section": "collections",
        "collection": found,
        "items": list(selectors.collection_items(access, found)),
        "may_curate": curate,
        "form": CollectionForm(initial={"title": found.title, "description": found.description}),
    }
    return render(request, "repertoire/collection.html", context)


@login_required
@require_POST
def rename(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = library_access(request.user, slug, need=may_curate, refusal=ONLY_COORDINATORS)
    found = selectors.collection_for(access, pk)
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            services.collection_rename(actor=request.user, collection=found, **form.cleaned_data)
        except RepertoireError as error:
            form.add_error("title", error.message)
        else:
            messages.success(request, f"Saved: “{found.title}”.")
            return redirect(found)
    found.refresh_from_db()
    context = {
        "access": access,
        "tab": "library",
        "section": "collections",
        "collection": found,
        "items": list(selectors.collection_items(access, found)),
        "may_curate": True,
        "form": form,
    }
    return render(request, "repertoire/collection.html", context, status=400)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = library_access(request.user, slug, need=may_curate, refusal=ONLY_COORDINATORS)
    found = selectors.collection_for(access, pk)
    services.collection_delete(actor=request.user, collection=found)
    messages.success(request, f"Collection “{found.title}” removed; its resources stay in the library.")
    return redirect("repertoire:collections", access.community.slug)


def _item_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    access = library_access(request.user, slug, need=may_curate, refusal=ONLY_COORDINATORS)
    found = selectors.collection_for(access, pk)
    form = CollectionItemForm(request.POST, community=access.community)
    if not form.is_valid():
        messages.error(request, " ".join(msg for errors in form.errors.values() for msg in errors))
        return redirect(found)
    resource = form.cleaned_data["resource"]
    try:
        if action == "remove":
            services.collection_remove(actor=request.user, collection=found, resource=resource)
            messages.success(request, f"“{resource.title}” taken out of “{found.title}”.")
        else:
            services.collection_move(
                actor=request.user,
                collection=found,
                resource=resource,
                direction=form.cleaned_data["direction"],
            )
            messages.success(request, f"“{resource.title}” moved {form.cleaned_data['direction']}.")
    except RepertoireError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('repertoire:collection', args=[slug, found.pk])}#item-{resource.pk}")


@login_required
@require_POST
def remove_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator takes a resource out of the collection."""
    return _item_action(request, slug, pk, "remove")


@login_required
@require_POST
def move_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator moves a resource one place up or down."""
    return _item_action(request, slug, pk, "move")
