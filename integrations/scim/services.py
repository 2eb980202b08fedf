"""SCIM's writes: a connection's people and groups made, changed, deactivated and reactivated through the members'
and communities' services, each change written to the connection's audit log. The same request twice changes
nothing the second time."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from scim2_models import EnterpriseUser

from communities import rules as community_rules
from communities import services as community_services
from core.rules import Refused, require
from integrations.models import AuditEntry, DirectoryConnection, ScimGroup, ScimPerson, token_digest
from integrations.scim import protocol
from integrations.scim.protocol import GroupResource, ScimError, UserResource
from members import services as member_services
from members.models import User

Action = AuditEntry.Action
Source = DirectoryConnection.OrgUnitSource
# The attributes CoPsite keeps in its own rows (or never: a password), the rest kept as the directory sent it.
KEPT_ELSEWHERE = ("id", "meta", "active", "groups", "password")


@dataclass(frozen=True)
class RequestInfo:
    """Which request made a change, for the audit log."""

    method: str
    path: str
    request_id: str = ""


# --- Connections (staff) --------------------------------------------------------------------------------------


@transaction.atomic
def connection_create(*, actor: User, name: str, org_unit_source: str) -> tuple[DirectoryConnection, str]:
    """A new connection and its token, returned once (only its sha256 is kept)."""
    require(community_rules.may_administer(actor), community_rules.STAFF_ONLY)
    name = name.strip()
    if DirectoryConnection.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A connection already has this name."})
    token = secrets.token_urlsafe(32)
    connection = DirectoryConnection(
        name=name, org_unit_source=org_unit_source, created_by=actor, token_hash=token_digest(token)
    )
    connection.full_clean()
    connection.save()
    return connection, token


@transaction.atomic
def connection_revoke(*, actor: User, connection: DirectoryConnection) -> bool:
    """Its token opens SCIM no more. Returns whether it was live."""
    require(community_rules.may_administer(actor), community_rules.STAFF_ONLY)
    return bool(
        DirectoryConnection.objects.filter(pk=connection.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def connection_used(*, connection: DirectoryConnection) -> None:
    """Note when a connection was last used (at most once a minute, so provisioning does not write every time)."""
    now = timezone.now()
    if connection.last_used_at is None or (now - connection.last_used_at).total_seconds() > 60:
        DirectoryConnection.objects.filter(pk=connection.pk).update(last_used_at=now)
        connection.last_used_at = now


# --- People -------------------------------------------------------------------------------------------------


def _audit(connection, action, subject: str, info: RequestInfo, *, user=None, fields=()) -> None:
    AuditEntry.objects.create(
        connection=connection,
        action=action,
        user=user,
        subject=subject[:255],
        fields=sorted(fields),
        request_id=info.request_id[:100],
        method=info.method,
        path=info.path[:300],
    )


def _email_of(resource: UserResource) -> str:
    """The login email: the primary email, else the first, else the userName."""
    emails = [email for email in resource.emails or [] if email.value]
    primary = [email for email in emails if email.primary]
    if primary or emails:
        return str((primary or emails)[0].value)
    return resource.user_name


def _full_name_of(resource: UserResource):
    name = resource.name
    if name and name.formatted:
        return name.formatted
    if name and (name.given_name or name.family_name):
        return " ".join(part for part in (name.given_name, name.family_name) if part)
    if resource.display_name:
        return resource.display_name
    return member_services.UNCHANGED


def _org_unit_of(connection: DirectoryConnection, enterprise):
    if connection.org_unit_source == Source.GROUPS:
        return member_services.UNCHANGED
    value = getattr(enterprise, connection.org_unit_source, None) if enterprise else None
    path = member_services.org_unit_path(value or "")
    return member_services.org_unit_ensure(path=path)


def _manager_of(connection: DirectoryConnection, enterprise) -> User | None:
    """The manager's person: a SCIM id (or externalId) of this connection; one not provisioned yet is none."""
    manager = enterprise.manager if enterprise else None
    value = (manager.value or "") if manager else ""
    if not value:
        return None
    link = (
        ScimPerson.objects.select_related("user")
        .filter(connection=connection)
        .filter(_id_or_external(value))
        .first()
    )
    return link.user if link else None


def _id_or_external(value: str) -> Q:
    q = Q(external_id=value)
    if protocol.is_uuid(value):
        q |= Q(scim_id=value)
    return q


def _stored_attributes(resource: UserResource | GroupResource) -> dict:
    data = resource.model_dump(mode="json", exclude_none=True, by_alias=True)
    return {key: value for key, value in data.items() if key not in KEPT_ELSEWHERE and key != "members"}


def _service_error(error: ValidationError) -> ScimError:
    """A service's refusal of a value (keyed by field) as SCIM's invalidValue."""
    return ScimError(400, "; ".join(error.messages), "invalidValue")


def _require_address_free(email: str, person: User | None) -> None:
    """Another person's login email is a uniqueness conflict (409), not a bad value."""
    if person is not None and User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        raise ScimError(409, f"{email} is already someone else's address.", "uniqueness")


