"""Writes for members: accounts, profiles and org units."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from members.models import NotificationPreference, Profile, User
from members.notifications import MAIL_KINDS


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


def notification_frequency(*, user: User, kind: str) -> str:
    """How often `user` wants mail of `kind`: their choice, or the kind's default."""
    choice = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("frequency", flat=True)
        .first()
    )
    return choice or MAIL_KINDS[kind].default


@transaction.atomic
def notification_preferences_update(*, user: User, choices: dict[str, str]) -> None:
    """Store a member's choices, one per kind; unknown kinds and frequencies a kind does not allow are refused."""
    for kind, frequency in choices.items():
        if kind not in MAIL_KINDS or frequency not in MAIL_KINDS[kind].allowed:
            raise ValidationError(f"“{frequency}” is not a choice for {kind}.")
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"frequency": frequency}
        )
