"""SCIM 2.0 endpoints (RFC 7644) for identity providers: bearer token per connection, JSON in and out
(application/scim+json), errors in SCIM's format. Writes go through integrations.scim.services."""

import functools
import uuid
from collections.abc import Callable

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


# --- Users --------------------------------------------------------------------------------------------------


@scim_endpoint(("GET", "POST"))
def users(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    base = _base_url(request)
    if request.method == "POST":
        resource = protocol.read_user(protocol.request_json(request))
        with transaction.atomic():
            link, _ = services.person_provision(connection=connection, resource=resource, info=_info(request))
        data = selectors.person_resource(link, base)
        return scim_response(data, status=201, etag=selectors.etag(link), location=data["meta"]["location"])
    search = protocol.search_parameters(request.GET, UserResource)
    start, count = protocol.page_bounds(search)
    total, people = selectors.people_page(connection, search, start, count)
    found = [protocol.shaped(UserResource, selectors.person_resource(link, base), search) for link in people]
    return scim_response(protocol.list_response(found, total=total, start=start))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    base = _base_url(request)
    if request.method == "GET":
        link = selectors.person_for(connection, scim_id)
        if _unchanged(request, link):
            return HttpResponse(status=304, headers={"ETag": selectors.etag(link)})
        search = protocol.search_parameters(request.GET, UserResource)
        data = protocol.shaped(UserResource, selectors.person_resource(link, base), search)
        return scim_response(data, etag=selectors.etag(link))
    info = _info(request)
    with transaction.atomic():
        link = selectors.person_for(connection, scim_id, lock=True)
        _check_version(request, link)
        if request.method == "DELETE":
            services.person_deactivate(connection=connection, link=link, info=info)
            return HttpResponse(status=204)
        if request.method == "PUT":
            resource = protocol.read_user(protocol.request_json(request))
        else:
            patch = protocol.read_patch(protocol.request_json(request), UserResource)
            resource = UserResource.model_validate(selectors.person_resource(link, base))
            protocol.apply_patch(patch, resource)
        link, _ = services.person_provision(connection=connection, resource=resource, info=info, link=link)
    return scim_response(selectors.person_resource(link, base), etag=selectors.etag(link))


# --- Groups -------------------------------------------------------------------------------------------------


@scim_endpoint(("GET", "POST"))
def groups(request: HttpRequest, connection: DirectoryConnection) -> HttpResponse:
    base = _base_url(request)
    if request.method == "POST":
        resource = protocol.read_group(protocol.request_json(request))
        with transaction.atomic():
            group, _ = services.group_provision(connection=connection, resource=resource, info=_info(request))
            group = selectors.group_for(connection, str(group.scim_id))
        data = selectors.group_resource(group, base)
        return scim_response(data, status=201, etag=selectors.etag(group), location=data["meta"]["location"])
    search = protocol.search_parameters(request.GET, GroupResource)
    start, count = protocol.page_bounds(search)
    total, found = selectors.groups_page(connection, search, start, count)
    resources = [
        protocol.shaped(GroupResource, selectors.group_resource(group, base), search) for group in found
    ]
    return scim_response(protocol.list_response(resources, total=total, start=start))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, connection: DirectoryConnection, scim_id: str) -> HttpResponse:
    base = _base_url(request)
    if request.method == "GET":
        found = selectors.group_for(connection, scim_id)
        if _unchanged(request, found):
            return HttpResponse(status=304, headers={"ETag": selectors.etag(found)})
        search = protocol.search_parameters(request.GET, GroupResource)
        data = protocol.shaped(GroupResource, selectors.group_resource(found, base), search)
        return scim_response(data, etag=selectors.etag(found))
    info = _info(request)
    with transaction.atomic():
        found = selectors.group_for(connection, scim_id, lock=True)
        _check_version(request, found)
        if request.method == "DELETE":
            services.group_delete(connection=connection, group=found, info=info)
            return HttpResponse(status=204)
        if request.method == "PUT":
            resource = protocol.read_group(protocol.request_json(request))
        else:
            patch = protocol.read_patch(protocol.request_json(request), GroupResource)
            resource = GroupResource.model_validate(selectors.group_resource(found, base))
            protocol.apply_patch(patch, resource)
        services.group_provision(connection=connection, resource=resource, info=info, group=found)
        found = selectors.group_for(connection, scim_id)
    return scim_response(selectors.group_resource(found, base), etag=selectors.etag(found))
