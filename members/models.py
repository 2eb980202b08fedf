"""Users who log in by email, the org-unit tree they belong to, and their profiles and expertise."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify

from core.links import link
from members.notifications import Frequency


class UserManager(BaseUserManager):
    """Manager for a user model whose identifier is the email address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class OrgUnit(models.Model):
    """A unit of the organization: divisions hold departments, departments hold teams."""

    class Kind(models.TextChoices):
        DIVISION = "division", "Division"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # One unit of a name (whatever its case) under a parent, so that two directory syncs at once cannot
            # make two. Top-level units have no parent, and NULLs are distinct in a unique constraint: the partial
            # constraint covers them (`nulls_distinct=False` would too, but SQLite, the embedded default, has no
            # NULLS NOT DISTINCT).
            models.UniqueConstraint(Lower("name"), "parent", name="orgunit_unique_name_in_parent"),
            models.UniqueConstraint(
                Lower("name"), condition=Q(parent__isnull=True), name="orgunit_unique_top_level_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A word or short phrase: a member's expertise, a community's topic, a resource's tag."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:60]
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person in the organization. Logs in with their email address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    directory = models.CharField(
        "kept by",
        max_length=80,
        blank=True,
        help_text="The company directory (identity provider) that keeps this person's email, name, job title, "
        "org unit and manager: they change there, not here. Blank: kept by hand.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(Lower("full_name"), name="user_full_name_lower")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return link("members:profile", self.pk)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def initials(self) -> str:
        parts = [part for part in (self.full_name or self.email).replace(".", " ").split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"


class Profile(models.Model):
    """What a member tells colleagues about themselves; one per user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    job_title = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    expertise = models.ManyToManyField(Tag, blank=True, related_name="experts")
    time_zone = models.CharField(max_length=64, default="UTC")
    in_directory = models.BooleanField("show me in the member directory", default=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class NotificationPreference(models.Model):
    """How often a member wants one kind of mail. No row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.frequency}"
