"""Forms for members: sign-up extras, the directory filters, one's profile and notification settings."""

import zoneinfo
from collections.abc import Iterable
from functools import cache
from importlib import resources

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count

from members.models import OrgUnit, Profile
from members.notifications import MAIL_KINDS, Frequency


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth adds email and password and calls signup()."""

    full_name = forms.CharField(
        label="Full name", max_length=150, help_text="As colleagues know you, e.g. “Ada Lovelace”."
    )

    field_order = ["full_name"]

    def signup(self, request, user) -> None:
        """allauth hook: the adapter has already stored the name; nothing more to save here."""


@cache
def canonical_time_zones() -> tuple[str, ...]:
    """The IANA time zones of places people live in (tzdata's zone.tab, a zone per country and region:
    "Europe/Amsterdam", "Africa/Accra"; not "Factory", "localtime" or "US/Pacific"), and UTC."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    return tuple(sorted((names & zoneinfo.available_timezones()) | {"UTC"}))


USED_ZONES_SHOWN = 12


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones the organization's members use first (most used first, one query), then every canonical zone,
    readable ("America/New York")."""
    used = (
        Profile.objects.values_list("time_zone", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n", "time_zone")[:USED_ZONES_SHOWN]
    )
    known = zoneinfo.available_timezones()

    def option(name: str) -> tuple[str, str]:
        return name, name.replace("_", " ")

    return [
        ("Where our members are", [option(name) for name in used if name in known]),
        ("All time zones", [option(name) for name in canonical_time_zones()]),
    ]


def split_expertise(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class DirectoryForm(forms.Form):
    """Search and filters of the directory (GET). The community choice is rendered by communities' tag."""

    q = forms.CharField(label="Name, job title or expertise", required=False)
    unit = forms.TypedChoiceField(label="Org unit", required=False, coerce=int, empty_value=None)
    community = forms.SlugField(label="Community", required=False, max_length=80)

    def __init__(self, *args, org_units: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "Any org unit"), *org_units]


class ProfileForm(forms.Form):
    """What a member tells colleagues about themselves."""

    full_name = forms.CharField(label="Full name", max_length=150, help_text="As colleagues know you.")
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    org_unit = forms.TypedChoiceField(
        label="Org unit", required=False, coerce=int, empty_value=None, help_text="Where you work."
    )
    location = forms.CharField(
        label="Location", max_length=120, required=False, help_text="City or site, e.g. “Berlin”."
    )
    bio = forms.CharField(
        label="About you",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you work on and what colleagues could ask you about.",
    )
    expertise = forms.CharField(
        label="Expertise",
        required=False,
        max_length=1000,
        help_text="Comma-separated, e.g. “Kaizen, root cause analysis, PostgreSQL”. Colleagues find you by these.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone", choices=time_zone_choices, help_text="Dates and times are shown in it."
    )
    in_directory = forms.BooleanField(
        label="Show me in the member directory",
        required=False,
        help_text="Off: only you and staff see your profile, and you are not suggested when colleagues type "
        "addresses.",
    )

    def __init__(
        self,
        *args,
        org_units: list[tuple[int, str]],
        kept: frozenset[str] = frozenset(),
        directory: str = "",
        **kwargs,
    ):
        """`kept`: the fields the company directory `directory` keeps (`rules.kept_by_directory`), shown
        read-only with where to change them."""
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", "No org unit"), *org_units]
        for name in kept & self.fields.keys():
            self.fields[name].disabled = True
            self.fields[name].help_text = f"Kept by {directory}: change it there."

    def clean_org_unit(self) -> OrgUnit | None:
        unit_id = self.cleaned_data["org_unit"]
        return OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None

    def clean_expertise(self) -> list[str]:
        names = split_expertise(self.cleaned_data["expertise"])
        if any(len(name) > 60 for name in names):
            raise ValidationError("Keep each area of expertise under 60 characters.")
        if len(names) > 20:
            raise ValidationError("List at most 20 areas of expertise.")
        return names

    @classmethod
    def initial_for(cls, user) -> dict:
        profile = user.profile
        return {
            "full_name": user.full_name,
            "job_title": profile.job_title,
            "org_unit": user.org_unit_id,
            "location": profile.location,
            "bio": profile.bio,
            "expertise": ", ".join(tag.name for tag in profile.expertise.all()),
            "time_zone": profile.time_zone,
            "in_directory": profile.in_directory,
        }


class NotificationsForm(forms.Form):
    """One radio group per kind of mail that concerns the person (`kinds`, registered keys; all when None),
    offering the frequencies that make sense for it. Kinds left out keep what was stored for them."""

    def __init__(self, *args, kinds: Iterable[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        shown = MAIL_KINDS.keys() if kinds is None else set(kinds)
        for key, kind in MAIL_KINDS.items():
            if key not in shown:
                continue
            self.fields[key] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.help_text,
                choices=[(value, Frequency(value).label) for value in kind.allowed],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how often you want “{kind.label}”.",
                    "invalid_choice": f"“%(value)s” is not a choice for “{kind.label}”.",
                },
            )
