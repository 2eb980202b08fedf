"""A resource: its page (text, files, applied stories), adding and editing it, downloading its files, “I applied
this”, recommending it and adding it to a collection."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.access import CommunityAccess
from repertoire import selectors, services
from repertoire.access import library_access, may_add, may_apply, may_curate, may_edit, may_harvest
from repertoire.forms import ApplyForm, RecommendForm, ResourceForm
from repertoire.models import Resource
from repertoire.services import RepertoireError

FIELD_WORDS = {
    "title": ("title",),
    "summary": ("summary",),
    "body": ("text is too long",),
    "tags": ("tag",),
    "external_url": ("link",),
    "files": ("file", "program", "empty", "type we keep", "mb", "kb", "bytes"),
    "co_authors": ("co-author",),
    "status": ("draft",),
}


def _field_for(error: RepertoireError, form: ResourceForm) -> str | None:
    """The form field a service's refusal is about (by a word in its message), or None for the whole form."""
    text = error.message.lower()
    for name, words in FIELD_WORDS.items():
        if name in form.fields and any(word in text for word in words):
            return name
    return None


def _dropped(request: HttpRequest, form: ResourceForm) -> bool:
    """Whether files were sent with a form that comes back: browsers cannot keep them, so say so."""
    return bool(request.FILES) and bool(form.errors)


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
    curate = may_curate(access)
    collections = list(selectors.collections_with(resource).order_by("title")) if curate else []
    context = {
        "access": access,
        "tab": "library",
        "resource": resource,
        "stories": stories,
        "apply_form": apply_form or ApplyForm(),
        "may_apply": may_apply(access, resource),
        "may_edit": may_edit(access, resource),
        "may_recommend": may_harvest(access) and (resource.is_published or resource.is_recommended),
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


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, slug: str) -> HttpResponse:
    """A member adds a resource: text, tags, a link and files; published at once or kept as a draft."""
    access = library_access(
        request.user, slug, need=may_add, refusal="Only members add to the library: join the community first."
    )
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.resource_create(
                actor=request.user, community=access.community, **form.service_fields()
            )
        except RepertoireError as error:
            form.add_error(_field_for(error, form), error.message)
        else:
            if created.is_draft:
                messages.success(
                    request,
                    f"Saved as a draft: “{created.title}”. Only its authors and the coordinators see it.",
                )
            else:
                messages.success(request, f"Added to the library: “{created.title}”.")
            return redirect(created)
    context = {
        "access": access,
        "tab": "library",
        "form": form,
        "resource": None,
        "files_dropped": _dropped(request, form),
    }
    return render(request, "repertoire/resource_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Its authors or a coordinator edit a resource; a published one keeps the previous version in its history."""
    access = library_access(request.user, slug)
    found = selectors.resource_for(access, pk, detail=True)
    if not may_edit(access, found):
        raise PermissionDenied("Only its authors and the community's coordinators can edit this resource.")
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        resource=found,
        initial=ResourceForm.initial_for(found),
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.resource_update(actor=request.user, resource=found, **form.service_fields())
        except RepertoireError as error:
            form.add_error(_field_for(error, form), error.message)
        else:
            messages.success(request, f"Saved: “{updated.title}”.")
            return redirect(updated)
    context = {
        "access": access,
        "tab": "library",
        "form": form,
        "resource": found,
        "files_dropped": _dropped(request, form),
    }
    return render(request, "repertoire/resource_form.html", context, status=400 if form.is_bound else 200)


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
    access = library_access(
        request.user,
        slug,
        need=may_add,
        refusal="Only the community's members tell how they applied its resources: join it first "
        "(an archived community's library no longer changes).",
    )
    found = selectors.resource_for(access, pk, detail=True)
    form = ApplyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.resource_apply(actor=request.user, resource=found, story=form.cleaned_data["story"])
        except RepertoireError as refusal:
            error = refusal.message
            form.add_error("story", refusal.message)
    else:
        error = form.errors["story"][0]
    if request.htmx:
        if not error:
            found = selectors.resource_for(access, pk, detail=True)
        stories = Paginator(selectors.applications_of(found), settings.PAGE_SIZE).get_page(1)
        context = {
            "access": access,
            "resource": found,
            "stories": stories,
            "apply_form": form if error else ApplyForm(),
            "may_apply": may_apply(access, found) or bool(error),
            "announce": error or "Thank you: your story is under the resource.",
            "announce_error": bool(error),
        }
        return render(request, "repertoire/resource.html#applied", context)
    if error:
        messages.error(request, error)
        return _resource_page(request, access, found, apply_form=form, status=400)
    messages.success(request, "Thank you: your story is under the resource.")
    return redirect(f"{found.get_absolute_url()}#applied")


@login_required
@require_POST
def recommend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The core group marks a resource “recommended”, or takes the mark away."""
    access = library_access(
        request.user,
        slug,
        need=may_harvest,
        refusal="Only the core group and coordinators recommend resources.",
    )
    found = selectors.resource_for(access, pk)
    form = RecommendForm(request.POST)
    form.is_valid()
    recommended = form.cleaned_data.get("recommended", False)
    try:
        services.resource_recommend(actor=request.user, resource=found, recommended=recommended)
    except RepertoireError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"“{found.title}” is recommended by the core group."
            if recommended
            else f"“{found.title}” is no longer marked recommended.",
        )
    return redirect(found)


@login_required
@require_POST
def add_to_collection(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator adds this resource to one of the community's collections."""
    access = library_access(
        request.user, slug, need=may_curate, refusal="Only the community's coordinators curate collections."
    )
    found = selectors.resource_for(access, pk)
    chosen = _int(request.POST.get("collection"))
    if chosen is None:
        messages.error(request, "Choose a collection to add it to.")
        return redirect(found)
    collection = selectors.collection_for(access, chosen)
    try:
        services.collection_add(actor=request.user, collection=collection, resource=found)
    except RepertoireError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Added to “{collection.title}”.")
    return redirect(found)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
