"""What the integrations keep: identity-provider connections (their hashed tokens and audit log) and who each
directory's people and groups are here."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


def token_digest(token: str) -> str:
    """The sha256 of a connection's token, as stored (the token itself is shown once and never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


class DirectoryConnectionQuerySet(models.QuerySet):
    def live(self):
        """Connections whose token still opens SCIM (not revoked)."""
        return self.filter(revoked_at__isnull=True)


class DirectoryConnection(models.Model):
    """An identity provider (Entra ID, Okta, Keycloak…) allowed to provision people and org units through SCIM,
    with a bearer token of its own. It acts as the staff member who made it."""

    class OrgUnitSource(models.TextChoices):
        DEPARTMENT = "department", "Enterprise attribute “department”"
        DIVISION = "division", "Enterprise attribute “division”"
        GROUPS = "groups", "SCIM Groups (a person's group is their org unit)"

    name = models.CharField(
        max_length=80,
        unique=True,
        help_text="Shown on the profiles of the people it keeps, e.g. “Entra ID”.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    org_unit_source = models.CharField(
        "org unit from",
        max_length=20,
        choices=OrgUnitSource.choices,
        default=OrgUnitSource.DEPARTMENT,
        help_text="Which attribute the identity provider sends makes a person's org unit.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = DirectoryConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ScimPerson(models.Model):
    """A person as one connection knows them: its SCIM id, its externalId and userName, the attributes it sent
    that CoPsite does not keep elsewhere, and a version for ETags."""

    connection = models.ForeignKey(DirectoryConnection, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scim_id = models.UUIDField(default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    user_name = models.CharField(max_length=255)
    attributes = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "scim_id"], name="scimperson_unique_id"),
            models.UniqueConstraint(fields=["connection", "user"], name="scimperson_unique_user"),
            # Two provisioning runs at once cannot give one userName two people.
            models.UniqueConstraint("connection", Lower("user_name"), name="scimperson_unique_user_name"),
            models.UniqueConstraint(
                fields=["connection", "external_id"],
                condition=~models.Q(external_id=""),
                name="scimperson_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group as one connection knows it: the org unit it makes, and its members' SCIM ids."""

    connection = models.ForeignKey(DirectoryConnection, on_delete=models.CASCADE, related_name="groups")
    org_unit = models.ForeignKey("members.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    scim_id = models.UUIDField(default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255)
    members = models.ManyToManyField(ScimPerson, blank=True, related_name="groups")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "scim_id"], name="scimgroup_unique_id"),
            models.UniqueConstraint(
                "connection", Lower("display_name"), name="scimgroup_unique_display_name"
            ),
            models.UniqueConstraint(
                fields=["connection", "external_id"],
                condition=~models.Q(external_id=""),
                name="scimgroup_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class AuditEntry(models.Model):
    """One change a connection made: who or which group, what, which fields, and the request that did it."""

    class Action(models.TextChoices):
        PERSON_CREATED = "person_created", "Created a person"
        PERSON_UPDATED = "person_updated", "Updated a person"
        PERSON_DEACTIVATED = "person_deactivated", "Deactivated a person"
        PERSON_REACTIVATED = "person_reactivated", "Reactivated a person"
        GROUP_CREATED = "group_created", "Created a group"
        GROUP_UPDATED = "group_updated", "Updated a group"
        GROUP_DELETED = "group_deleted", "Deleted a group"

    connection = models.ForeignKey(DirectoryConnection, on_delete=models.CASCADE, related_name="audit")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=255, help_text="The userName or group name, as sent.")
    fields = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["connection", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subject}"
