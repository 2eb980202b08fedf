"""The community calendar: activities (one-off or recurring), their occurrences, RSVPs, attendance, feeds."""

import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from communities.models import Community
from core.links import link


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
    description_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The description as sanitized HTML, rendered when written (core.markup).",
    )
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


class OccurrenceQuerySet(models.QuerySet):
    """The one spelling of each filter on dates."""

    def between(self, start: datetime, end: datetime) -> "OccurrenceQuerySet":
        """Dates that overlap the span from `start` to `end` (a month of a calendar)."""
        return self.filter(start__lt=end, end__gt=start)

    def upcoming(self) -> "OccurrenceQuerySet":
        """Dates still to come or under way: not cancelled, not over."""
        return self.filter(cancelled=False, end__gt=timezone.now())


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
    notes_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The notes as sanitized HTML, rendered when written (core.markup).",
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

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
        indexes = [
            models.Index(fields=["community", "start"], name="occurrence_by_community"),
            # A community's dates not over yet (`upcoming`: end after now), without reading its past.
            models.Index(fields=["community", "end"], name="occurrence_by_community_end"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} on {self.start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return link("activities:occurrence", self.community.slug, self.pk)

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start


class RsvpQuerySet(models.QuerySet):
    """The one spelling of each filter on answers."""

    def seated(self) -> "RsvpQuerySet":
        """Going, with a seat (not on the waitlist)."""
        return self.filter(answer=Rsvp.Answer.GOING, waitlisted=False)

    def waitlisted(self) -> "RsvpQuerySet":
        """Going, waiting for a seat."""
        return self.filter(answer=Rsvp.Answer.GOING, waitlisted=True)


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

    objects = RsvpQuerySet.as_manager()

    class Meta:
        ordering = ["occurrence", "answered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["occurrence", "user"], name="rsvp_one_per_person")]
        indexes = [models.Index(fields=["user", "answer"], name="rsvp_by_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.answer}{' (waitlist)' if self.waitlisted else ''} for {self.occurrence}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a member's calendar-feed URLs (calendar apps cannot log in). Resetting makes a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar token of {self.user}"
