"""Collections: ordered lists of a community's resources that its coordinators curate (e.g. “Start here”)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.access import CommunityAccess
from core.pages import form_page, post_and_return
from repertoire import rules, selectors, services
from repertoire.access import library_access
from repertoire.forms import CollectionForm, CollectionItemForm
from repertoire.models import Collection
from repertoire.views import library_page


def _curator(request: HttpRequest, slug: str) -> CommunityAccess:
    return library_access(request.user, slug, need=rules.may_curate, only=rules.CURATE)


@login_required
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's collections; its coordinators start new ones here."""
    access = _curator(request, slug) if request.method == "POST" else library_access(request.user, slug)
    context = library_page(
        access, "collections", collections=list(selectors.community_collections(access.community))
    )
    return form_page(
        request,
        CollectionForm(request.POST or None),
        template="repertoire/collections.html",
        context=context,
        act=lambda data: services.collection_create(actor=request.user, community=access.community, **data),
        success=lambda created: f"Collection “{created.title}” started: add resources from their pages.",
        then=Collection.get_absolute_url,
    )


def _collection_page(access: CommunityAccess, found: Collection) -> dict:
    """A collection's page (its rename form aside): its resources in order, as the viewer may see them."""
    return library_page(
        access, "collections", collection=found, items=selectors.collection_items(access, found)
    )


@login_required
@require_GET
def collection(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A collection's resources in order; coordinators rename it, reorder and remove its resources."""
    access = library_access(request.user, slug)
    found = selectors.collection_for(access, pk)
    form = CollectionForm(initial={"title": found.title, "description": found.description})
    return render(request, "repertoire/collection.html", {**_collection_page(access, found), "form": form})


@login_required
@require_POST
def rename(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _curator(request, slug)
    found = selectors.collection_for(access, pk)
    return form_page(
        request,
        CollectionForm(request.POST),
        template="repertoire/collection.html",
        context=_collection_page(access, found),
        act=lambda data: services.collection_rename(actor=request.user, collection=found, **data),
        success=lambda renamed: f"Saved: “{renamed.title}”.",
        then=Collection.get_absolute_url,
    )


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access = _curator(request, slug)
    found = selectors.collection_for(access, pk)
    services.collection_delete(actor=request.user, collection=found)
    messages.success(request, f"Collection “{found.title}” removed; its resources stay in the library.")
    return redirect("repertoire:collections", access.community.slug)


# What a coordinator does to a resource's place in a collection: the service, and what is said once it is done.
ITEM_ACTIONS = {
    "remove": (
        lambda actor, found, data: services.collection_remove(
            actor=actor, collection=found, resource=data["resource"]
        ),
        lambda data, found: f"“{data['resource'].title}” taken out of “{found.title}”.",
    ),
    "move": (
        lambda actor, found, data: services.collection_move(actor=actor, collection=found, **data),
        lambda data, found: f"“{data['resource'].title}” moved {data['direction']}.",
    ),
}


@login_required
@require_POST
def change_item(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """A coordinator takes a resource out of the collection or moves it one place up or down (`action`, from the
    URL), is told so (or why not), and goes back to that resource's place in the list."""
    access = _curator(request, slug)
    found = selectors.collection_for(access, pk)
    form = CollectionItemForm(request.POST, community=access.community)
    back = found.get_absolute_url()
    if form.is_valid():
        back = f"{back}#item-{form.cleaned_data['resource'].pk}"
    act, said = ITEM_ACTIONS[action]
    return post_and_return(
        request,
        form,
        back=back,
        act=lambda data: act(request.user, found, data),
        success=lambda _: said(form.cleaned_data, found),
    )
