"""SCIM's wire format, through scim2-models: the resource models, reading requests (with the identity providers'
known quirks smoothed first), errors, and a filter turned into a database query."""

import json
import uuid
from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from pydantic import ValidationError as PydanticError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    Group,
    InvalidFilterException,
    ListResponse,
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimFilter,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path.expressions import (
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
)

UserResource = User[EnterpriseUser]
GroupResource = Group
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONTENT_TYPE = "application/scim+json"
MAX_COUNT = 200


class ScimError(Exception):
    """An error answered in SCIM's format (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


def scim_response(
    data: dict, *, status: int = 200, etag: str | None = None, location: str = ""
) -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=CONTENT_TYPE)
    if etag:
        response["ETag"] = etag
    if location:
        response["Location"] = location
    return response


def error_response(error: Exception) -> JsonResponse:
    """A SCIM error body for one of ours or the library's exceptions."""
    if isinstance(error, SCIMException):
        body = error.to_error().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        status = int(error.status)
    else:
        body = Error(status=error.status, scim_type=error.scim_type, detail=error.detail).model_dump(
            scim_ctx=Context.RESOURCE_QUERY_RESPONSE
        )
        status = error.status
    return scim_response(body, status=status)


def service_provider_config(base_url: str) -> dict:
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="The token a staff member created for this connection, in the Authorization header.",
                primary=True,
            )
        ],
    )
    data = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    data["meta"] = {"resourceType": "ServiceProviderConfig", "location": base_url + "ServiceProviderConfig"}
    return data


def resource_types(base_url: str) -> list[dict]:
    types = []
    for model in (UserResource, GroupResource):
        data = ResourceType.from_resource(model).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        data["meta"] = {"resourceType": "ResourceType", "location": f"{base_url}ResourceTypes/{data['id']}"}
        types.append(data)
    return types


def schemas(base_url: str) -> list[dict]:
    found = []
    for model in (User, EnterpriseUser, Group):
        data = model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        data["meta"] = {"resourceType": "Schema", "location": f"{base_url}Schemas/{data['id']}"}
        found.append(data)
    return found


def list_response(resources: list[dict], *, total: int, start: int) -> dict:
    return {
        **ListResponse[UserResource](
            total_results=total, start_index=start, items_per_page=len(resources)
        ).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE),
        "Resources": resources,
    }


# --- Reading requests ---------------------------------------------------------------------------------------