def _person_values(connection, resource: UserResource) -> dict:
    enterprise = resource[EnterpriseUser]
    return {
        "email": _email_of(resource),
        "full_name": _full_name_of(resource),
        "job_title": resource.title or "",
        "org_unit": _org_unit_of(connection, enterprise),
        "reports_to": _manager_of(connection, enterprise),
    }


@transaction.atomic
def person_provision(
    *,
    connection: DirectoryConnection,
    resource: UserResource,
    info: RequestInfo,
    link: ScimPerson | None = None,
) -> tuple[ScimPerson, bool]:
    """Create (no `link`) or replace a person as the directory says. Returns the link and whether anything
    changed. A userName this connection already has is a 409 uniqueness error on creation."""
    actor = connection.created_by
    if (
        link is None
        and ScimPerson.objects.filter(connection=connection, user_name__iexact=resource.user_name).exists()
    ):
        raise ScimError(409, f"{resource.user_name} is already provisioned.", "uniqueness")
    try:
        values = _person_values(connection, resource)
        _require_address_free(values["email"], link.user if link else None)
        person, changed = member_services.person_from_directory(
            directory=connection.name, user=link.user if link else None, **values
        )
    except ValidationError as error:
        raise _service_error(error) from None
    attributes = _stored_attributes(resource)
    external_id = resource.external_id or ""
    if link is None:
        if ScimPerson.objects.filter(connection=connection, user=person).exists():
            raise ScimError(409, f"{person.email} is already provisioned by this connection.", "uniqueness")
        try:
            with transaction.atomic():
                link = ScimPerson.objects.create(
                    connection=connection,
                    user=person,
                    user_name=resource.user_name,
                    external_id=external_id,
                    attributes=attributes,
                )
        except IntegrityError:
            raise ScimError(409, f"{resource.user_name} is already provisioned.", "uniqueness") from None
        # Which attributes it came with (a person taken over also lists what changed of theirs).
        sent = _attributes_changed({}, attributes) | {"userName"} | ({"externalId"} if external_id else set())
        fields = sent | {name for name in changed if name not in ("created", "directory")}
        _audit(connection, Action.PERSON_CREATED, link.user_name, info, user=person, fields=fields)
        link_changed = True
    else:
        link_fields = [
            name
            for name, value in (("user_name", resource.user_name), ("external_id", external_id))
            if getattr(link, name) != value
        ]
        sent_changes = _attributes_changed(link.attributes, attributes)
        link.user_name, link.external_id, link.attributes = resource.user_name, external_id, attributes
        if sent_changes:
            link_fields.append("attributes")
        changed = [name for name in changed if name != "directory"]
        if changed or link_fields:
            _audit(
                connection,
                Action.PERSON_UPDATED,
                link.user_name,
                info,
                user=person,
                fields=set(changed)
                | {_attribute_names[name] for name in link_fields if name in _attribute_names}
                | sent_changes,
            )
        link_changed = bool(changed or link_fields)
        if link_fields:
            try:
                with transaction.atomic():
                    link.save(update_fields=[*link_fields, "updated_at"])
            except IntegrityError:
                raise ScimError(
                    409, f"{resource.user_name} is another person's userName.", "uniqueness"
                ) from None
    link.user = person
    active = resource.active if resource.active is not None else True
    status_changed = _person_active(connection, link, active=active, actor=actor, info=info)
    if status_changed or (link_changed and "created" not in changed):
        _bump(link)
    return link, link_changed or status_changed


_attribute_names = {"user_name": "userName", "external_id": "externalId"}


def _attributes_changed(before: dict, after: dict) -> set[str]:
    """The SCIM attributes (an extension's by their own names) that differ between two bodies."""
    names = set()
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key.startswith("urn:") and isinstance(old or {}, dict) and isinstance(new or {}, dict):
            old, new = old or {}, new or {}
            names |= {name for name in set(old) | set(new) if old.get(name) != new.get(name)}
        else:
            names.add(key)
    return names


def _bump(link) -> None:
    type(link).objects.filter(pk=link.pk).update(version=link.version + 1, updated_at=timezone.now())
    link.version += 1
    link.updated_at = timezone.now()


def _person_active(connection, link: ScimPerson, *, active: bool, actor: User, info: RequestInfo) -> bool:
    person = link.user
    try:
        if not active and person.is_active:
            community_services.member_deactivate(actor=actor, user=person)
            _audit(
                connection, Action.PERSON_DEACTIVATED, link.user_name, info, user=person, fields=["active"]
            )
            return True
        if active and not person.is_active:
            community_services.member_reactivate(actor=actor, user=person)
            _audit(
                connection, Action.PERSON_REACTIVATED, link.user_name, info, user=person, fields=["active"]
            )
            return True
    except Refused as error:
        raise ScimError(400, "; ".join(error.messages), "mutability") from None
    return False


def person_deactivate(*, connection: DirectoryConnection, link: ScimPerson, info: RequestInfo) -> None:
    """DELETE: the person is deactivated (offboarding), never deleted; the link stays so they can come back."""
    with transaction.atomic():
        if _person_active(connection, link, active=False, actor=connection.created_by, info=info):
            _bump(link)


