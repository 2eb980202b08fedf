"""The community calendar: activities (one-off or recurring), their occurrences, RSVPs, attendance, feeds."""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from communities.models import Community


class Activity(models.Model):
    """Something a community does together: a meeting, a workshop, a clinic. One-off, or a recurring series.

    Times are entered in the organizer's time zone (`time_zone`) and a series is expanded there, so a 10:00
    meeting stays at 10:00 local time across daylight-saving changes. Each occurrence is a row of its own.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        WORKSHOP = "workshop", "Workshop"
        TALK = "talk", "Talk"
        WEBINAR = "webinar", "Webinar"
        BROWN_BAG = "brown_bag", "Brown-bag lunch"
        SITE_VISIT = "site_visit", "Site visit"
        CLINIC = "clinic", "Problem-solving clinic"
        OTHER = "other", "Other"

    class Repeat(models.TextChoices):
        NONE = "none", "Does not repeat"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every other week"
        MONTHLY = "monthly", "Every month on the same weekday (e.g. 2nd Tuesday)"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activities")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MEETING)
    description = models.TextField(blank=True, help_text="Markdown: the agenda, what to prepare.")
    time_zone = models.CharField(
        max_length=64, help_text="The organizer's time zone; times are entered in it."
    )
    place = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Leave empty for no limit.")
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="hosted_activities")
    repeat = models.CharField(max_length=12, choices=Repeat.choices, default=Repeat.NONE)
    repeat_count = models.PositiveSmallIntegerField(null=True, blank=True)
    repeat_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL trigger: title > description

    class Meta:
        ordering = ["community", "title"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return self.repeat != self.Repeat.NONE


class Occurrence(models.Model):
    """One date of an activity. A moved occurrence keeps its `original_start` (iCalendar RECURRENCE-ID)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="occurrences")
    sequence = models.PositiveSmallIntegerField(help_text="1 for the first date of the series.")
    original_start = models.DateTimeField()
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True, help_text="Written after it happened (markdown).")
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "original_start"], name="occurrence_unique_in_series"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["community", "start"], name="occurrence_by_community")]

    def __str__(self) -> str:
        return f"{self.activity} on {self.start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("activities:occurrence", args=[self.community.slug, self.pk])

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start


class Rsvp(models.Model):
    """A member's answer for one occurrence. When the activity is full, "going" joins the waitlist."""

    class Answer(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        NOT_GOING = "not_going", "Not going"

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    waitlisted = models.BooleanField(default=False)
    answered_at = models.DateTimeField(help_text="When the current answer was given: the waitlist's order.")
    attended = models.BooleanField(null=True, blank=True, help_text="Recorded by a coordinator afterwards.")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurrence", "answered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["occurrence", "user"], name="rsvp_one_per_person")]
        indexes = [models.Index(fields=["user", "answer"], name="rsvp_by_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.answer}{' (waitlist)' if self.waitlisted else ''} for {self.occurrence}"


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a member's calendar-feed URLs (calendar apps cannot log in). Resetting makes a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar token of {self.user}"


class Post(models.Model):
    """What discussions and replies share: an author, a markdown body, edits, the author's deletion, and hiding
    by a coordinator (with who and why; the author sees why)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
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
        return reverse("activities:discussion", args=[self.community.slug, self.pk])

    @property
    def is_answered(self) -> bool:
        return self.first_answer_at is not None

    @property
    def is_solved(self) -> bool:
        return self.accepted_reply_id is not None


class Reply(Post):
    """An answer in a discussion."""

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="replies")

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
