"""Forms of the repertoire: a resource (with files), “I applied this”, restoring a version, the library's filters,
collections, and moving a resource in one.

The forms shape what was typed and check each file's type and size next to its field; the services judge the
rest, and the views put their refusal next to the field it is about, keeping what was typed.
"""

from django import forms
from django.core.exceptions import ValidationError

from communities.forms import users_from_addresses
from repertoire.files import ACCEPT_ATTRIBUTE, ALLOWED_LABEL, FileRefused, check_upload, max_upload_bytes
from repertoire.models import Resource, ResourceFile
from repertoire.selectors import SORTS
from repertoire.services import MAX_STORY, MAX_TAGS

EMPTY_TITLE = "Give the resource a title: what is it, in a few words?"
BODY_HELP = "Markdown: **bold**, _italic_, [a link](https://example.org), lists, headings, `code`."


def split_tags(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by extension, content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned, problems = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            try:
                check_upload(upload)
            except FileRefused as refused:
                problems.append(refused.message)
            else:
                cleaned.append(upload)
        if problems:
            raise ValidationError(problems)
        return cleaned


class ResourceForm(forms.Form):
    """Add or edit a resource. On edit, a change note and the files to remove appear."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": EMPTY_TITLE},
        help_text="What it is, e.g. “Checklist for a blameless incident review”.",
    )
    kind = forms.ChoiceField(label="Kind", choices=Resource.Kind.choices, initial=Resource.Kind.PRACTICE)
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        required=False,
        help_text="One or two sentences shown in the library's lists.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 12, "class": "resource-body-input"}),
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=800,
        help_text=f"Comma-separated, at most {MAX_TAGS}, e.g. “incident reviews, on-call”.",
    )
    external_url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A page elsewhere this resource points to (optional).",
    )
    files = MultipleFileField(label="Attach files")
    co_authors = forms.CharField(
        label="Co-authors",
        required=False,
        help_text="Email addresses of members who wrote it with you, comma-separated (optional).",
        widget=forms.TextInput(attrs={"list": "people-suggestions", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[(Resource.Status.PUBLISHED, "Publish now"), (Resource.Status.DRAFT, "Keep as a draft")],
        initial=Resource.Status.PUBLISHED,
        widget=forms.RadioSelect,
        help_text="A draft is seen only by its authors and the community's coordinators.",
    )
    note = forms.CharField(
        label="What changed?",
        required=False,
        max_length=300,
        help_text="A short change note kept with this version in the history, e.g. “Added the rollback step”.",
    )
    remove_files = forms.ModelMultipleChoiceField(
        label="Remove files",
        queryset=ResourceFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, resource: Resource | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "files"
        ].help_text = (
            f"{ALLOWED_LABEL}; up to {max_upload_bytes() // (1024 * 1024)} MB each. You can choose several."
        )
        self.resource = resource
        if resource is None:
            del self.fields["note"]
            del self.fields["remove_files"]
            return
        self.fields["remove_files"].queryset = resource.files.all()
        if resource.is_draft:
            del self.fields["note"]
        else:
            self.fields["status"].choices = [
                (Resource.Status.PUBLISHED, "Published"),
                (Resource.Status.ARCHIVED, "Archived: kept for reference, no longer applied"),
            ]
            self.fields["status"].help_text = ""
        if not resource.files.exists():
            del self.fields["remove_files"]

    @staticmethod
    def initial_for(resource: Resource) -> dict:
        return {
            "title": resource.title,
            "kind": resource.kind,
            "summary": resource.summary,
            "body": resource.body,
            "tags": ", ".join(tag.name for tag in resource.tags.all()),
            "external_url": resource.external_url,
            "status": resource.status,
            "co_authors": ", ".join(
                a.email for a in resource.authors.all() if a.pk != resource.created_by_id
            ),
        }

    def clean_tags(self) -> list[str]:
        tags = split_tags(self.cleaned_data["tags"])
        if any(len(tag) > 60 for tag in tags):
            raise ValidationError("Keep each tag under 60 characters.")
        if len(tags) > MAX_TAGS:
            raise ValidationError(f"Choose at most {MAX_TAGS} tags.")
        return tags

    def clean_co_authors(self):
        value = self.cleaned_data["co_authors"]
        return users_from_addresses(value) if value.strip() else []

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "kind": data["kind"],
            "summary": data["summary"],
            "body": data["body"],
            "tags": data["tags"],
            "external_url": data["external_url"],
            "status": data["status"],
            "co_authors": data["co_authors"],
            "uploads": data["files"],
        }
        if self.resource is not None:
            fields["note"] = data.get("note", "")
            fields["remove_files"] = list(data.get("remove_files") or [])
        return fields


class ApplyForm(forms.Form):
    story = forms.CharField(
        label="How did you use it, and what came of it?",
        max_length=MAX_STORY,
        error_messages={"required": "Tell in a few words how you used it and what came of it."},
        help_text="A few sentences: where you used it, what changed. Sponsors may quote these stories.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RestoreForm(forms.Form):
    """Which version to bring back: one of this resource's own versions."""

    revision = forms.ModelChoiceField(
        queryset=None,
        error_messages={
            "invalid_choice": "That version is not one of this resource's: it cannot be restored."
        },
    )
    note = forms.CharField(label="Why restore it?", required=False, max_length=300)

    def __init__(self, *args, resource: Resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = resource.revisions.all()


class RecommendForm(forms.Form):
    recommended = forms.BooleanField(required=False)


class LibraryFilterForm(forms.Form):
    """The library's search and filters (GET); what is malformed is ignored."""

    q = forms.CharField(label="Search the library", required=False, max_length=200)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *Resource.Kind.choices])
    tag = forms.SlugField(label="Tag", required=False, max_length=60)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("published", "Published"),
            ("archived", "Archived"),
            ("draft", "Drafts"),
            ("all", "Everything"),
        ],
    )
    community = forms.SlugField(label="Community", required=False, max_length=80)
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[("", "Best match"), *[(s, s) for s in SORTS]],
    )


class CollectionForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=120,
        error_messages={"required": "Give the collection a title, e.g. “Start here”."},
    )
    description = forms.CharField(
        label="Description",
        max_length=300,
        required=False,
        help_text="Who it is for, e.g. “Read these first when you join”.",
    )


class AddToCollectionForm(forms.Form):
    """Which of the community's collections to add a resource to (one of another community is a 404)."""

    collection = forms.IntegerField(
        error_messages={
            "required": "Choose a collection to add it to.",
            "invalid": "Choose a collection to add it to.",
        }
    )


class CollectionItemForm(forms.Form):
    """Add a resource to a collection, take it out, or move it up or down."""

    resource = forms.ModelChoiceField(
        label="Resource",
        queryset=None,
        error_messages={
            "invalid_choice": "Choose a published resource of this community.",
            "required": "Choose a resource.",
        },
    )
    direction = forms.ChoiceField(required=False, choices=[("up", "up"), ("down", "down")])

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(community=community)
