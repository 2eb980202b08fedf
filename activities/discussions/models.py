"""Discussions: threads and replies (posts), accepted answers, follows, mentions and reports."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from communities.models import Community
from core.links import link


def shown_q(prefix: str = "") -> Q:
    """A post everyone who reads the thread sees: neither hidden by a coordinator nor deleted by its author.
    `prefix` reaches it through a relation (e.g. `"discussion__"`, `"accepted_reply__"`)."""
    return Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}deleted_at__isnull": True})


class PostQuerySet(models.QuerySet):
    """The one spelling of each filter on posts."""

    def shown(self) -> "PostQuerySet":
        """Neither hidden nor deleted (`shown_q`)."""
        return self.filter(shown_q())

    def not_hidden(self) -> "PostQuerySet":
        """Not hidden by a coordinator (a deleted one keeps its place as a placeholder)."""
        return self.filter(hidden_at__isnull=True)


class ReplyQuerySet(PostQuerySet):
    def in_discussions_not_hidden(self) -> "ReplyQuerySet":
        """Replies whose discussion no coordinator hid (a discussion its author deleted keeps its thread)."""
        return self.filter(discussion__hidden_at__isnull=True)


# A post's long texts, which lists of posts (a home page, a community's latest) never show: `.defer()` them there.
POST_TEXTS = ("body", "body_html")


class Post(models.Model):
    """What discussions and replies share: an author, a markdown body, edits, the author's deletion, and hiding
    by a coordinator (with who and why; the author sees why)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The body as sanitized HTML with mentions linked, rendered when written (core.markup).",
    )
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Deleted by its author: a placeholder stays."
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL trigger: title > body

    objects = PostQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Discussion(Post):
    """A question or a story a member shares with their community; replies follow it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="discussions")
    title = models.CharField(max_length=200)
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    last_activity_at = models.DateTimeField(
        db_index=True, help_text="The discussion or its latest visible reply."
    )
    reply_count = models.PositiveIntegerField(
        default=0, help_text="Visible replies (not deleted, not hidden)."
    )
    first_answer_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The first visible reply by someone other than the author: “answered”.",
    )
    accepted_reply = models.OneToOneField(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )
    solved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current accepted answer was accepted: “solved”."
    )

    class Meta:
        ordering = ["-pinned", "-last_activity_at", "-pk"]
        indexes = [models.Index(fields=["community", "last_activity_at"], name="discussion_by_activity")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return link("activities:discussion", self.community.slug, self.pk)

    @property
    def is_answered(self) -> bool:
        return self.first_answer_at is not None

    @property
    def is_solved(self) -> bool:
        return self.accepted_reply_id is not None


class Reply(Post):
    """An answer in a discussion."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="replies")

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"
        indexes = [models.Index(fields=["discussion", "created_at"], name="reply_by_discussion")]

    def __str__(self) -> str:
        return f"Reply to {self.discussion}"

    def get_absolute_url(self) -> str:
        return f"{self.discussion.get_absolute_url()}#reply-{self.pk}"


class Follow(models.Model):
    """A member follows a discussion and is mailed on new replies (as their preferences say)."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["discussion", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.discussion}"


class Mention(models.Model):
    """Someone @mentioned in a post, recorded so an edit does not notify them twice."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="mentions")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "user"],
                condition=Q(reply__isnull=True),
                name="mention_once_in_discussion",
            ),
            models.UniqueConstraint(
                fields=["reply", "user"], condition=Q(reply__isnull=False), name="mention_once_in_reply"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} mentioned in {self.discussion}"


class Report(models.Model):
    """A member reports a post to the community's coordinators, with a reason."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["discussion", "resolved_at"], name="report_open")]

    def __str__(self) -> str:
        return f"Report on {self.reply or self.discussion}"

    @property
    def post(self):
        return self.reply or self.discussion
