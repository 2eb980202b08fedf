"""Writes for members: accounts, profiles, org units and notification preferences."""

import logging
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from members.models import NotificationPreference, OrgUnit, Profile, Tag, User
from members.notifications import MAIL_KINDS, Frequency

logger = logging.getLogger(__name__)


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


@transaction.atomic
def notification_unsubscribe(*, user: User, kind: str) -> bool:
    """Turn one kind of mail off for `user`, as the one-click link in its mails asks; returns whether that
    changed anything (calling it again is harmless). Works for deactivated people too: a link in an old mail must
    still stop its kind."""
    mail_kind = MAIL_KINDS.get(kind)
    if mail_kind is None or Frequency.OFF not in mail_kind.allowed:
        raise ValidationError(f"{kind} cannot be turned off.")
    if notification_frequency(user=user, kind=kind) == Frequency.OFF:
        return False
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"frequency": Frequency.OFF}
    )
    logger.info("user %s unsubscribed from %s", user.pk, kind)
    return True


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def tag_named(name: str) -> Tag:
    """The tag of that name whatever its case, or a new one with a slug no other tag has ("C++" next to "C").
    Every app that tags something (expertise, community topics, resources) makes its tags here."""
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is not None:
        return tag
    base = slugify(name)[:50] or "tag"
    slug, n = base, 1
    while Tag.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    tag = Tag(name=name, slug=slug)
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def profile_update(
    *,
    user: User,
    full_name: str,
    job_title: str = "",
    org_unit: OrgUnit | None = None,
    location: str = "",
    bio: str = "",
    expertise: list[str] = (),
    time_zone: str = "UTC",
    in_directory: bool = True,
) -> Profile:
    """A member edits their own profile. Expertise names are matched to existing tags whatever their case.

    Raises ValidationError keyed by field (full_name, time_zone, expertise, ...) and then nothing changed; the
    `user` passed in is left as it was either way (the row is locked and changed on a fresh copy).
    """
    if time_zone not in _time_zones():
        raise ValidationError({"time_zone": f"“{time_zone}” is not a time zone we know."})
    names: dict[str, str] = {}  # lower-cased name -> the first spelling typed
    for name in expertise:
        if name.strip():
            names.setdefault(name.strip().lower(), name.strip())
    if any(len(name) > Tag._meta.get_field("name").max_length for name in names.values()):
        raise ValidationError({"expertise": "Keep each area of expertise under 60 characters."})

    person = User.objects.select_for_update().get(pk=user.pk)
    person.full_name = full_name.strip()
    person.org_unit = org_unit
    person.full_clean()
    person.save(update_fields=["full_name", "org_unit"])

    profile = profile_ensure(user=person)
    profile.job_title = job_title.strip()
    profile.location = location.strip()
    profile.bio = bio.strip()
    profile.time_zone = time_zone
    profile.in_directory = in_directory
    profile.full_clean()
    profile.save()
    profile.expertise.set([tag_named(name) for name in names.values()])
    return profile
