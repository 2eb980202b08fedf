"""SCIM 2.0 endpoints (RFC 7644) for identity providers: bearer token per connection, JSON in and out
(application/scim+json), errors in SCIM's format. Writes go through integrations.scim.services."""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import SCIMException

from communities import rules as community_rules
from integrations.models import DirectoryConnection
from integrations.scim import protocol, selectors, services
from integrations.scim.protocol import GroupResource, ScimError, UserResource, scim_response

Handler = Callable[..., HttpResponse]


def _base_url(request: HttpRequest) -> str:
    config = reverse("integrations:scim_service_provider_config")
    return request.build_absolute_uri(config.removesuffix("ServiceProviderConfig"))


def scim_endpoint(methods: tuple[str, ...]) -> Callable[[Handler], Handler]:
    """Authenticate the bearer token (401), check the connection still acts for active staff (403) and the method
    (405), and answer every error in SCIM's format. The view gets the connection."""

    def decorator(view: Handler) -> Handler:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                connection = selectors.connection_for_token(request.headers.get("Authorization", ""))
                creator = connection.created_by
                if not (creator.is_active and community_rules.may_administer(creator)):
                    raise ScimError(403, "The staff member who made this connection is no longer staff.")
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                services.connection_used(connection=connection)
                return view(request, connection, *args, **kwargs)
            except (ScimError, SCIMException) as error:
                response = protocol.error_response(error)
                if getattr(error, "status", None) == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
                if getattr(error, "status", None) == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapped

    return decorator


def _info(request: HttpRequest) -> services.RequestInfo:
    request_id = (
        request.headers.get("X-Request-Id") or request.headers.get("client-request-id") or str(uuid.uuid4())
    )
    return services.RequestInfo(method=request.method, path=request.get_full_path(), request_id=request_id)


def _unchanged(request: HttpRequest, found) -> bool:
    """If-None-Match on a GET naming the current version: 304, nothing sent again."""
    wanted = request.headers.get("If-None-Match", "")
    return selectors.etag(found) in {tag.strip() for tag in wanted.split(",")}


def _check_version(request: HttpRequest, link) -> None:
    """If-Match (RFC 7644 §3.14): a write to a resource that changed since the client read it is refused."""
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip() != "*":
        tags = {tag.strip() for tag in wanted.split(",")}
        if selectors.etag(link) not in tags:
            raise ScimError(412, "The resource changed since this version (If-Match).")


# --- Discovery ----------------------------------------------------------------------------------------------


@scim_endpoint(("GET",))
def service_provider_config(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    return scim_response(protocol.service_provider_config(_base_url(request)))


@scim_endpoint(("GET",))
def resource_types(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    types = protocol.resource_types(_base_url(request))
    return scim_response(protocol.list_response(types, total=len(types), start=1))


@scim_endpoint(("GET",))
def resource_type(request: HttpRequest, connection: DirectoryConnection, name: str) -> HttpResponse:
    for data in protocol.resource_types(_base_url(request)):
        if data["id"] == name:
            return scim_response(data)
    raise ScimError(404, f"No resource type {name}.")


@scim_endpoint(("GET",))
def schemas(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    found = protocol.schemas(_base_url(request))
    return scim_response(protocol.list_response(found, total=len(found), start=1))


@scim_endpoint(("GET",))
def schema(request: HttpRequest, connection: DirectoryConnection, urn: str) -> HttpResponse:
    for data in protocol.schemas(_base_url(request)):
        if data["id"] == urn:
            return scim_response(data)
    raise ScimError(404, f"No schema {urn}.")


# --- Users and Groups: one shape, two kinds ---------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What the Users and the Groups endpoints do differently: their resource, how one is read from a request,
    found, listed, written and ended. `provision(connection, resource, info, found)` returns the saved row."""

    resource: type
    read: Callable[[object], object]
    find: Callable[..., object]
    page: Callable[..., tuple[int, list]]
    shown: Callable[[object, str], dict]
    provision: Callable[..., object]
    end: Callable[..., None]


def _provision_person(connection, resource, info, found):
    return services.person_provision(connection=connection, resource=resource, info=info, link=found)[0]


def _provision_group(connection, resource, info, found):
    group, _ = services.group_provision(connection=connection, resource=resource, info=info, group=found)
    return selectors.group_for(connection, str(group.scim_id))  # read again, with its members


USERS = _Kind(
    resource=UserResource,
    read=protocol.read_user,
    find=selectors.person_for,
    page=selectors.people_page,
    shown=selectors.person_resource,
    provision=_provision_person,
    end=lambda connection, found, info: services.person_deactivate(
        connection=connection, link=found, info=info
    ),
)
GROUPS = _Kind(
    resource=GroupResource,
    read=protocol.read_group,
    find=selectors.group_for,
    page=selectors.groups_page,
    shown=selectors.group_resource,
    provision=_provision_group,
    end=lambda connection, found, info: services.group_delete(connection=connection, group=found, info=info),
)


def _collection(kind: _Kind, request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    """GET: a page of the kind's resources (filter, paging, attributes); POST: a new one (201)."""
    base = _base_url(request)
    if request.method == "POST":
        resource = kind.read(protocol.request_json(request))
        with transaction.atomic():
            saved = kind.provision(connection, resource, _info(request), None)
        data = kind.shown(saved, base)
        return scim_response(data, status=201, etag=selectors.etag(saved), location=data["meta"]["location"])
    search = protocol.search_parameters(request.GET, kind.resource)
    start, count = protocol.page_bounds(search)
    total, rows = kind.page(connection, search, start, count)
    found = [protocol.shaped(kind.resource, kind.shown(row, base), search) for row in rows]
    return scim_response(protocol.list_response(found, total=total, start=start))


def _item(kind: _Kind, request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    """GET (304 for the version the client has), PUT, PATCH (If-Match) and DELETE of one resource."""
    base = _base_url(request)
    if request.method == "GET":
        found = kind.find(connection, scim_id)
        if _unchanged(request, found):
            return HttpResponse(status=304, headers={"ETag": selectors.etag(found)})
        search = protocol.search_parameters(request.GET, kind.resource)
        data = protocol.shaped(kind.resource, kind.shown(found, base), search)
        return scim_response(data, etag=selectors.etag(found))
    info = _info(request)
    with transaction.atomic():
        found = kind.find(connection, scim_id, lock=True)
        _check_version(request, found)
        if request.method == "DELETE":
            kind.end(connection, found, info)
            return HttpResponse(status=204)
        if request.method == "PUT":
            resource = kind.read(protocol.request_json(request))
        else:
            patch = protocol.read_patch(protocol.request_json(request), kind.resource)
            resource = kind.resource.model_validate(kind.shown(found, base))
            protocol.apply_patch(patch, resource)
        saved = kind.provision(connection, resource, info, found)
    return scim_response(kind.shown(saved, base), etag=selectors.etag(saved))


@scim_endpoint(("GET", "POST"))
def users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    return _collection(USERS, request, connection)


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    return _item(USERS, request, connection, scim_id)


@scim_endpoint(("GET", "POST"))
def groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    return _collection(GROUPS, request, connection)


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    return _item(GROUPS, request, connection, scim_id)
