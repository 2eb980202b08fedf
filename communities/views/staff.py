"""Staff views: sponsors and their agreements, archiving, appointing a coordinator to a community left without
one, and deactivating someone who left the organization."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.access import CommunityAccess, get_community_for, require_staff
from communities.forms import AppointForm, SponsorForm
from communities.models import Community
from communities.views.browse import suggest_people
from core.forms import refusal_text
from core.pages import form_page, post_and_return
from core.rules import Refused
from members.selectors import anyone


def _staff_access(request: HttpRequest, slug: str) -> CommunityAccess:
    """The community for staff: 404 for who may not see it at all, 403 for who sees it but is not staff."""
    access = get_community_for(request.user, slug, content=True)
    require_staff(request.user)
    return access


def _appoint_form(community: Community, data=None) -> AppointForm:
    """One appoint form per community on a page: its own element ids, the same field name."""
    form = AppointForm(data, auto_id=f"id_appoint_{community.pk}_%s")
    suggest_people(form, "user")
    return form


def _render_attention(request: HttpRequest, bound: AppointForm | None = None, community=None) -> HttpResponse:
    page = Paginator(selectors.communities_needing_attention(), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.appoint_form = bound if community and item.pk == community.pk else _appoint_form(item)
    return render(request, "communities/staff_attention.html", {"page": page})


@require_GET
@login_required
def attention(request: HttpRequest) -> HttpResponse:
    """Communities left without a coordinator, each with a form to appoint one."""
    require_staff(request.user)
    return _render_attention(request)


@require_http_methods(["GET", "POST"])
@login_required
def sponsors(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's sponsors with their agreements, a form to add one, and archiving."""
    access = _staff_access(request, slug)
    form = SponsorForm(request.POST or None)
    suggest_people(form, "sponsor")
    return form_page(
        request,
        form,
        template="communities/staff_sponsors.html",
        context={
            "access": access,
            "tab": "staff",
            "sponsorships": selectors.community_sponsorships(community=access.community),
        },
        act=lambda data: services.sponsorship_assign(actor=request.user, community=access.community, **data),
        success=lambda sponsorship: f"{sponsorship.sponsor} now sponsors {access.community.name}.",
        then=reverse("communities:sponsors", args=[access.community.slug]),
    )


@require_POST
@login_required
def end_sponsorship(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Staff end a sponsorship."""
    access = _staff_access(request, slug)
    sponsorship = get_object_or_404(selectors.community_sponsorships(community=access.community), pk=pk)
    return post_and_return(
        request,
        Form(request.POST),
        back=reverse("communities:sponsors", args=[access.community.slug]),
        act=lambda data: services.sponsorship_end(actor=request.user, sponsorship=sponsorship),
        success=f"{sponsorship.sponsor} no longer sponsors {access.community.name}.",
    )


@require_POST
@login_required
def archive(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff archive a community (kept and readable, out of browse lists) or bring it back."""
    access = _staff_access(request, slug)
    community = access.community
    action = request.POST.get("action")
    try:
        if action == "archive":
            services.community_archive(actor=request.user, community=community)
            messages.success(request, f"{community.name} is archived: kept for reference, no longer listed.")
        elif action == "unarchive":
            services.community_unarchive(actor=request.user, community=community)
            messages.success(request, f"{community.name} is active again and listed.")
        else:
            messages.error(request, "Choose whether to archive the community or bring it back.")
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
    return redirect("communities:sponsors", community.slug)


@require_POST
@login_required
def appoint(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff appoint a coordinator, typically to a community whose last coordinator left the organization."""
    access = _staff_access(request, slug)
    community = access.community
    form = _appoint_form(community, request.POST)
    if not form.is_valid():
        problems = " ".join(error for field in form.errors for error in form.errors[field])
        messages.error(request, f"No coordinator appointed to {community.name}. {problems}")
        return _render_attention(request, bound=form, community=community)
    try:
        services.coordinator_appoint(actor=request.user, community=community, user=form.cleaned_data["user"])
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, f"{form.cleaned_data['user']} now coordinates {community.name}.")
    return redirect("communities:staff_attention")


@require_POST
@login_required
def deactivate_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff deactivate someone who left the organization; communities left without a coordinator are flagged."""
    require_staff(request.user)
    person = anyone(pk=pk)
    if person is None:
        raise Http404("No such person")
    if not person.is_active:
        messages.info(request, f"{person} was already deactivated.")
        return redirect("members:profile", person.pk)
    try:
        flagged = services.member_deactivate(actor=request.user, user=person)
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        message = f"{person} is deactivated: their memberships ended and they get no more mail."
        if flagged:
            names = ", ".join(community.name for community in flagged)
            message += f" Left without a coordinator (flagged for staff): {names}."
        messages.success(request, message)
    return redirect("members:profile", person.pk)


@require_POST
@login_required
def reactivate_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff bring back someone who was deactivated (back in the organization): sign-in, mail and the memberships
    the deactivation ended return."""
    require_staff(request.user)
    person = anyone(pk=pk)
    if person is None:
        raise Http404("No such person")
    if person.is_active:
        messages.info(request, f"{person} is active: there is nothing to bring back.")
        return redirect("members:profile", person.pk)
    try:
        restored = services.member_reactivate(actor=request.user, user=person)
    except Refused as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        message = f"{person} is active again: they sign in and get mail."
        if restored:
            names = ", ".join(membership.community.name for membership in restored)
            message += f" Their memberships are back, at the level and role they held: {names}."
        else:
            message += " No membership to bring back (none ended with the deactivation, or their communities are archived)."
        messages.success(request, message)
    return redirect("members:profile", person.pk)
