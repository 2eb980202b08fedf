"""A resource: its page (text, files, applied stories), adding and editing it, downloading its files, “I applied
this”, recommending it and adding it to a collection."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.access import CommunityAccess
from core.forms import add_refusal, first_error, refusal_text
from core.pages import form_page, post_and_return
from core.rules import Refused
from repertoire import rules, selectors, services
from repertoire.access import editable_resource, library_access
from repertoire.forms import AddToCollectionForm, ApplyForm, RecommendForm, ResourceForm
from repertoire.models import Resource

THANKS = "Thank you: your story is under the resource."


def _resource_page(
    request: HttpRequest,
    access: CommunityAccess,
    resource: Resource,
    *,
    apply_form: ApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    stories = Paginator(selectors.applications_of(resource), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    curate = rules.may_curate(access)
    collections = list(selectors.collections_with(resource)) if curate else []
    context = {
        "access": access,
        "tab": "library",
        "resource": resource,
        "stories": stories,
        "apply_form": apply_form or ApplyForm(),
        "may_apply": rules.may_apply(access, resource),
        "may_edit": rules.may_edit(access, resource),
        "may_recommend": rules.may_recommend(access, resource),
        "may_curate": curate,
        "collections_holding": [c for c in collections if c.holds],
        "collections_free": [c for c in collections if not c.holds],
    }
    return render(request, "repertoire/resource.html", context, status=status)


@login_required
@require_GET
def resource(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A resource's page: what it is, its text, its files, who wrote it, and the stories of those who applied
    it. Drafts are seen only by their authors and the coordinators."""
    access = library_access(request.user, slug)
    found = selectors.resource_for(access, pk, detail=True)
    return _resource_page(request, access, found)


def _resource_form(
    request: HttpRequest, access: CommunityAccess, form: ResourceForm, resource: Resource | None, **actions
) -> HttpResponse:
    """The add and edit page: the service's refusal lands next to its field, and what was typed stays."""
    context = {"access": access, "tab": "library", "resource": resource}
    return form_page(request, form, template="repertoire/resource_form.html", context=context, **actions)


def _added(created: Resource) -> str:
    if created.is_draft:
        return f"Saved as a draft: “{created.title}”. Only its authors and the coordinators see it."
    return f"Added to the library: “{created.title}”."


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, slug: str) -> HttpResponse:
    """A member adds a resource: text, tags, a link and files; published at once or kept as a draft."""
    access = library_access(request.user, slug, need=rules.may_add)
    form = ResourceForm(request.POST or None, request.FILES or None)
    return _resource_form(
        request,
        access,
        form,
        None,
        act=lambda _: services.resource_create(
            actor=request.user, community=access.community, **form.service_fields()
        ),
        success=_added,
        then=Resource.get_absolute_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Its authors or a coordinator edit a resource; a published one keeps the previous version in its history."""
    access = library_access(request.user, slug)
    found = editable_resource(access, pk)
    form = ResourceForm(
        request.POST or None, request.FILES or None, resource=found, initial=ResourceForm.initial_for(found)
    )
    return _resource_form(
        request,
        access,
        form,
        found,
        act=lambda _: services.resource_update(actor=request.user, resource=found, **form.service_fields()),
        success=lambda updated: f"Saved: “{updated.title}”.",
        then=Resource.get_absolute_url,
    )


@login_required
@require_GET
def download(request: HttpRequest, slug: str, pk: int, file_pk: int) -> FileResponse:
    """A file of a resource the reader may see, as an attachment (never shown inline), under its own name."""
    access = library_access(request.user, slug)
    found = selectors.resource_for(access, pk)
    attachment = selectors.file_for(found, file_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def apply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """“I applied this”: a member tells how they used it. htmx gets the stories block back with the result
    announced; without JavaScript it redirects to the resource (or shows the form again with the problem).
    Only active members of a community that is not archived apply (the page offers the form to them only): anyone
    else gets 403, as for adding a resource."""
    access = library_access(request.user, slug, need=rules.may_add)
    found = selectors.resource_for(access, pk, detail=True)
    form = ApplyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.resource_apply(actor=request.user, resource=found, story=form.cleaned_data["story"])
        except Refused as refusal:
            error = refusal_text(refusal)
            add_refusal(form, refusal)
    else:
        error = first_error(form)
    if request.htmx:
        if not error:
            found = selectors.resource_for(access, pk, detail=True)
        stories = Paginator(selectors.applications_of(found), settings.PAGE_SIZE).get_page(1)
        context = {
            "access": access,
            "resource": found,
            "stories": stories,
            "apply_form": form if error else ApplyForm(),
            "may_apply": rules.may_apply(access, found) or bool(error),
            "announce": error or THANKS,
            "announce_error": bool(error),
        }
        return render(request, "repertoire/resource.html#applied", context)
    if error:
        messages.error(request, error)
        return _resource_page(request, access, found, apply_form=form, status=400)
    messages.success(request, THANKS)
    return redirect(f"{found.get_absolute_url()}#applied")


@login_required
@require_POST
def recommend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The core group marks a resource “recommended”, or takes the mark away."""
    access = library_access(request.user, slug, need=rules.may_harvest, only=rules.RECOMMEND)
    found = selectors.resource_for(access, pk)
    return post_and_return(
        request,
        RecommendForm(request.POST),
        back=found.get_absolute_url(),
        act=lambda data: services.resource_recommend(
            actor=request.user, resource=found, recommended=data["recommended"]
        ),
        success=lambda marked: (
            f"“{marked.title}” is recommended by the core group."
            if marked.is_recommended
            else f"“{marked.title}” is no longer marked recommended."
        ),
    )


@login_required
@require_POST
def add_to_collection(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator adds this resource to one of the community's collections."""
    access = library_access(request.user, slug, need=rules.may_curate, only=rules.CURATE)
    found = selectors.resource_for(access, pk)
    form = AddToCollectionForm(request.POST)
    chosen = selectors.collection_for(access, form.cleaned_data["collection"]) if form.is_valid() else None
    return post_and_return(
        request,
        form,
        back=found.get_absolute_url(),
        act=lambda _: services.collection_add(actor=request.user, collection=chosen, resource=found),
        success=lambda item: f"Added to “{item.collection.title}”.",
    )
