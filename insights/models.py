"""Daily snapshots of each community's figures, and the value stories coordinators and sponsors record."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from communities.models import Community


class Snapshot(models.Model):
    """One community's figures for one day (in the organization's time zone), as of the end of that day.

    Stocks (members by level, active members, shares) are the state at the end of the day; flows (joined,
    activities held, replies, …) count what happened during the day. History charts read these rows, so they are
    cheap and survive later edits. `insights.snapshots` computes them; the daily task and the rebuild command
    share that code.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    # Stocks: members by commitment level and role.
    members = models.PositiveIntegerField(default=0)
    level_core = models.PositiveIntegerField(default=0)
    level_active = models.PositiveIntegerField(default=0)
    level_occasional = models.PositiveIntegerField(default=0)
    level_peripheral = models.PositiveIntegerField(default=0)
    level_transactional = models.PositiveIntegerField(default=0)
    coordinators = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(
        default=0, help_text="Members with a ledger row other than joining in the 30 days up to this day."
    )
    org_units = models.PositiveIntegerField(default=0, help_text="Org units the members belong to.")
    # Flows during the day.
    joined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    promoted = models.PositiveIntegerField(
        default=0, help_text="Members who moved into the active level or the core group."
    )
    activities_held = models.PositiveIntegerField(default=0)
    attendance = models.PositiveIntegerField(default=0, help_text="Attendances recorded that day.")
    discussions = models.PositiveIntegerField(default=0, help_text="Discussions started.")
    replies = models.PositiveIntegerField(default=0)
    resources_added = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0, help_text="“I applied this” stories.")
    # Discussions started in the trailing window (see insights.snapshots.DISCUSSION_WINDOW_DAYS).
    recent_discussions = models.PositiveIntegerField(default=0)
    answered_share = models.FloatField(
        null=True, blank=True, help_text="Percent answered by the end of the day."
    )
    solved_share = models.FloatField(null=True, blank=True, help_text="Percent with an accepted answer.")
    median_first_reply_hours = models.FloatField(null=True, blank=True)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["community", "day"]
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="snapshot_one_per_day")]
        indexes = [models.Index(fields=["day"], name="snapshot_by_day")]

    def __str__(self) -> str:
        return f"{self.community} on {self.day}"


# The figures a snapshot holds, in one place (the rebuild command compares these, the CSV exports name them).
SNAPSHOT_FIGURES = [
    field.name
    for field in Snapshot._meta.local_concrete_fields
    if field.name not in {"id", "community", "day", "taken_at"}
]


class ValueStory(models.Model):
    """A story of value the ledger cannot see: results the organization realized, or goals reframed."""

    class Cycle(models.TextChoices):
        REALIZED = "realized", "Realized value: results the organization sees"
        REFRAMING = "reframing", "Reframing value: new goals, new ways of measuring success"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="value_stories")
    cycle = models.CharField(max_length=10, choices=Cycle.choices)
    title = models.CharField(max_length=160)
    story = models.TextField(help_text="What happened, for whom, and what changed.")
    evidence = models.TextField(
        blank=True, help_text="How we know: a figure, a document, a link, someone who can confirm it."
    )
    happened_on = models.DateField(help_text="When the result was seen or the goal reframed.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "value stories"
        indexes = [models.Index(fields=["community", "happened_on"], name="value_story_by_community")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("insights:community", args=[self.community.slug]) + f"#story-{self.pk}"


class Delivery(models.Model):
    """One digest or report for one recipient, kind and period: the claim that it is sent once.

    The unique row per recipient, kind, period and scope means an overlapping run, a retry or a redelivered task
    can plan the same delivery any number of times and still get one row. Sending moves the row from pending to
    sending (a conditional update: only one worker wins) and, once the SMTP server accepted the mail, to sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Nothing to send"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=40)
    period = models.CharField(
        max_length=20, help_text="The period it covers: 2026-11-30, 2026-W48 or 2026-11."
    )
    scope = models.CharField(
        max_length=40, blank=True, help_text="e.g. “community:12” for a per-community digest."
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, help_text="The task run that claimed it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "period", "scope"], name="delivery_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "kind"], name="delivery_by_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} to {self.recipient_id} ({self.status})"