# --- Groups -------------------------------------------------------------------------------------------------


def _members_of(connection, resource: GroupResource) -> list[ScimPerson]:
    ids = [str(member.value) for member in resource.members or [] if member.value]
    known = [value for value in ids if protocol.is_uuid(value)]
    found = list(ScimPerson.objects.select_related("user").filter(connection=connection, scim_id__in=known))
    if len(found) != len(set(ids)):
        missing = set(ids) - {str(link.scim_id) for link in found}
        raise ScimError(400, f"Unknown members: {', '.join(sorted(missing))}.", "invalidValue")
    return found


@transaction.atomic
def group_provision(
    *,
    connection: DirectoryConnection,
    resource: GroupResource,
    info: RequestInfo,
    group: ScimGroup | None = None,
) -> tuple[ScimGroup, bool]:
    """Create or replace a group: its org unit (from its name, "A / B" nested) and its members, who get that
    unit when the connection's org units come from groups."""
    try:
        unit = _renamed_unit(group, resource.display_name) or member_services.org_unit_ensure(
            path=member_services.org_unit_path(resource.display_name)
        )
    except ValidationError as error:
        raise _service_error(error) from None
    members = _members_of(connection, resource)
    external_id = resource.external_id or ""
    fields = []
    if group is None:
        if ScimGroup.objects.filter(
            connection=connection, display_name__iexact=resource.display_name
        ).exists():
            raise ScimError(409, f"{resource.display_name} is already provisioned.", "uniqueness")
        try:
            with transaction.atomic():
                group = ScimGroup.objects.create(
                    connection=connection,
                    display_name=resource.display_name,
                    external_id=external_id,
                    org_unit=unit,
                )
        except IntegrityError:
            raise ScimError(409, f"{resource.display_name} is already provisioned.", "uniqueness") from None
        before: set[int] = set()
        action = Action.GROUP_CREATED
        fields = ["displayName"]
    else:
        before = set(group.members.values_list("pk", flat=True))
        action = Action.GROUP_UPDATED
        for name, value, label in (
            ("display_name", resource.display_name, "displayName"),
            ("external_id", external_id, "externalId"),
            ("org_unit", unit, "displayName"),
        ):
            if getattr(group, name) != value:
                setattr(group, name, value)
                fields.append(label)
        if fields:
            try:
                with transaction.atomic():
                    group.save()
            except IntegrityError:
                raise ScimError(
                    409, f"{resource.display_name} is another group's name.", "uniqueness"
                ) from None
    after = {link.pk for link in members}
    if after != before:
        group.members.set(members)
        fields.append("members")
    if connection.org_unit_source == Source.GROUPS:
        _members_follow(connection, group, members, before - after, info)
    if fields:
        _audit(connection, action, group.display_name, info, fields=set(fields))
        if action == Action.GROUP_UPDATED:
            _bump(group)
    return group, bool(fields)


def _renamed_unit(group: ScimGroup | None, display_name: str):
    """A group renamed in the directory renames its org unit where it stands (its people stay in it), when only
    the last name of its path changed, no other group of any connection maps to that unit, and nothing beside it
    has the new name; else None (the unit at the new path is found or made, and the members move there)."""
    if group is None or group.org_unit is None:
        return None
    before = member_services.org_unit_path(group.display_name)
    after = member_services.org_unit_path(display_name)
    if not before or not after or len(before) != len(after) or before[-1] == after[-1]:
        return None
    if [name.lower() for name in before[:-1]] != [name.lower() for name in after[:-1]]:
        return None
    if ScimGroup.objects.filter(org_unit=group.org_unit).exclude(pk=group.pk).exists():
        return None
    try:
        return member_services.org_unit_rename(unit=group.org_unit, name=after[-1])
    except ValidationError:
        return None  # a unit of that name is already there: the group moves to it


def _members_follow(connection, group: ScimGroup, members: list[ScimPerson], removed: set[int], info) -> None:
    """Members get the group's unit; those removed from it lose it (if it is still theirs)."""
    for link in members:
        _person_unit(connection, link, group.org_unit, info)
    for link in ScimPerson.objects.select_related("user").filter(pk__in=removed):
        if group.org_unit is not None and link.user.org_unit_id == group.org_unit.pk:
            _person_unit(connection, link, None, info)


def _person_unit(connection, link: ScimPerson, unit, info) -> None:
    _, changed = member_services.person_from_directory(
        directory=connection.name, user=link.user, org_unit=unit
    )
    if changed:
        _audit(connection, Action.PERSON_UPDATED, link.user_name, info, user=link.user, fields=changed)
        _bump(link)


@transaction.atomic
def group_delete(*, connection: DirectoryConnection, group: ScimGroup, info: RequestInfo) -> None:
    """The group is forgotten; its org unit stays (people and history refer to it)."""
    if connection.org_unit_source == Source.GROUPS:
        members = list(group.members.select_related("user"))
        for link in members:
            if group.org_unit is not None and link.user.org_unit_id == group.org_unit.pk:
                _person_unit(connection, link, None, info)
    _audit(connection, Action.GROUP_DELETED, group.display_name, info, fields=["id"])
    group.delete()
