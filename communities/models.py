"""Communities of practice, their memberships, sponsors, membership history and the participation ledger."""

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from core.links import link
from members.models import Tag


class Stage(models.TextChoices):
    """Lifecycle stages of a community of practice (Wenger, McDermott & Snyder)."""

    POTENTIAL = "potential", "Potential"
    COALESCING = "coalescing", "Coalescing"
    MATURING = "maturing", "Maturing"
    STEWARDSHIP = "stewardship", "Stewardship"
    TRANSFORMATION = "transformation", "Transformation"


class Level(models.TextChoices):
    """Commitment levels, from the core group outwards. The order matters: it is the colour scale's order."""

    CORE = "core", "Core group"
    ACTIVE = "active", "Active"
    OCCASIONAL = "occasional", "Occasional"
    PERIPHERAL = "peripheral", "Peripheral"
    TRANSACTIONAL = "transactional", "Transactional"


class CommunityQuerySet(models.QuerySet):
    """The one spelling of each filter on communities."""

    def current(self) -> "CommunityQuerySet":
        """Not archived: in browse lists, digests and counts."""
        return self.filter(archived_at__isnull=True)

    def archived_too(self, include: bool) -> "CommunityQuerySet":
        """Archived communities as well when `include`, else only current ones (a page's "archived too" choice)."""
        return self.all() if include else self.current()

    def at_stage(self, stage: str) -> "CommunityQuerySet":
        """At `stage` when one is chosen; every stage otherwise."""
        return self.filter(stage=stage) if stage else self.all()

    def visible_to(self, viewer) -> "CommunityQuerySet":
        """Who sees what (see docs/who-sees-what.md): communities whose content and members `viewer` may see:
        listed ones, and private ones they belong to or sponsor; staff see every one. The directory, search,
        feeds, digests and follower mail all ask this."""
        return self.filter(visible_to_q(viewer))

    def sponsored_by(self, viewer) -> "CommunityQuerySet":
        """The communities `viewer` sponsors (every one for staff): their dashboard."""
        if viewer.is_staff:
            return self.all()
        return self.filter(Exists(Sponsorship.objects.filter(community=OuterRef("pk"), sponsor=viewer)))


def visible_to_q(viewer) -> Q:
    """`CommunityQuerySet.visible_to` as a condition, for expressions and annotations (evaluated on Community)."""
    if viewer.is_staff:
        return Q()
    member = Membership.objects.active().filter(community=OuterRef("pk"), user=viewer)
    sponsor = Sponsorship.objects.filter(community=OuterRef("pk"), sponsor=viewer)
    return Q(visibility=Community.Visibility.LISTED) | Q(Exists(member)) | Q(Exists(sponsor))


def readers_q(community: "Community") -> Q:
    """The same rule seen from the other side, as a condition on people (`User`): who may see `community`'s
    content and members. Mail to many recipients asks it in one query; a test holds it equal to `visible_to`."""
    if not community.is_private:
        return Q()
    member = Membership.objects.active().filter(community=community, user=OuterRef("pk"))
    sponsor = Sponsorship.objects.filter(community=community, sponsor=OuterRef("pk"))
    return Q(is_staff=True) | Q(Exists(member)) | Q(Exists(sponsor))


# A community's long texts, which lists of other things (dates, discussions) never show: `.defer()` them there.
COMMUNITY_TEXTS = (
    "description",
    "description_html",
    "charter_purpose",
    "charter_scope",
    "charter_norms",
    "expected_value",
)


def texts_of(relation: str, fields=COMMUNITY_TEXTS) -> list[str]:
    """`fields` seen through `relation` (e.g. "discussion__community"), for `.defer()`."""
    return [f"{relation}__{field}" for field in fields]


