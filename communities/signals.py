"""Signing up through an invitation link leads straight into the community.

allauth 65 signs a person up in this order: the account and its (unverified) address are saved, `user_signed_up`
is sent, then the login stages run, the first being email verification (which, when mandatory, stops at "check
your inbox"). The invitation link was mailed to the invited address, so following it proves that address: when
the new account's address is the invited one, this handler marks it verified and accepts the invitation before
the verification stage looks, and the person lands in the community without a second round trip to their
inbox. Signing up with another address changes nothing: the usual verification, and no joining.
"""

import logging

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest

from communities import rules
from communities.models import EmailInvitation
from core.forms import refusal_text
from core.rules import Refused

logger = logging.getLogger(__name__)

# The token of the invitation link the visitor opened, kept until they sign up or accept.
INVITATION_SESSION_KEY = "communities_invitation_token"


def accept_invitation_on_signup(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """allauth `user_signed_up` receiver: join the community the visitor was invited to by this address."""
    from communities.services import email_invitation_accept

    session = getattr(request, "session", None)
    token = session.get(INVITATION_SESSION_KEY) if session is not None else None
    if not token:
        return
    invitation = EmailInvitation.objects.select_related("community").filter(token=token).first()
    if invitation is None or not rules.may_accept_email_invitation(invitation, user):
        return
    try:
        with transaction.atomic():
            email_invitation_accept(user=user, invitation=invitation)
            _mark_verified(user, invitation.email)
    except Refused as refusal:
        logger.info("invitation %s not accepted at sign-up: %s", invitation.pk, refusal_text(refusal))
        return
    session.pop(INVITATION_SESSION_KEY, None)
    messages.success(request, f"Welcome to {invitation.community.name}!")


def _mark_verified(user, email: str) -> None:
    # allauth keeps the addresses it just created on the user object and reads them from there during the
    # login stages, so update that very instance (the lookup falls back to the database when there is none).
    try:
        address = EmailAddress.objects.get_for_user(user, email)
    except EmailAddress.DoesNotExist:
        if not EmailAddress.objects.filter(user=user, email__iexact=email).update(verified=True):
            EmailAddress.objects.create(
                user=user,
                email=email.lower(),
                verified=True,
                primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
            )
        return
    address.verified = True
    address.save(update_fields=["verified"])


def forget_sponsor_flag(sender, instance, **kwargs) -> None:
    """A sponsorship created or ended: the navigation's cached "sponsors something" flag is stale."""
    from django.core.cache import cache

    from communities.selectors import sponsor_flag_key

    cache.delete(sponsor_flag_key(instance.sponsor_id))
