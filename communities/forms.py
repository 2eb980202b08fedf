"""Forms for communities: proposing and editing a community, joining, deciding, inviting, managing members."""

from django import forms
from django.core.exceptions import ValidationError

from communities.models import Community, Level, Membership, Stage
from communities.services import SETTINGS
from core.numbers import LARGEST
from members.models import OrgUnit, User

LEVEL_HELP = (
    "How involved you want to be: core group members lead; active members take part regularly; occasional "
    "members now and then; peripheral members follow along; transactional members drop by for something specific."
)


def split_addresses(value: str) -> list[str]:
    raw = value.replace("\n", ",").replace(";", ",")
    return list(dict.fromkeys(a.strip().lower() for a in raw.split(",") if a.strip()))


def check_addresses(addresses: list[str], *, limit: int = 50) -> None:
    validator = forms.EmailField()
    bad = []
    for address in addresses:
        try:
            validator.clean(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(f"Not an email address: {', '.join(bad)}")
    if len(addresses) > limit:
        raise ValidationError(f"At most {limit} addresses at once.")


def users_from_addresses(value: str) -> list[User]:
    """Active users for a comma-separated list of addresses; unknown addresses are named in the error."""
    addresses = split_addresses(value)
    check_addresses(addresses)
    users = {u.email.lower(): u for u in User.objects.filter(email__in=addresses, is_active=True)}
    unknown = [a for a in addresses if a not in users]
    if unknown:
        raise ValidationError(f"Nobody at CoPsite has this address: {', '.join(unknown)}")
    return [users[a] for a in addresses]


class PersonField(forms.EmailField):
    """One colleague, typed as their email address (with suggestions), cleaned to the active user."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.EmailInput(attrs={"list": "people-suggestions", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        address = super().clean(value)
        user = User.objects.filter(email__iexact=address, is_active=True).first()
        if user is None:
            raise ValidationError(f"Nobody at CoPsite has the address {address}.")
        return user


def split_topics(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class TopicsField(forms.CharField):
    """Topics typed as a comma-separated list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, e.g. “release engineering, incident reviews”.")
        kwargs.setdefault("max_length", 600)
        super().__init__(**kwargs)

    def clean(self, value):
        topics = split_topics(super().clean(value) or "")
        if any(len(topic) > 60 for topic in topics):
            raise ValidationError("Keep each topic under 60 characters.")
        if len(topics) > 12:
            raise ValidationError("Choose at most 12 topics.")
        return topics


class CommunityForm(forms.ModelForm):
    """What coordinators edit about their community."""

    topics_text = TopicsField(label="Topics")

    class Meta:
        model = Community
        fields = list(SETTINGS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "charter_purpose": forms.Textarea(attrs={"rows": 3}),
            "charter_scope": forms.Textarea(attrs={"rows": 3}),
            "charter_norms": forms.Textarea(attrs={"rows": 3}),
            "expected_value": forms.Textarea(attrs={"rows": 3}),
            "join_policy": forms.RadioSelect,
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "topics_text" not in self.initial:
            self.initial["topics_text"] = ", ".join(t.name for t in self.instance.topics.all())

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip()
        if not domain:
            raise ValidationError("Say in one sentence what members commit to.")
        return domain

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Community.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(f"A community called “{name}” already exists. Choose another name.")
        return name

    def service_fields(self) -> dict:
        data = {field: self.cleaned_data[field] for field in self.Meta.fields}
        data["topics"] = self.cleaned_data["topics_text"]
        return data


class ProposeForm(CommunityForm):
    """Anyone proposes a community; it starts in stage "potential" with the proposer as coordinator."""

    core_group = forms.CharField(
        required=False,
        label="Initial core group",
        help_text="Email addresses of colleagues who will launch it with you, separated by commas; each is invited "
        "into the core group.",
        widget=forms.TextInput(attrs={"list": "people-suggestions", "autocomplete": "off"}),
    )

    class Meta(CommunityForm.Meta):
        fields = [f for f in CommunityForm.Meta.fields if f != "stage"]

    def clean_core_group(self) -> list[User]:
        return users_from_addresses(self.cleaned_data["core_group"])

    def service_fields(self) -> dict:
        data = super().service_fields()
        data["core_group"] = self.cleaned_data["core_group"]
        return data


class JoinForm(forms.Form):
    """Join an open community, choosing how involved one wants to be."""

    level = forms.ChoiceField(
        label="How involved do you want to be?",
        choices=[c for c in Level.choices if c[0] != Level.CORE],
        initial=Level.PERIPHERAL,
        help_text=LEVEL_HELP,
    )


class RequestForm(JoinForm):
    """Ask to join a community on approval."""

    message = forms.CharField(
        label="Message to the coordinators",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what draws you to this community, what you could bring.",
    )


class LevelForm(forms.Form):
    level = forms.ChoiceField(label="Commitment level", choices=Level.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label="Reason (sent to the requester)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            raise ValidationError("Give the requester a reason when you decline.")
        return data


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the member)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    """Invite colleagues by email address: existing accounts get an invitation, anyone else a sign-up link."""

    emails = forms.CharField(
        label="Email addresses",
        widget=forms.TextInput(attrs={"list": "people-suggestions", "autocomplete": "off"}),
        help_text="One or more addresses, separated by commas. Colleagues without an account get a sign-up link.",
    )
    level = forms.ChoiceField(label="Invite at level", choices=Level.choices, initial=Level.PERIPHERAL)
    message = forms.CharField(
        label="Message", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_emails(self) -> list[str]:
        addresses = split_addresses(self.cleaned_data["emails"])
        if not addresses:
            raise ValidationError("Type at least one email address.")
        check_addresses(addresses)
        return addresses


class MemberFilterForm(forms.Form):
    """Filters of the member table (GET). Its ids start with `filter-`: the invitation form on the same page has a
    `level` field too, and ids are unique on a page."""

    q = forms.CharField(
        label="Name or email",
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"class": "form-control form-control-sm"}),
    )
    level = forms.ChoiceField(
        label="Level",
        required=False,
        choices=[("", "Any level"), *Level.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Any role"), *Membership.Role.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    unit = forms.ModelChoiceField(
        label="Org unit",
        required=False,
        queryset=OrgUnit.objects.order_by("name"),
        empty_label="Any unit",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("name", "Name"), ("level", "Level"), ("joined", "Newest"), ("unit", "Org unit")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)


class BrowseForm(forms.Form):
    """Search and filters of the browse page (GET)."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    topic = forms.SlugField(label="Topic", required=False)
    unit = forms.IntegerField(label="Org unit", required=False, min_value=1, max_value=LARGEST)
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any stage"), *Stage.choices])
    policy = forms.ChoiceField(
        label="Join policy", required=False, choices=[("", "Any policy"), *Community.JoinPolicy.choices]
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("name", "Name"), ("active", "Most active"), ("largest", "Largest"), ("newest", "Newest")],
    )


class SponsorForm(forms.Form):
    sponsor = PersonField(label="Sponsor's email address", help_text="A leader; they need not be a member.")
    since = forms.DateField(label="Since", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    provides = forms.CharField(
        label="What the organization provides",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. time for the core group, a budget for events.",
    )
    expects = forms.CharField(
        label="What the organization expects",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. a shared playbook for releases within a year.",
    )


class AppointForm(forms.Form):
    user = PersonField(label="New coordinator's email address")
