"""A resource's history: its versions, any two side by side with the differences marked, and a coordinator's
restore of an older one (itself a new version)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.forms import first_error, refusal_text
from core.numbers import number_param
from core.rules import Refused
from repertoire import rules, selectors, services
from repertoire.access import library_access
from repertoire.diff import compare
from repertoire.forms import RestoreForm


@login_required
@require_GET
def history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The versions of a resource, newest first, and two of them compared (by default the last two)."""
    access = library_access(request.user, slug)
    found = selectors.resource_for(access, pk)
    latest = found.latest_version
    newer = number_param(request.GET.get("b"), latest, high=max(latest, 1))
    older = number_param(request.GET.get("a"), max(latest - 1, 1), high=max(latest, 1))
    if older > newer:
        older, newer = newer, older
    versions = Paginator(selectors.revisions_of(found), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    old, new = selectors.revision_pair(found, older, newer) if latest else (None, None)
    context = {
        "access": access,
        "tab": "library",
        "resource": found,
        "versions": versions,
        "old": old,
        "new": new,
        "older": older,
        "newer": newer,
        "fields": compare(old, new) if old and new else [],
        "may_restore": rules.may_restore(access, found),
    }
    return render(request, "repertoire/history.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A coordinator brings back a version of this resource (only one of its own)."""
    access = library_access(request.user, slug, need=rules.may_curate, only=rules.RESTORE)
    found = selectors.resource_for(access, pk)
    form = RestoreForm(request.POST, resource=found)
    back = reverse("repertoire:history", args=[access.community.slug, found.pk])
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    revision = form.cleaned_data["revision"]
    try:
        restored = services.revision_restore(
            actor=request.user, resource=found, revision=revision, note=form.cleaned_data["note"]
        )
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
        return redirect(back)
    messages.success(request, f"Version {revision.number} restored: it is now version {restored.number}.")
    return redirect(found)
