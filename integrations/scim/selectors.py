"""SCIM's reads: the connection a bearer token opens, and a connection's people and groups as SCIM resources, in a
fixed number of queries whatever their number."""

import hmac

from django.db.models import Prefetch, QuerySet

from integrations.models import DirectoryConnection, ScimGroup, ScimPerson, token_digest
from integrations.scim import protocol
from integrations.scim.protocol import ENTERPRISE, ScimError

# Filterable attributes (lowercase) → (lookup, kind), per resource type (RFC 7644 §3.4.2.2).
USER_FIELDS = {
    "id": ("scim_id", "members"),
    "username": ("user_name", "string"),
    "externalid": ("external_id", "string"),
    "emails": ("user__email", "string"),
    "emails.value": ("user__email", "string"),
    "displayname": ("attributes__displayName", "string"),
    "name.formatted": ("user__full_name", "string"),
    "title": ("user__profile__job_title", "string"),
    "active": ("user__is_active", "boolean"),
    "meta.lastmodified": ("updated_at", "datetime"),
    "meta.created": ("created_at", "datetime"),
}
GROUP_FIELDS = {
    "id": ("scim_id", "members"),
    "displayname": ("display_name", "string"),
    "externalid": ("external_id", "string"),
    "members": ("members__scim_id", "members"),
    "members.value": ("members__scim_id", "members"),
    "meta.lastmodified": ("updated_at", "datetime"),
    "meta.created": ("created_at", "datetime"),
}


def connection_for_token(authorization: str) -> DirectoryConnection:
    """The live connection whose token is the request's bearer token (401 otherwise), with its creator.

    The token is looked up by its sha256 (a unique index) and compared again in constant time."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ScimError(401, "A bearer token is required.")
    digest = token_digest(token)
    connection = (
        DirectoryConnection.objects.live().select_related("created_by").filter(token_hash=digest).first()
    )
    if connection is None or not hmac.compare_digest(connection.token_hash, digest):
        raise ScimError(401, "This token is not valid, or was revoked.")
    return connection


def _people(connection: DirectoryConnection) -> QuerySet:
    return (
        ScimPerson.objects.filter(connection=connection)
        .select_related("user", "user__profile", "user__reports_to")
        .order_by("pk")
    )


def _groups(connection: DirectoryConnection) -> QuerySet:
    return (
        ScimGroup.objects.filter(connection=connection)
        .prefetch_related(
            Prefetch("members", queryset=ScimPerson.objects.select_related("user").order_by("pk"))
        )
        .order_by("pk")
    )


def person_for(connection: DirectoryConnection, scim_id: str, *, lock: bool = False) -> ScimPerson:
    queryset = _people(connection)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    link = queryset.filter(scim_id=scim_id).first() if protocol.is_uuid(scim_id) else None
    if link is None:
        raise ScimError(404, f"No user {scim_id}.")
    return link


def group_for(connection: DirectoryConnection, scim_id: str, *, lock: bool = False) -> ScimGroup:
    queryset = _groups(connection)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    group = queryset.filter(scim_id=scim_id).first() if protocol.is_uuid(scim_id) else None
    if group is None:
        raise ScimError(404, f"No group {scim_id}.")
    return group


def people_page(connection, search, start: int, count: int) -> tuple[int, list[ScimPerson]]:
    """(totalResults, the page's people) for a list's filter and paging: two queries."""
    return _page(_people(connection), search, start, count, USER_FIELDS)


def groups_page(connection, search, start: int, count: int) -> tuple[int, list[ScimGroup]]:
    """(totalResults, the page's groups, with their members): three queries."""
    queryset = _groups(connection)
    return _page(queryset, search, start, count, GROUP_FIELDS)


def _page(queryset, search, start, count, fields) -> tuple[int, list]:
    if search.filter:
        queryset = queryset.filter(
            pk__in=queryset.model.objects.filter(protocol.filter_q(search.filter.ast, fields)).values("pk")
        )
    total = queryset.count()
    if count == 0:
        return total, []
    return total, list(queryset[start - 1 : start - 1 + count])


def etag(link) -> str:
    return f'W/"{link.version}"'


def _meta(link, resource_type: str, location: str) -> dict:
    return {
        "resourceType": resource_type,
        "created": link.created_at.isoformat(),
        "lastModified": link.updated_at.isoformat(),
        "location": location,
        "version": etag(link),
    }


def person_resource(link: ScimPerson, base_url: str) -> dict:
    """A person as this connection sees them: what it sent, with CoPsite's truth where CoPsite keeps it."""
    data = {key: value for key, value in link.attributes.items() if key not in ("schemas",)}
    user = link.user
    schemas = [protocol.USER_SCHEMA]
    if isinstance(data.get(ENTERPRISE), dict) and data[ENTERPRISE]:
        schemas.append(ENTERPRISE)
    data.update(
        schemas=schemas,
        id=str(link.scim_id),
        userName=link.user_name,
        active=user.is_active,
        meta=_meta(link, "User", f"{base_url}Users/{link.scim_id}"),
    )
    if link.external_id:
        data["externalId"] = link.external_id
    return data


def group_resource(group: ScimGroup, base_url: str) -> dict:
    data = {
        "schemas": [protocol.GROUP_SCHEMA],
        "id": str(group.scim_id),
        "displayName": group.display_name,
        "members": [
            {
                "value": str(link.scim_id),
                "$ref": f"{base_url}Users/{link.scim_id}",
                "display": link.user.full_name,
            }
            for link in group.members.all()
        ],
        "meta": _meta(group, "Group", f"{base_url}Groups/{group.scim_id}"),
    }
    if group.external_id:
        data["externalId"] = group.external_id
    return data