def request_json(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return data


def _validate(model, data: dict, **kwargs):
    try:
        return model.model_validate(data, **kwargs)
    except SCIMException:
        raise
    except PydanticError as error:
        scim_type = "invalidValue"
        for item in error.errors():
            if item.get("type", "").startswith("scim_"):
                scim_type = item["type"].removeprefix("scim_")
                break
        raise ScimError(400, _first_message(error), scim_type) from None


def _first_message(error: PydanticError) -> str:
    item = error.errors()[0]
    where = ".".join(str(part) for part in item.get("loc", ()))
    return f"{where}: {item['msg']}" if where else item["msg"]


def _manager_object(value):
    """Entra ID sends the manager as its id alone (a string) where RFC 7643 has an object with `value`."""
    if isinstance(value, str):
        return {"value": value} if value else None
    return value


def _smooth_user(data: dict) -> dict:
    """A User body with the identity providers' known departures from RFC 7643 made standard."""
    data = dict(data)
    extension = data.get(ENTERPRISE)
    if isinstance(extension, dict) and "manager" in extension:
        data[ENTERPRISE] = {**extension, "manager": _manager_object(extension["manager"])}
    for key in ("id", "meta"):
        data.pop(key, None)
    return data


def read_user(data: dict) -> UserResource:
    """A POST or PUT body as a User with the enterprise extension (its userName required)."""
    user = _validate(UserResource, _smooth_user(data))
    if not user.user_name:
        raise ScimError(400, "userName is required.", "invalidValue")
    _require_short(userName=user.user_name, externalId=user.external_id)
    return user


MAX_NAME = 255  # the longest userName, externalId or group displayName kept


def _require_short(**values) -> None:
    for name, value in values.items():
        if value and len(value) > MAX_NAME:
            raise ScimError(400, f"Keep {name} under {MAX_NAME} characters.", "invalidValue")


def read_group(data: dict) -> GroupResource:
    data = {key: value for key, value in data.items() if key not in ("id", "meta")}
    group = _validate(GroupResource, data)
    if not group.display_name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    _require_short(displayName=group.display_name, externalId=group.external_id)
    return group


def _smooth_operation(operation: dict) -> list[dict]:
    """One PATCH operation as RFC 7644 writes it: Entra ID removes members by value (not by a filtered path) and
    sends the manager as a bare id."""
    if not isinstance(operation, dict):
        return [operation]
    op = str(operation.get("op", "")).lower()
    path = operation.get("path")
    value = operation.get("value")
    if op == "remove" and isinstance(path, str) and "[" not in path and isinstance(value, list):
        return [
            {"op": "remove", "path": f"{path}[value eq {json.dumps(str(item.get('value')))}]"}
            for item in value
            if isinstance(item, dict) and "value" in item
        ]
    if op == "remove" and value is not None and not isinstance(value, list):
        operation = {key: item for key, item in operation.items() if key != "value"}
    if path is None and isinstance(value, dict):
        operation = {**operation, "value": _smooth_values(value)}
    if isinstance(path, str) and path.lower().endswith("manager") and "." not in path.rsplit(":", 1)[-1]:
        operation = {**operation, "value": _manager_object(value)}
    if isinstance(path, str) and path.lower() == f"{ENTERPRISE}:manager.value".lower():
        operation = {**operation, "path": f"{ENTERPRISE}:manager", "value": _manager_object(value)}
    return [operation]


def _smooth_values(value: dict) -> dict:
    """A PATCH value without a path: its manager (by the enterprise URN, or inside the extension) made an object."""
    smoothed = {}
    for key, item in value.items():
        if key.lower() == f"{ENTERPRISE}:manager".lower():
            item = _manager_object(item)
        elif key == ENTERPRISE and isinstance(item, dict) and "manager" in item:
            item = {**item, "manager": _manager_object(item["manager"])}
        smoothed[key] = item
    return smoothed


def read_patch(data: dict, model):
    """A PatchOp for `model`, with capitalised op names ("Replace"), string booleans ("False") and Entra ID's
    other shapes accepted."""
    operations = data.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH needs its Operations.", "invalidSyntax")
    smoothed = [item for operation in operations for item in _smooth_operation(operation)]
    return _validate(
        PatchOp[model],
        {**data, "Operations": smoothed, "schemas": [PATCH_OP]},
        scim_ctx=Context.RESOURCE_PATCH_REQUEST,
    )


def apply_patch(patch, resource) -> None:
    try:
        patch.patch(resource)
    except SCIMException:
        raise
    except PydanticError as error:
        raise ScimError(400, _first_message(error), "invalidValue") from None


def search_parameters(query: dict, model) -> SearchRequest:
    """The list parameters of a GET: filter, startIndex, count, attributes and excludedAttributes."""
    data = {}
    for name in ("filter", "startIndex", "count"):
        if query.get(name) not in (None, ""):
            data[name] = query[name]
    for name in ("attributes", "excludedAttributes"):
        if query.get(name):
            data[name] = [part.strip() for part in query[name].split(",") if part.strip()]
    if "filter" in data:
        try:
            data["filter"] = ScimFilter[model](data["filter"])
        except InvalidFilterException:
            raise
        except (PydanticError, ValueError) as error:
            raise InvalidFilterException(detail=str(error)) from None
    try:
        return SearchRequest.model_validate(data)
    except PydanticError:
        raise ScimError(400, "startIndex and count must be numbers.", "invalidValue") from None


def page_bounds(search: SearchRequest) -> tuple[int, int]:
    """(startIndex, count): 1 and 100 by default; a startIndex under 1 is 1 and a negative count 0 (§3.4.2.4)."""
    start = max(search.start_index or 1, 1)
    count = 100 if search.count is None else min(max(search.count, 0), MAX_COUNT)
    return start, count


# --- Filters as queries -------------------------------------------------------------------------------------

_STRING_LOOKUPS = {
    CompareOperator.eq: "iexact",
    CompareOperator.ne: "iexact",
    CompareOperator.co: "icontains",
    CompareOperator.sw: "istartswith",
    CompareOperator.ew: "iendswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def _datetime(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidFilterException(detail=f"{value!r} is not a date and time.") from None
    if moment.tzinfo is None:
        raise InvalidFilterException(detail=f"{value!r} needs its time zone (e.g. Z).")
    return moment


def filter_q(node, fields: dict[str, tuple[str, str]]) -> Q:
    """A parsed filter (scim2-models' expression tree) as a Q over `fields`: the lowercase SCIM attribute →
    (the model's lookup, its kind: "string", "datetime", "boolean" or "members")."""
    if isinstance(node, LogicalExpr):
        combined = Q()
        for index, term in enumerate(node.terms):
            part = filter_q(term, fields)
            if index == 0:
                combined = part
            elif node.op == LogicalOperator.and_:
                combined &= part
            else:
                combined |= part
        return combined
    if isinstance(node, Not):
        return ~filter_q(node.expr, fields)
    if isinstance(node, Present):
        lookup, kind = _field(node.attr_path, fields)
        if kind in ("datetime", "boolean", "members"):
            return Q(**{f"{lookup}__isnull": False})
        return Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: ""})
    if isinstance(node, Comparison):
        lookup, kind = _field(node.attr_path, fields)
        value = node.value
        if kind == "datetime":
            if node.op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
                raise InvalidFilterException(detail=f"{node.op.value} does not compare dates.")
            value = _datetime(value)
            lookup_name = (
                "exact" if node.op in (CompareOperator.eq, CompareOperator.ne) else _STRING_LOOKUPS[node.op]
            )
        elif kind == "boolean":
            if node.op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(detail=f"{node.op.value} does not compare booleans.")
            value = str(value).lower() == "true"
            lookup_name = "exact"
        elif kind == "members":
            if node.op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(detail=f"{node.op.value} does not compare ids.")
            if not is_uuid(value):  # no id of ours: nothing is it
                return ~Q(pk__in=[]) if node.op == CompareOperator.ne else Q(pk__in=[])
            lookup_name = "exact"
            value = str(value)
        else:
            value = "" if value is None else str(value)
            lookup_name = _STRING_LOOKUPS[node.op]
        q = Q(**{f"{lookup}__{lookup_name}": value})
        return ~q if node.op == CompareOperator.ne else q
    raise InvalidFilterException(detail="This filter is not supported here.")


def _field(attr_path, fields: dict[str, tuple[str, str]]) -> tuple[str, str]:
    name = attr_path.attr.lower()
    if attr_path.sub_attr:
        name = f"{name}.{attr_path.sub_attr.lower()}"
    found = fields.get(name)
    if found is None:
        raise InvalidFilterException(detail=f"Filtering on {attr_path} is not supported.")
    return found


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def shaped(model, data: dict, search: SearchRequest | None) -> dict:
    """A resource as the client asked for it (`attributes`, `excludedAttributes`), through scim2-models."""
    if search is None or not (search.attributes or search.excluded_attributes):
        return data
    meta = data.get("meta")
    dumped = model.model_validate(data).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=search
    )
    if meta and "meta" in dumped:
        dumped["meta"] = meta
    return dumped
