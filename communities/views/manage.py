"""Views of the coordinators' member management: requests, invitations, the members table, CSV export.

Every view starts with `get_community_for(..., manage=True)`: 404 for outsiders of a private community, 403 for
anyone else who is not an active coordinator (or when the community is archived). Actions post a plain form and
redirect back to the management page (keeping its filters), with a message saying what happened.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from communities import selectors, services
from communities.access import CommunityAccess, get_community_for, get_membership_for
from communities.forms import DecisionForm, InviteForm, LevelForm, MemberFilterForm, RemoveForm, RoleForm
from communities.models import Level, Membership
from communities.views.browse import suggest_people
from core.csv_files import csv_response
from core.forms import first_error, refusal_text
from core.pages import post_and_return
from core.ratelimits import rate_limited
from core.redirects import safe_next
from core.rules import Refused

SORTABLE = [("name", "Name"), ("unit", "Org unit"), ("level", "Level"), ("joined", "Joined")]


def _manage_url(access: CommunityAccess) -> str:
    """Where the coordinators' actions come back to (the posted `next` keeps the table's filters)."""
    return reverse("communities:manage_members", args=[access.community.slug])


def _manage_page(
    request: HttpRequest, access: CommunityAccess, *, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    community = access.community
    filter_form = MemberFilterForm(request.GET)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    unit = filters.get("unit")
    sort = filters.get("sort") or "name"
    members = selectors.community_members(
        community=community,
        level=filters.get("level") or "",
        role=filters.get("role") or "",
        org_unit=unit.pk if unit else None,
        query=(filters.get("q") or "").strip(),
        sort=sort,
    )
    page = Paginator(members, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    requests = list(selectors.pending_requests(community=community))
    invited, by_email = selectors.open_invitations(community=community)
    invited, by_email = list(invited), list(by_email)
    invite_form = invite_form or InviteForm()
    suggest_people(invite_form, "emails")
    context = {
        "access": access,
        "tab": "manage",
        "filter_form": filter_form,
        "filtered": any(filters.get(name) for name in ("q", "level", "role", "unit")),
        "page": page,
        "sort": sort,
        "sortable": SORTABLE,
        "requests": requests,
        "invited": invited,
        "by_email": by_email,
        "invitation_count": len(invited) + len(by_email),
        "invite_form": invite_form,
        "levels": Level.choices,
        "now": timezone.now(),
    }
    return render(request, "communities/manage_members.html", context, status=status)


@login_required
@require_GET
def manage_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Pending requests, waiting invitations, the invite form and the (filtered, sortable) members table."""
    access = get_community_for(request.user, slug, manage=True)
    return _manage_page(request, access)


@login_required
@require_GET
@rate_limited("exports")
def export_members(request: HttpRequest, slug: str) -> HttpResponse:
    """The active members as CSV: name, email, org unit, level, role, joined."""
    access = get_community_for(request.user, slug, manage=True)
    members = selectors.community_members(community=access.community)
    rows = (
        [
            membership.user.full_name,
            membership.user.email,
            membership.user.org_unit.name if membership.user.org_unit else "",
            membership.get_level_display(),
            membership.get_role_display(),
            membership.joined_at.date().isoformat() if membership.joined_at else "",
        ]
        for membership in members.iterator(chunk_size=500)
    )
    return csv_response(
        filename=f"{access.community.slug}-members.csv",
        header=["Name", "Email", "Org unit", "Level", "Role", "Joined"],
        rows=rows,
    )


@login_required
@require_POST
@rate_limited("invitations")
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite by address: accounts get an invitation, anyone else a sign-up link. Says what happened to each."""
    access = get_community_for(request.user, slug, manage=True)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The invitations were not sent: correct the form below.")
        return _manage_page(request, access, invite_form=form, status=400)
    for address in form.cleaned_data["emails"]:
        try:
            result = services.email_invitation_create(
                actor=request.user,
                community=access.community,
                email=address,
                message=form.cleaned_data["message"],
                level=form.cleaned_data["level"],
            )
        except Refused as refusal:
            messages.error(request, f"{address}: not invited. {refusal_text(refusal)}")
        else:
            if isinstance(result, Membership):
                messages.success(request, f"{address}: {result.user} is invited and was told by email.")
            else:
                messages.success(request, f"{address}: a sign-up link to join was sent.")
    return redirect(safe_next(request, _manage_url(access)))


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Approve or decline a request to join; declining needs a reason, which the requester is sent."""
    access = get_community_for(request.user, slug, manage=True)
    membership = get_membership_for(access, pk)

    def act(data: dict) -> bool:
        approve = data["decision"] == "approve"
        services.membership_decide(
            actor=request.user, membership=membership, approve=approve, reason=data["reason"]
        )
        return approve

    return post_and_return(
        request,
        DecisionForm(request.POST),
        back=_manage_url(access),
        act=act,
        success=lambda approve: (
            f"The request of {membership.user} was "
            f"{'approved: they are now a member' if approve else 'declined'}. They were told by email."
        ),
        invalid=lambda form: f"{membership.user}: {first_error(form)}",
    )


# What a coordinator changes of a membership in one field (`change`): its form, the service, what to say.
CHANGES = {
    "level": (
        LevelForm,
        services.membership_change_level,
        lambda changed: f"{changed.user} is now at level {changed.get_level_display()}.",
        "Choose one of the commitment levels.",
    ),
    "role": (
        RoleForm,
        services.membership_change_role,
        lambda changed: f"{changed.user} is now a {changed.get_role_display().lower()}.",
        "Choose member or coordinator.",
    ),
}


@login_required
@require_POST
def change(request: HttpRequest, slug: str, pk: int, field: str) -> HttpResponse:
    """Move a member to another commitment level (the core group included), or make a member coordinator and
    step a coordinator down (never the last one): `field` is "level" or "role" (the URL says which)."""
    access = get_community_for(request.user, slug, manage=True)
    membership = get_membership_for(access, pk)
    form_class, service, success, invalid = CHANGES[field]
    return post_and_return(
        request,
        form_class(request.POST),
        back=_manage_url(access),
        act=lambda data: service(actor=request.user, membership=membership, **{field: data[field]}),
        success=success,
        invalid=invalid,
    )


@login_required
@require_POST
def remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a member (or withdraw an invitation of an existing user), with a reason they are sent."""
    access = get_community_for(request.user, slug, manage=True)
    membership = get_membership_for(access, pk)
    was_invited = membership.status == Membership.Status.INVITED
    return post_and_return(
        request,
        RemoveForm(request.POST),
        back=_manage_url(access),
        act=lambda data: services.membership_remove(
            actor=request.user, membership=membership, reason=data["reason"]
        ),
        success=f"The invitation of {membership.user} was withdrawn."
        if was_invited
        else f"{membership.user} was removed from {access.community.name}.",
        invalid=lambda form: f"{membership.user} was not removed: {first_error(form)}",
    )


@login_required
@require_POST
def withdraw_email_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw an invitation by email that was not accepted yet: its link stops working."""
    access = get_community_for(request.user, slug, manage=True)
    invitation = get_object_or_404(selectors.waiting_email_invitations(community=access.community), pk=pk)
    return post_and_return(
        request,
        Form(request.POST),
        back=_manage_url(access),
        act=lambda data: services.email_invitation_withdraw(actor=request.user, invitation=invitation),
        success=f"The invitation of {invitation.email} was withdrawn; its link no longer works.",
    )
