"""Writes for members: accounts, profiles, org units and notification preferences."""

import logging
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from members.models import NotificationPreference, OrgUnit, Profile, Tag, User
from members.notifications import MAIL_KINDS, Frequency
from members.rules import kept_by_directory

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
    kept = kept_by_directory(person)
    profile = profile_ensure(user=person)
    typed = {"full_name": full_name.strip(), "org_unit": org_unit, "job_title": job_title.strip()}
    current = {"full_name": person.full_name, "org_unit": person.org_unit, "job_title": profile.job_title}
    for name in kept & typed.keys():
        if typed[name] != current[name]:
            raise ValidationError({name: f"Kept by {person.directory}: change it there."})
    person.full_name = typed["full_name"]
    person.org_unit = org_unit
    person.full_clean()
    person.save(update_fields=["full_name", "org_unit"])

    profile.job_title = typed["job_title"]
    profile.location = location.strip()
    profile.bio = bio.strip()
    profile.time_zone = time_zone
    profile.in_directory = in_directory
    profile.full_clean()
    profile.save()
    profile.expertise.set([tag_named(name) for name in names.values()])
    return profile


# --- Org units and people from the company directory (SCIM, CSV import, single sign-on) ---------------------

ORG_UNIT_SEPARATOR = "/"
# The kind of a unit created from a path, by its depth: "Operations / Maintenance / Line 2".
KINDS_BY_DEPTH = (OrgUnit.Kind.DIVISION, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.TEAM)
UNCHANGED = object()  # a field a directory did not send: left as it is


def org_unit_path(value: str) -> list[str]:
    """ "Operations / Maintenance / Line 2" as the names of its units, the outermost first."""
    return [part.strip() for part in value.split(ORG_UNIT_SEPARATOR) if part.strip()]


def org_unit_ensure(*, path: list[str]) -> OrgUnit | None:
    """The unit at `path` (names, outermost first; empty: none), created with the units above it where missing.

    Names match whatever their case. Safe when two imports create the same unit at once: the database's
    constraint lets one insert win, and the other reads that row.
    """
    max_length = OrgUnit._meta.get_field("name").max_length
    if any(len(name) > max_length for name in path):
        raise ValidationError({"org_unit": f"Keep each org unit's name under {max_length} characters."})
    parent = None
    for depth, name in enumerate(path):
        parent = _org_unit_named(name, parent, KINDS_BY_DEPTH[min(depth, len(KINDS_BY_DEPTH) - 1)])
    return parent


@transaction.atomic
def org_unit_rename(*, unit: OrgUnit, name: str) -> OrgUnit:
    """Give `unit` a new name where it stands (its people and the units under it stay with it), as when a company
    directory renames a group. Refused (ValidationError on `org_unit`) when another unit beside it has that name
    whatever its case; the same name again changes nothing."""
    name = name.strip()
    max_length = OrgUnit._meta.get_field("name").max_length
    if not name or len(name) > max_length:
        raise ValidationError({"org_unit": f"Give the org unit a name under {max_length} characters."})
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.name == name:
        return unit
    beside = OrgUnit.objects.filter(parent_id=unit.parent_id, name__iexact=name).exclude(pk=unit.pk)
    if beside.exists():
        raise ValidationError({"org_unit": f"Another org unit beside {unit.name} is called {name}."})
    unit.name = name
    unit.save(update_fields=["name"])
    return unit


