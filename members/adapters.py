"""allauth adapters: who may sign up, what a new account gets, and what single sign-on keeps up to date."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render

from members.models import Profile, User
from members.services import (
    UNCHANGED,
    email_domain_allowed,
    org_unit_ensure,
    org_unit_path,
    person_from_directory,
    profile_ensure,
)

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Restricts sign-up to the organization's email domains and gives every new user a profile."""

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        if not email_domain_allowed(email):
            domains = ", ".join(f"@{domain}" for domain in settings.SIGNUP_EMAIL_DOMAINS)
            raise forms.ValidationError(f"Only addresses ending in {domains} may sign up.")
        return email

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip() or user.email.split("@")[0]
        if commit:
            user.save()
            profile_ensure(user=user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: the same domain rule as sign-up, and the person's name, job title and org unit kept by the
    identity provider (`settings.OIDC_NAME`), read from its claims at every sign-in.

    A first sign-in creates the person just in time; a later one finds them (by their account at the provider,
    or by a verified email for someone who signed up by hand) and updates what the claims say. A person kept by
    another directory (a SCIM connection, the CSV import) is left to it: one source of truth per person.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        email = (sociallogin.user.email or "").lower()
        return bool(email) and email_domain_allowed(email)

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Refuse an address outside SIGNUP_EMAIL_DOMAINS with a page that says why; refresh a known person."""
        if sociallogin.state.get("process") == "connect":
            return  # a signed-in person connecting their account from the account settings
        if sociallogin.is_existing:
            person_from_claims(sociallogin.user, sso_claims(sociallogin))
        elif not self.is_open_for_signup(request, sociallogin):
            # Our AccountAdapter.clean_email has already dropped an address outside the domains: take the claim's.
            raise ImmediateHttpResponse(
                signup_closed(request, claimed_text(sso_claims(sociallogin).get("email")))
            )

    def authenticate_by_email(self, sociallogin):
        """As allauth, after taking Entra ID's word for the address (see `vouch_for_address`)."""
        vouch_for_address(sociallogin)
        return super().authenticate_by_email(sociallogin)

    def populate_user(self, request: HttpRequest, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.full_name = name.strip() or (user.email or "").split("@")[0]
        return user

    def save_user(self, request: HttpRequest, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        profile_ensure(user=user)
        person_from_claims(user, sso_claims(sociallogin))
        return user


def signup_closed(request: HttpRequest, email: str | None):
    """allauth's "sign-up closed" page, saying which addresses may sign in (refused with 403)."""
    context = {
        "refused_email": (email or "").lower(),
        "signup_domains": [f"@{domain}" for domain in settings.SIGNUP_EMAIL_DOMAINS],
    }
    return render(request, "account/signup_closed.html", context, status=403)


def sso_claims(sociallogin) -> dict:
    """What the identity provider said about the person: the userinfo answer over the ID token's claims (some
    providers, Entra ID among them, put optional claims such as the department in the ID token only)."""
    data = sociallogin.account.extra_data or {}
    if "userinfo" not in data and "id_token" not in data:
        return dict(data)  # accounts stored before allauth 65.11 kept the claims flat
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def vouch_for_address(sociallogin) -> None:
    """Entra ID sends no `email_verified`; its optional claim `xms_edov` ("email domain owner verified", Microsoft's
    answer to addresses an attacker's tenant could claim) says the same. When it is true, and `email_verified` was
    not sent, the address counts as verified: it signs into an account with that address (one made by hand, or
    by SCIM) and needs no confirmation mail. allauth asks this before it looks for an account by email."""
    claims = sso_claims(sociallogin)
    if "email_verified" in claims or str(claims.get("xms_edov")).lower() not in {"true", "1"}:
        return
    email = claimed_text(claims.get("email")).lower()
    for address in sociallogin.email_addresses:
        if address.email.lower() == email:
            address.verified = True


def person_from_claims(user: User, claims: dict) -> None:
    """Keep `user`'s name, job title and org unit as the identity provider's claims say, marking them kept by it.

    A claim the provider did not send leaves its field as it is. A value CoPsite cannot keep (an org unit name
    too long) is logged and skipped: signing in does not fail for it.
    """
    if user.directory and user.directory != settings.OIDC_NAME:
        return
    full_name = claimed_name(claims)
    max_length = User._meta.get_field("full_name").max_length
    org_unit = UNCHANGED
    claim = settings.OIDC_ORG_UNIT_CLAIM
    if claim and claim in claims:
        try:
            org_unit = org_unit_ensure(path=org_unit_path(claimed_text(claims[claim])))
        except ValidationError:
            logger.warning("SSO: the org unit claim %r of %s is not usable", claims[claim], user.email)
    job_title = UNCHANGED
    claim = settings.OIDC_JOB_TITLE_CLAIM
    if claim and claim in claims:
        job_title = claimed_text(claims[claim])[: Profile._meta.get_field("job_title").max_length]
    person_from_directory(
        directory=settings.OIDC_NAME,
        user=user,
        full_name=full_name[:max_length] if full_name else UNCHANGED,
        job_title=job_title,
        org_unit=org_unit,
    )
    # allauth saves this very instance again when it connects an account found by email: keep it current.
    user.refresh_from_db()


def claimed_name(claims: dict) -> str:
    """The person's full name: `name`, else `given_name` and `family_name` (empty when none was sent)."""
    name = claimed_text(claims.get("name"))
    if not name:
        parts = (claimed_text(claims.get("given_name")), claimed_text(claims.get("family_name")))
        name = " ".join(part for part in parts if part)
    return name


def claimed_text(value) -> str:
    """A claim as text: a string, or the first string of a list (a group mapper's `["/Operations/Line 2"]`)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), "")
    return value.strip() if isinstance(value, str) else ""
