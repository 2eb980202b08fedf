"""Mail about memberships, sent by Celery after the change is committed. Tasks take ids."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse

from communities.models import Community, EmailInvitation, MembershipEvent
from core.mail import send_templated_mail
from members.notifications import Frequency
from members.services import notification_frequency

logger = logging.getLogger(__name__)

DECISIONS = "membership_decisions"
REQUESTS = "membership_requests"
Event = MembershipEvent.Kind

# Which events mail the person concerned, and which mail the community's coordinators.
TO_MEMBER = {
    Event.INVITED,
    Event.APPROVED,
    Event.DECLINED,
    Event.REMOVED,
    Event.LEVEL_CHANGED,
    Event.ROLE_CHANGED,
}
TO_COORDINATORS = {Event.REQUESTED, Event.INVITATION_ACCEPTED, Event.INVITATION_DECLINED}


def _wants_now(user, kind: str) -> bool:
    return user.is_active and notification_frequency(user=user, kind=kind) == Frequency.IMMEDIATELY


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_membership_event_mail(event_id: int) -> int:
    """Tell the people a membership event concerns, as their notification preferences say. Returns mails sent."""
    event = MembershipEvent.objects.select_related("community", "user", "actor").filter(pk=event_id).first()
    if event is None:
        return 0
    context = {"event": event, "community": event.community, "member": event.user, "actor": event.actor}
    sent = 0
    if event.kind in TO_MEMBER and _wants_now(event.user, DECISIONS):
        context["action_url"] = reverse("communities:home", args=[event.community.slug])
        sent += send_templated_mail(
            template=f"communities/{event.kind}", to=event.user, context=context, kind=DECISIONS
        )
    if event.kind in TO_COORDINATORS:
        context["action_url"] = reverse("communities:manage_members", args=[event.community.slug])
        coordinators = (
            get_user_model()
            .objects.filter(pk__in=event.community.memberships.coordinators().values("user"))
            .exclude(pk=event.user_id)
        )
        for coordinator in coordinators:
            if _wants_now(coordinator, REQUESTS):
                sent += send_templated_mail(
                    template=f"communities/{event.kind}", to=coordinator, context=context, kind=REQUESTS
                )
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_invitation(invitation_id: int) -> int:
    """Mail the sign-up link of an invitation to someone without an account."""
    invitation = (
        EmailInvitation.objects.select_related("community", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at:
        return 0
    context = {
        "invitation": invitation,
        "community": invitation.community,
        "action_url": invitation.get_absolute_url(),
    }
    return int(
        send_templated_mail(template="communities/email_invitation", to=invitation.email, context=context)
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_orphaned_communities_mail(community_ids: list[int], departed_user_id: int) -> int:
    """Tell staff which communities lost their last coordinator when someone left the organization."""
    communities = list(Community.objects.filter(pk__in=community_ids).order_by("name"))
    departed = get_user_model().objects.filter(pk=departed_user_id).first()
    context = {
        "communities": communities,
        "departed": departed,
        "action_url": reverse("communities:staff_attention"),
    }
    sent = 0
    for staff in get_user_model().objects.filter(is_staff=True, is_active=True):
        sent += send_templated_mail(template="communities/orphaned", to=staff, context=context)
    return sent
