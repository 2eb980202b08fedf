"""Views of one's own membership: join, ask to join, answer an invitation, change one's level, leave; and the
landing page of an invitation link mailed to someone who may not have an account yet.

The one-click actions (join, accept, decline, change level) answer an htmx request with the status block of
`communities/_status.html` (the same template the pages include), announcing the result in the page's live
region; without JavaScript they redirect back to `next` with a flash message.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from communities import rules, selectors, services
from communities.access import CommunityAccess, get_community_for
from communities.forms import JoinForm, LevelForm, RequestForm
from communities.models import Membership
from communities.signals import INVITATION_SESSION_KEY
from core.forms import first_error, refusal_text
from core.pages import form_page
from core.redirects import safe_next
from core.rules import Refused


def _answer(
    request: HttpRequest,
    access: CommunityAccess,
    membership: Membership | None = None,
    *,
    success: str = "",
    error: str = "",
    reload_page: bool = False,
) -> HttpResponse:
    """The answer to a one-click action: the status block for htmx, a redirect back with a message otherwise.
    `membership` is the viewer's after the action (their membership as it was, when there is an `error`).

    `reload_page`: what the page shows changed beyond the status (joining a private community reveals its
    content), so an htmx request reloads it instead.
    """
    community = access.community
    membership = membership or access.membership
    if request.htmx and not (reload_page and not error):
        context = {
            "community": community,
            "viewer_status": membership.status if membership else "",
            "viewer_level": membership.level if membership else "",
            "viewer_invited_until": membership.invitation_expires_at if membership else None,
            "in_header": request.POST.get("in_header") == "1",
            "status_next": safe_next(request, community.get_absolute_url()),
            "announce": error or success,
            "announce_error": bool(error),
        }
        return render(request, "communities/_status.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    if request.htmx:
        return HttpResponse(headers={"HX-Refresh": "true"})
    return redirect(safe_next(request, community.get_absolute_url()))


def _one_click(
    request: HttpRequest,
    access: CommunityAccess,
    *,
    act: Callable[[], Membership],
    success: Callable[[Membership], str],
    reload_page: Callable[[Membership], bool] = lambda membership: False,
) -> HttpResponse:
    """Run a one-click action's service and answer with what it did, or with its refusal."""
    try:
        membership = act()
    except Refused as refusal:
        return _answer(request, access, error=refusal_text(refusal))
    return _answer(
        request, access, membership, success=success(membership), reload_page=reload_page(membership)
    )


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Join an open community at once, at the chosen commitment level."""
    access = get_community_for(request.user, slug)
    community = access.community
    form = JoinForm(request.POST)
    if not form.is_valid():
        return _answer(request, access, error=first_error(form))
    return _one_click(
        request,
        access,
        act=lambda: services.membership_join(
            user=request.user, community=community, level=form.cleaned_data["level"]
        ),
        success=lambda joined: (
            f"Welcome to {community.name}! You joined as {joined.get_level_display().lower()} "
            "member; you can change that any time."
        ),
        reload_page=lambda joined: community.is_private,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_to_join(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask to join a community on approval, with a message to its coordinators (who are told by mail)."""
    access = get_community_for(request.user, slug)
    community = access.community
    return form_page(
        request,
        RequestForm(request.POST if request.method == "POST" else None),
        template="communities/request.html",
        context={"access": access, "tab": "overview", "can_request": rules.may_request(access)},
        act=lambda data: services.membership_request(
            user=request.user, community=community, message=data["message"], level=data["level"]
        ),
        success=f"Your request to join {community.name} was sent to its coordinators. "
        "You will get an email when they decide.",
        then=community.get_absolute_url(),
    )


@login_required
@require_POST
def respond(request: HttpRequest, slug: str) -> HttpResponse:
    """Accept or decline one's own invitation to a community."""
    access = get_community_for(request.user, slug)
    community = access.community
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        return _answer(request, access, error="Choose Accept or Decline.")
    if not rules.may_answer_invitation(access):
        return _answer(request, access, error=rules.answer_refusal(access))
    return _one_click(
        request,
        access,
        act=lambda: services.invitation_respond(
            user=request.user, membership=access.membership, accept=answer == "accept"
        ),
        success=lambda answered: (
            f"Welcome to {community.name}! You joined as {answered.get_level_display().lower()} member."
            if answered.is_active
            else f"You declined the invitation to {community.name}."
        ),
        reload_page=lambda answered: community.is_private and answered.is_active,
    )


@login_required
@require_POST
def my_level(request: HttpRequest, slug: str) -> HttpResponse:
    """A member changes their own commitment level."""
    access = get_community_for(request.user, slug)
    form = LevelForm(request.POST)
    if not form.is_valid():
        return _answer(request, access, error="Choose one of the commitment levels.")
    level = form.cleaned_data["level"]
    if not rules.may_change_own_level(access, level):
        return _answer(request, access, error=rules.own_level_refusal(access, level))
    return _one_click(
        request,
        access,
        act=lambda: services.membership_change_level(
            actor=request.user, membership=access.membership, level=level
        ),
        success=lambda changed: (
            f"Your commitment level in {access.community.name} is now {changed.get_level_display().lower()}."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave a community, after a confirmation page. The last coordinator is refused (with the reason)."""
    access = get_community_for(request.user, slug)
    community = access.community
    if not access.is_member:
        messages.info(request, f"You are not a member of {community.name}.")
        return redirect(community)
    if request.method == "POST":
        try:
            services.membership_leave(user=request.user, membership=access.membership)
        except Refused as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, f"You left {community.name}. You can join again whenever you like.")
        return redirect(community)
    return render(request, "communities/leave.html", {"access": access, "tab": "overview"})


@require_http_methods(["GET", "POST"])
def email_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link mailed to an address lands.

    Signed out: "You're invited", with sign-up (the address prefilled) and sign-in links that come back here;
    the token waits in the session so that signing up with the invited address joins at once (see signals).
    Signed in: Accept joins the community.
    """
    invitation = get_object_or_404(selectors.email_invitations_by_link(), token=token)
    community = invitation.community
    user = request.user
    state = rules.email_invitation_state(invitation, user)
    if state == "used" and user.is_authenticated and invitation.accepted_by_id == user.pk:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return redirect(community)
    if state == "anonymous":
        request.session[INVITATION_SESSION_KEY] = invitation.token
        if request.method == "POST":
            return redirect_to_login(request.path)
    elif request.method == "POST" and state in ("open", "other_address"):
        try:
            services.email_invitation_accept(user=user, invitation=invitation)
        except Refused as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, f"Welcome to {community.name}!")
            return redirect(community)
    return render(request, "communities/email_invitation.html", {"invitation": invitation, "state": state})
