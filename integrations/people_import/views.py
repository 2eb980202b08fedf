"""The staff page of the people import: upload a CSV file, read the preview of what it would change, apply it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from communities.access import require_staff
from core.forms import add_refusal, refusal_text
from integrations.people_import import services
from integrations.people_import.forms import ApplyForm, PeopleFileForm
from integrations.people_import.uploads import UploadLost, upload_forget, upload_keep, upload_kept

FORM_TEMPLATE = "integrations/people_import.html"
PREVIEW_TEMPLATE = "integrations/people_import_preview.html"


def _form_page(
    request: HttpRequest, form: PeopleFileForm, status: int = 200, problem: str = ""
) -> HttpResponse:
    return render(
        request,
        FORM_TEMPLATE,
        {"form": form, "directory": settings.PEOPLE_IMPORT_DIRECTORY, "problem": problem},
        status=status,
    )


def _preview_page(request: HttpRequest, plan: services.Plan, filename: str, data: bytes, status: int = 200):
    reference = ""
    if plan.can_apply:
        reference = upload_keep(
            data=data, filename=filename, plan_digest=plan.digest, user_pk=request.user.pk
        )
    return render(
        request,
        PREVIEW_TEMPLATE,
        {
            "plan": plan,
            "filename": filename,
            "apply_form": ApplyForm(initial={"reference": reference}),
            "form": PeopleFileForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def people_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a posted file comes back as the preview of what it would change (nothing written)."""
    require_staff(request.user)
    form = PeopleFileForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _form_page(request, form)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    data = b"".join(upload.chunks())
    try:
        plan = services.people_import_preview(
            data=data, directory=settings.PEOPLE_IMPORT_DIRECTORY, actor=request.user
        )
    except services.ImportRefused as refusal:
        add_refusal(form, refusal)
        return _form_page(request, form, status=400)
    return _preview_page(request, plan, upload.name, data)


@require_POST
@login_required
def people_import_apply(request: HttpRequest) -> HttpResponse:
    """Apply the previewed file, in one transaction, if what it would change is still what the preview showed."""
    require_staff(request.user)
    form = ApplyForm(request.POST)
    try:
        if not form.is_valid():
            raise UploadLost
        kept = upload_kept(reference=form.cleaned_data["reference"], user_pk=request.user.pk)
    except UploadLost:
        problem = "This preview has expired or cannot be found (it is kept an hour, and applied once): upload the file again."
        return _form_page(request, PeopleFileForm(), status=400, problem=problem)
    directory = settings.PEOPLE_IMPORT_DIRECTORY
    try:
        plan = services.people_import_apply(
            data=kept.data, directory=directory, actor=request.user, previewed=kept.plan_digest
        )
    except services.ImportRefused as refusal:
        upload_forget(reference=kept.reference)
        messages.error(request, refusal_text(refusal))
        plan = services.people_import_preview(data=kept.data, directory=directory, actor=request.user)
        return _preview_page(request, plan, kept.filename, kept.data, status=409)
    upload_forget(reference=kept.reference)
    messages.success(request, f"Applied {kept.filename}: {plan.summary()}")
    return redirect("integrations:people_import")