def _org_unit_named(name: str, parent: OrgUnit | None, kind: str) -> OrgUnit:
    found = OrgUnit.objects.filter(parent=parent, name__iexact=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return OrgUnit.objects.create(name=name, parent=parent, kind=kind)
    except IntegrityError:  # created meanwhile by another import: theirs
        return OrgUnit.objects.get(parent=parent, name__iexact=name)


def _directory_values(email, full_name, job_title) -> dict:
    """The directory's plain values, checked: ValidationError keyed by field, nothing changed."""
    values = {}
    if email is not UNCHANGED:
        email = (email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": f"“{email}” is not an email address."}) from None
        values["email"] = email
    if full_name is not UNCHANGED:
        full_name = (full_name or "").strip()
        if len(full_name) > User._meta.get_field("full_name").max_length:
            raise ValidationError({"full_name": "Keep the name under 150 characters."})
        values["full_name"] = full_name
    if job_title is not UNCHANGED:
        job_title = (job_title or "").strip()
        if len(job_title) > Profile._meta.get_field("job_title").max_length:
            raise ValidationError({"job_title": "Keep the job title under 120 characters."})
        values["job_title"] = job_title
    return values


@transaction.atomic
def person_from_directory(
    *,
    directory: str,
    user: User | None = None,
    email=UNCHANGED,
    full_name=UNCHANGED,
    job_title=UNCHANGED,
    org_unit=UNCHANGED,
    reports_to=UNCHANGED,
) -> tuple[User, list[str]]:
    """Create or update a person as the company directory `directory` says (a SCIM connection's or an import's
    name): their email, name, job title, org unit and manager, which from then on change there only
    (`rules.kept_by_directory`). A field left `UNCHANGED` is not touched.

    `user` is the person the directory already knows; without it, the person is found by their email (someone
    who signed up by hand is taken over, not doubled) or created without a password (they sign in through single
    sign-on, or set one with "forgot password"). Safe when two syncs create the same person at once (the email is
    unique: one insert wins, the other updates that row). Sign-in and memberships are not changed here: the
    deactivation and reactivation services do that.

    Returns the person and the names of the fields that changed ("created" first for a new person); the same
    values again change nothing. Raises ValidationError keyed by field, and then nothing changed.
    """
    values = _directory_values(email, full_name, job_title)
    if org_unit is not UNCHANGED:
        values["org_unit"] = org_unit
    if reports_to is not UNCHANGED:
        values["reports_to"] = reports_to
    created = False
    if user is None:
        if "email" not in values:
            raise ValidationError({"email": "A new person needs an email address."})
        user = User.objects.filter(email__iexact=values["email"]).first()
        if user is None:
            user, created = _create_person(values)
    person = User.objects.select_for_update().get(pk=user.pk)
    if values.get("reports_to") is not None and values["reports_to"].pk == person.pk:
        raise ValidationError({"reports_to": "A person cannot report to themselves."})
    taken = User.objects.filter(email__iexact=values.get("email", "")).exclude(pk=person.pk)
    if "email" in values and values["email"] != person.email and taken.exists():
        raise ValidationError({"email": f"{values['email']} is already someone else's address."})
    user_fields = [
        name
        for name in ("email", "full_name", "org_unit", "reports_to")
        if name in values and getattr(person, name) != values[name]
    ]
    if not person.full_name and not values.get("full_name"):
        values["full_name"] = person.email.split("@")[0]
        user_fields.append("full_name")
    if person.directory != directory:
        values["directory"] = directory
        user_fields.append("directory")
    for name in user_fields:
        setattr(person, name, values[name])
    if user_fields:
        person.save(update_fields=user_fields)
    changed = list(user_fields)
    profile = profile_ensure(user=person)
    if "job_title" in values and profile.job_title != values["job_title"]:
        profile.job_title = values["job_title"]
        profile.save(update_fields=["job_title"])
        changed.append("job_title")
    if "email" in user_fields or created:
        _email_address_follows(person)
    return person, ["created"] if created else changed


def _create_person(values: dict) -> tuple[User, bool]:
    """A new person with the directory's values (no usable password), or the one another sync just made."""
    try:
        with transaction.atomic():
            person = User.objects.create_user(
                email=values["email"], full_name=values.get("full_name") or values["email"].split("@")[0]
            )
    except IntegrityError:
        return User.objects.get(email__iexact=values["email"]), False
    return person, True


def _email_address_follows(person: User) -> None:
    """Sign-in's verified address (allauth's) follows the directory's: the old one is replaced."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=person).exclude(email__iexact=person.email).delete()
    EmailAddress.objects.update_or_create(
        user=person, email=person.email, defaults={"verified": True, "primary": True}
    )