class Community(models.Model):
    """A community of practice: a domain people commit to, the community, and its shared practice."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone joins at once"
        APPROVAL = "approval", "On approval: coordinators decide"
        INVITATION = "invitation", "By invitation only"

    class Visibility(models.TextChoices):
        LISTED = "listed", "Listed: everyone sees its content and members"
        PRIVATE = "private", "Private: only members see its content and members"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    domain = models.CharField(
        max_length=300,
        help_text="One sentence: the subject members commit to, e.g. “Making our releases boring.”",
    )
    description = models.TextField(blank=True, help_text="Markdown. Who it is for and what happens here.")
    description_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The description as sanitized HTML, rendered when written (core.markup).",
    )
    charter_purpose = models.TextField("purpose", blank=True)
    charter_scope = models.TextField("scope", blank=True, help_text="What is in and out of the domain.")
    charter_norms = models.TextField("norms", blank=True, help_text="How members treat each other and share.")
    meeting_rhythm = models.CharField(
        "intended meeting rhythm",
        max_length=200,
        blank=True,
        help_text="e.g. “Every other Tuesday, 45 minutes”.",
    )
    expected_value = models.TextField(
        "value it expects to create", blank=True, help_text="For members, for the organization."
    )
    topics = models.ManyToManyField(Tag, blank=True, related_name="communities")
    join_policy = models.CharField(max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.LISTED)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.POTENTIAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    needs_coordinator = models.BooleanField(
        default=False,
        help_text="Set when the last coordinator left the organization; staff appoint a new one.",
    )
    # Filled by a PostgreSQL trigger (name > domain > description); unused on SQLite. See members/search_support.py.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        indexes = [models.Index(fields=["archived_at", "visibility"], name="community_listing")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return link("communities:home", self.slug)

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def stage_index(self) -> int:
        """1 to 5: where the community is in its life, for the stage indicator."""
        return list(Stage.values).index(self.stage) + 1


class MembershipQuerySet(models.QuerySet):
    """The one spelling of each filter on memberships."""

    def active(self) -> "MembershipQuerySet":
        return self.filter(status=Membership.Status.ACTIVE)

    def coordinators(self) -> "MembershipQuerySet":
        """Active coordinators."""
        return self.active().filter(role=Membership.Role.COORDINATOR)

    def schedulers(self) -> "MembershipQuerySet":
        """Active coordinators and core group members: who runs the calendar and harvests into the library."""
        return self.active().filter(Q(role=Membership.Role.COORDINATOR) | Q(level=Level.CORE))

    def in_current(self) -> "MembershipQuerySet":
        """In communities that are not archived."""
        return self.filter(community__archived_at__isnull=True)


class Membership(models.Model):
    """One row per person and community: their status, commitment level and role."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        COORDINATOR = "coordinator", "Coordinator"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    level = models.CharField(max_length=14, choices=Level.choices, default=Level.PERIPHERAL)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True, help_text="The request's or the invitation's message.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation_expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["community", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="membership_one_per_user_and_community"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "level"], name="membership_by_community"),
            models.Index(fields=["user", "status"], name="membership_by_user"),
            # The memberships' last change (communities.selectors.memberships_stamp) in one index lookup.
            models.Index(fields=["updated_at"], name="membership_by_change"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == self.Role.COORDINATOR


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class EmailInvitation(models.Model):
    """An invitation to someone without an account yet: the link leads through sign-up into the community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="email_invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    level = models.CharField(max_length=14, choices=Level.choices, default=Level.PERIPHERAL)
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=Q(accepted_at__isnull=True),
                name="email_invitation_one_open_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.community}"

    def get_absolute_url(self) -> str:
        return reverse("communities:email_invitation", args=[self.token])


class SponsorshipQuerySet(models.QuerySet):
    def in_current(self) -> "SponsorshipQuerySet":
        """Of communities that are not archived."""
        return self.filter(community__archived_at__isnull=True)


class Sponsorship(models.Model):
    """A leader who supports a community on behalf of the organization, with a short agreement."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="sponsorships")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sponsorships"
    )
    since = models.DateField()
    provides = models.TextField("what the organization provides", blank=True)
    expects = models.TextField("what the organization expects", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SponsorshipQuerySet.as_manager()

    class Meta:
        ordering = ["community", "since"]
        constraints = [models.UniqueConstraint(fields=["community", "sponsor"], name="sponsorship_unique")]

    def __str__(self) -> str:
        return f"{self.sponsor} sponsors {self.community}"


class MembershipEvent(models.Model):
    """History: every request, invitation, join, leave, removal, level or role change, approval and decline.

    `from_value` and `to_value` hold what changed: the level or role before and after; the level asked for or
    joined at (`to_value`); the level left at (`from_value`). A deactivation keeps what it ended, so that a
    reactivation can restore it: `from_value` the level held (or "requested" / "invited" for a pending request
    or invitation), `to_value` the role held. A reactivation's `to_value` is the level restored.
    """

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Asked to join"
        INVITED = "invited", "Invited"
        JOINED = "joined", "Joined"
        APPROVED = "approved", "Request approved"
        DECLINED = "declined", "Request declined"
        INVITATION_ACCEPTED = "invitation_accepted", "Accepted the invitation"
        INVITATION_DECLINED = "invitation_declined", "Declined the invitation"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"
        LEVEL_CHANGED = "level_changed", "Changed level"
        ROLE_CHANGED = "role_changed", "Changed role"
        DEACTIVATED = "deactivated", "Left the organization"
        REACTIVATED = "reactivated", "Returned to the organization"

    # What starts and what ends a membership, for every figure that counts them (snapshots, value matrix,
    # digests): a return after a deactivation starts one again, as the deactivation ended it.
    JOINS = frozenset({Kind.JOINED, Kind.APPROVED, Kind.INVITATION_ACCEPTED, Kind.REACTIVATED})
    LEAVES = frozenset({Kind.LEFT, Kind.REMOVED, Kind.DEACTIVATED})

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="membership_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    from_value = models.CharField(max_length=20, blank=True)
    to_value = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["community", "at"], name="membership_event_by_community")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display().lower()} in {self.community}"


class Participation(models.Model):
    """The participation ledger: one row per act of engagement. Active members and health read it."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        RSVP = "rsvp", "Answered an invitation to an activity"
        ATTENDED = "attended", "Attended an activity"
        POSTED = "posted", "Started a discussion"
        REPLIED = "replied", "Replied"
        RESOURCE_ADDED = "resource_added", "Added a resource"
        APPLIED = "applied", "Applied a resource"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=40, blank=True, help_text="What it was about, e.g. “activity:12”.")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["community", "at"], name="participation_by_community"),
            models.Index(fields=["user", "at"], name="participation_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} in {self.community}"
