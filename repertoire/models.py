"""A community's shared repertoire: resources with their files, revisions and applied stories, and collections."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q

from activities.models import Discussion, Occurrence
from communities.models import Community, Membership
from core.links import link
from members.models import Tag


class ResourceQuerySet(models.QuerySet):
    """The one spelling of each filter on resources, and of who sees which (docs/who-sees-what.md)."""

    def published(self) -> "ResourceQuerySet":
        return self.filter(status=Resource.Status.PUBLISHED)

    def in_current(self) -> "ResourceQuerySet":
        """In communities that are not archived."""
        return self.filter(community__archived_at__isnull=True)

    def visible_to(self, viewer) -> "ResourceQuerySet":
        """Who sees which resource anywhere: those of the communities whose content `viewer` may see
        (`Community.objects.visible_to`), but others' drafts (`not_others_drafts`)."""
        return self.filter(community__in=Community.objects.visible_to(viewer).values("pk")).not_others_drafts(
            viewer
        )

    def not_others_drafts(self, viewer, *, coordinator: bool | None = None) -> "ResourceQuerySet":
        """All but the drafts `viewer` may not see: a draft is seen by its authors and its community's
        coordinators only. `coordinator`: whether the viewer coordinates the community, when the caller knows it
        (one community's library), else asked of each resource's community."""
        if coordinator:
            return self.all()
        seen = Q(authored_by(viewer))
        if coordinator is None:
            seen |= Q(
                Exists(Membership.objects.coordinators().filter(community=OuterRef("community"), user=viewer))
            )
        return self.filter(~Q(status=Resource.Status.DRAFT) | seen)

    def with_viewer_is_author(self, viewer) -> "ResourceQuerySet":
        """Each with `viewer_is_author`, which `repertoire.rules.may_edit` reads."""
        return self.annotate(viewer_is_author=authored_by(viewer))


def authored_by(viewer) -> Exists:
    """Whether `viewer` is one of the resource's authors, as a condition on resources."""
    return Exists(Resource.authors.through.objects.filter(resource=OuterRef("pk"), user=viewer))


class Resource(models.Model):
    """Something a community knows and shares: a practice, a lesson, a story, a tool, a document, a link."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice or how-to"
        LESSON = "lesson", "Lesson learned"
        STORY = "story", "Story"
        TOOL = "tool", "Tool"
        TEMPLATE = "template", "Template"
        CASE_STUDY = "case_study", "Case study"
        DOCUMENT = "document", "Document"
        LINK = "link", "Link"
        FAQ = "faq", "FAQ"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PRACTICE)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True, help_text="One or two sentences shown in lists.")
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The body as sanitized HTML, rendered when written (core.markup).",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="authored_resources")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    external_url = models.URLField("link", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    applied_count = models.PositiveIntegerField(default=0, help_text="How many members applied it.")
    search_vector = SearchVectorField(null=True, editable=False)  # triggers: title > summary, tags > body
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_discussion = models.ForeignKey(
        Discussion, null=True, blank=True, on_delete=models.SET_NULL, related_name="harvested_resources"
    )
    source_occurrence = models.ForeignKey(
        Occurrence, null=True, blank=True, on_delete=models.SET_NULL, related_name="harvested_resources"
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "status", "created_at"], name="resource_by_community"),
            models.Index(fields=["community", "status", "applied_count"], name="resource_most_applied"),
            # What was published in a period (digests, reports), without reading every resource.
            models.Index(
                fields=["published_at"], condition=models.Q(status="published"), name="resource_published"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("repertoire:resource", self.community.slug, self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_recommended(self) -> bool:
        return self.recommended_at is not None


def _stored_name(instance: "ResourceFile", filename: str) -> str:
    """A random stored name (the person's file name is kept in `name`, never trusted as a path)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"repertoire/{instance.resource.community_id}/{uuid.uuid4().hex}{suffix}"


class ResourceFile(models.Model):
    """A file attached to a resource: stored through Django's storage API, downloaded only through a view that
    checks the reader may see the resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_stored_name, max_length=200)
    name = models.CharField(max_length=200, help_text="The file name shown and offered on download.")
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["resource", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("repertoire:download", self.resource.community.slug, self.resource_id, self.pk)


class Revision(models.Model):
    """One version of a published resource, numbered from 1; the newest is the current text. Editing a
    published resource adds one, and so does restoring an older one."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Resource.Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    external_url = models.CharField(max_length=500, blank=True)
    tags = models.CharField(max_length=800, blank=True, help_text="The tag names, comma-separated.")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    note = models.CharField("change note", max_length=300, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True, help_text="The version it restored.")

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"


class Application(models.Model):
    """“I applied this”: a member used a resource in their work, and tells how and what came of it."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_applications"
    )
    story = models.TextField(help_text="How you used it, and what came of it.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="application_once_per_member"),
        ]
        indexes = [models.Index(fields=["resource", "created_at"], name="application_by_resource")]

    def __str__(self) -> str:
        return f"{self.user} applied {self.resource}"


class Collection(models.Model):
    """A list of resources a coordinator curates, in their order, e.g. “Start here”."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="collections")
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["community", "title"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="collection_title_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("repertoire:collection", self.community.slug, self.pk)


class CollectionItem(models.Model):
    """A resource's place in a collection."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["collection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "resource"], name="collection_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} in {self.collection}"
