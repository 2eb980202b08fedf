"""Writes for members: accounts, profiles and org units."""

from django.conf import settings
from django.db import transaction

from members.models import Profile, User


def email_domain_allowed(email: str) -> bool:
    """Whether an address may sign up: any when SIGNUP_EMAIL_DOMAINS is empty, else only those domains."""
    domains = settings.SIGNUP_EMAIL_DOMAINS
    if not domains:
        return True
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in domains


@transaction.atomic
def profile_ensure(*, user: User) -> Profile:
    """Give a user their profile if they have none yet (new sign-ups, SSO accounts, createsuperuser)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile
