"""SCIM's Users endpoint: create, read, filter, page, shape, replace, patch and delete; tokens (401), a connection
whose maker left staff (403), versions (412), and errors in SCIM's format."""

import pytest

from integrations.models import AuditEntry, DirectoryConnection, ScimPerson
from integrations.scim import services
from members.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user_body(user_name="ann@example.org", **extra) -> dict:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": user_name,
        "externalId": f"ext-{user_name}",
        "name": {"givenName": "Ann", "familyName": "Lee"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "title": "Analyst",
        "active": True,
        ENTERPRISE: {
            "department": "Operations / Maintenance",
            "division": "Industrial",
            "employeeNumber": "7",
        },
    }
    body.update(extra)
    return body


def patch(*operations) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


def error_of(response) -> tuple[int, str | None]:
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(response.status_code)
    return response.status_code, body.get("scimType")


@pytest.fixture
def ann(scim):
    response = scim.post("Users", user_body())
    assert response.status_code == 201, response.content
    return response.json()


# --- Tokens -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes", "Schemas", "Users", "Groups"])
def test_no_token_or_a_wrong_one_is_401(client, connection, path):
    assert error_of(client.get(f"/scim/v2/{path}"))[0] == 401
    wrong = client.get(f"/scim/v2/{path}", headers={"Authorization": "Bearer not-the-token"})
    assert error_of(wrong)[0] == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert error_of(client.get(f"/scim/v2/{path}", headers={"Authorization": "Basic abc"}))[0] == 401


def test_a_revoked_token_is_401(scim, admin, connection):
    assert services.connection_revoke(actor=admin, connection=connection)
    assert error_of(scim.get("Users"))[0] == 401
    assert not services.connection_revoke(actor=admin, connection=connection)


def test_a_connection_whose_maker_left_staff_is_403(scim, admin):
    admin.is_staff = False
    admin.save()
    assert error_of(scim.get("Users"))[0] == 403
    assert error_of(scim.post("Users", user_body()))[0] == 403
    assert not User.objects.filter(email="ann@example.org").exists()


def test_a_wrong_method_is_405(scim):
    response = scim.post("ServiceProviderConfig", {})
    assert error_of(response)[0] == 405
    assert response["Allow"] == "GET"


def test_using_a_connection_notes_when(scim, connection):
    scim.get("ServiceProviderConfig")
    connection.refresh_from_db()
    assert connection.last_used_at is not None


# --- Discovery ----------------------------------------------------------------------------------------------


def test_discovery(scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"] and config["etag"]["supported"]
    assert not config["bulk"]["supported"]
    types = scim.get("ResourceTypes").json()
    assert {item["id"] for item in types["Resources"]} == {"User", "Group"}
    assert scim.get("ResourceTypes/User").json()["schemaExtensions"][0]["schema"] == ENTERPRISE
    assert error_of(scim.get("ResourceTypes/Printer"))[0] == 404
    found = scim.get("Schemas").json()
    assert ENTERPRISE in {item["id"] for item in found["Resources"]}
    assert scim.get(f"Schemas/{ENTERPRISE}").json()["id"] == ENTERPRISE
    assert error_of(scim.get("Schemas/urn:nothing"))[0] == 404


# --- Create -------------------------------------------------------------------------------------------------


def test_create_maps_the_person(scim, ann, connection):
    person = User.objects.select_related("org_unit__parent", "profile").get(email="ann@example.org")
    assert person.full_name == "Ann Lee"
    assert person.profile.job_title == "Analyst"
    assert person.directory == "Entra ID"
    assert (person.org_unit.parent.name, person.org_unit.name) == ("Operations", "Maintenance")
    assert ann["userName"] == "ann@example.org"
    assert ann[ENTERPRISE]["employeeNumber"] == "7"
    assert ann["meta"]["version"] == 'W/"1"'
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.method) == ("person_created", person, "POST")
    assert {"userName", "externalId", "emails", "name", "title", "department", "employeeNumber"} <= set(
        entry.fields
    )


def test_create_takes_over_someone_who_signed_up_by_hand(scim):
    existing = UserFactory(email="ann@example.org", full_name="Ann")
    assert scim.post("Users", user_body()).status_code == 201
    existing.refresh_from_db()
    assert existing.full_name == "Ann Lee" and existing.directory == "Entra ID"
    assert User.objects.filter(email__iexact="ann@example.org").count() == 1


def test_create_twice_is_a_conflict(scim, ann):
    assert error_of(scim.post("Users", user_body())) == (409, "uniqueness")
    assert error_of(scim.post("Users", user_body(user_name="ANN@example.org"))) == (409, "uniqueness")


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ("{not json", "invalidSyntax"),
        ("[1, 2]", "invalidSyntax"),
        ({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}, "invalidValue"),
        (user_body(user_name="ann", emails=[]), "invalidValue"),
        (user_body(emails=[{"value": "not an email"}]), "invalidValue"),
        (user_body(name={"formatted": "x" * 200}), "invalidValue"),
        (user_body(title="t" * 200), "invalidValue"),
        (
            user_body(user_name="u" * 256, emails=[{"value": "u@example.org", "primary": True}]),
            "invalidValue",
        ),
        (user_body(externalId="x" * 256), "invalidValue"),
    ],
)
def test_create_refuses_bad_input(scim, body, scim_type):
    assert error_of(scim.post("Users", body)) == (400, scim_type)
    assert not ScimPerson.objects.exists()


def test_create_inactive_deactivates(scim):
    response = scim.post("Users", user_body(active=False))
    assert response.json()["active"] is False
    assert not User.objects.get(email="ann@example.org").is_active


def test_an_email_that_is_someone_elses_is_a_conflict(scim, ann):
    UserFactory(email="bob@example.org")
    response = scim.put(
        f"Users/{ann['id']}", user_body(emails=[{"value": "bob@example.org", "primary": True}])
    )
    assert error_of(response) == (409, "uniqueness")


# --- Read, filter, page, shape ------------------------------------------------------------------------------


def test_get_one(scim, ann):
    response = scim.get(f"Users/{ann['id']}")
    assert response.status_code == 200
    assert response["ETag"] == 'W/"1"'
    assert response.json()["name"]["givenName"] == "Ann"
    assert "password" not in response.json()
    assert error_of(scim.get("Users/00000000-0000-0000-0000-000000000000"))[0] == 404
    assert error_of(scim.get("Users/not-a-uuid"))[0] == 404
    assert scim.get(f"Users/{ann['id']}", **{"If-None-Match": 'W/"1"'}).status_code == 304
    assert scim.get(f"Users/{ann['id']}", **{"If-None-Match": 'W/"0"'}).status_code == 200


def test_another_connections_people_are_not_found(scim, ann, admin):
    _, other_token = services.connection_create(actor=admin, name="Okta", org_unit_source="division")
    from tests.integrations.conftest import ScimClient

    other = ScimClient(other_token)
    assert error_of(other.get(f"Users/{ann['id']}"))[0] == 404
    assert other.get("Users").json()["totalResults"] == 0


@pytest.fixture
def three(scim):
    ids = {}
    for name in ("ann", "bob", "cyd"):
        ids[name] = scim.post("Users", user_body(user_name=f"{name}@example.org")).json()["id"]
    return ids


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName eq "BOB@example.org"', {"bob"}),
        ('userName ne "bob@example.org"', {"ann", "cyd"}),
        ('userName co "y"', {"cyd"}),
        ('userName sw "a"', {"ann"}),
        ('userName ew ".org"', {"ann", "bob", "cyd"}),
        ('emails co "bob"', {"bob"}),
        ('emails.value eq "cyd@example.org"', {"cyd"}),
        ('externalId eq "ext-ann@example.org"', {"ann"}),
        ("externalId pr", {"ann", "bob", "cyd"}),
        ("displayName pr", set()),
        ('userName eq "ann@example.org" or userName eq "cyd@example.org"', {"ann", "cyd"}),
        ('userName sw "a" and emails co "example"', {"ann"}),
        ('not (userName eq "ann@example.org")', {"bob", "cyd"}),
        ('meta.lastModified gt "2000-01-01T00:00:00Z"', {"ann", "bob", "cyd"}),
        ('meta.lastModified lt "2000-01-01T00:00:00Z"', set()),
        ('meta.created ge "2000-01-01T00:00:00+00:00"', {"ann", "bob", "cyd"}),
        ("active eq true", {"ann", "bob", "cyd"}),
        ('title eq "Analyst"', {"ann", "bob", "cyd"}),
        ('name.formatted co "Lee"', {"ann", "bob", "cyd"}),
        ('id eq "not-one-of-ours"', set()),
        ('id ne "not-one-of-ours"', {"ann", "bob", "cyd"}),
    ],
)
def test_filter(scim, three, expression, expected):
    response = scim.get("Users", {"filter": expression})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {item["userName"].split("@")[0] for item in body["Resources"]} == expected
    assert body["totalResults"] == len(expected)


@pytest.mark.parametrize(
    "expression",
    [
        "userName eq",
        'nickName eq "x"',
        'meta.lastModified gt "yesterday"',
        'meta.lastModified gt "2000-01-01T00:00:00"',
        'meta.lastModified co "2000"',
        "active gt true",
        'id co "1"',
        'emails[type eq "work"]',
    ],
)
def test_a_bad_filter_is_400_invalid_filter(scim, three, expression):
    assert error_of(scim.get("Users", {"filter": expression})) == (400, "invalidFilter")


def test_filter_by_id(scim, three):
    found = scim.get("Users", {"filter": f'id eq "{three["bob"]}"'}).json()
    assert [item["id"] for item in found["Resources"]] == [three["bob"]]


def test_paging(scim, three):
    body = scim.get("Users", {"startIndex": 2, "count": 1}).json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 2, 1)
    assert body["Resources"][0]["id"] == three["bob"]
    assert scim.get("Users", {"count": 0}).json()["Resources"] == []
    assert scim.get("Users", {"startIndex": 0}).json()["startIndex"] == 1
    assert error_of(scim.get("Users", {"count": "many"}))[0] == 400


def test_attributes_and_excluded_attributes(scim, three):
    only = scim.get("Users", {"attributes": "userName"}).json()["Resources"][0]
    assert set(only) == {"schemas", "id", "userName"}
    without = scim.get(f"Users/{three['ann']}", {"excludedAttributes": "emails,title"}).json()
    assert "emails" not in without and "title" not in without and without["userName"] == "ann@example.org"


# --- Replace and patch --------------------------------------------------------------------------------------


def test_put_replaces(scim, ann):
    body = user_body(title="Lead", name={"formatted": "Ann B. Lee"})
    body[ENTERPRISE] = {"department": "Sales"}
    response = scim.put(f"Users/{ann['id']}", body)
    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'
    person = User.objects.select_related("org_unit", "profile").get(email="ann@example.org")
    assert (person.full_name, person.profile.job_title, person.org_unit.name) == (
        "Ann B. Lee",
        "Lead",
        "Sales",
    )
    entry = AuditEntry.objects.filter(action="person_updated").get()
    assert {"full_name", "job_title", "org_unit", "department", "employeeNumber"} <= set(entry.fields)
    assert scim.put(f"Users/{ann['id']}", body)["ETag"] == 'W/"2"', "the same request again changes nothing"
    assert AuditEntry.objects.filter(action="person_updated").count() == 1


def test_put_refuses_bad_input(scim, ann):
    assert error_of(scim.put(f"Users/{ann['id']}", {"schemas": []}))[0] == 400
    assert error_of(scim.put("Users/00000000-0000-0000-0000-000000000000", user_body()))[0] == 404


def test_if_match(scim, ann):
    stale = scim.patch(
        f"Users/{ann['id']}", patch({"op": "replace", "path": "title", "value": "X"}), **{"If-Match": 'W/"9"'}
    )
    assert error_of(stale)[0] == 412
    fresh = scim.patch(
        f"Users/{ann['id']}", patch({"op": "replace", "path": "title", "value": "X"}), **{"If-Match": 'W/"1"'}
    )
    assert fresh.status_code == 200
    anyway = scim.patch(
        f"Users/{ann['id']}", patch({"op": "replace", "path": "title", "value": "Y"}), **{"If-Match": "*"}
    )
    assert anyway.status_code == 200


def test_patch_without_path_and_with_value_filters(scim, ann):
    response = scim.patch(
        f"Users/{ann['id']}",
        patch(
            {"op": "Replace", "value": {"title": "Head", "name.givenName": "Anne"}},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "anne@example.org"},
            {"op": "remove", "path": f"{ENTERPRISE}:employeeNumber"},
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Head" and body["name"]["givenName"] == "Anne"
    assert ENTERPRISE not in body or "employeeNumber" not in body[ENTERPRISE]
    assert User.objects.filter(email="anne@example.org").exists()


def test_patch_remove_the_title_and_department(scim, ann):
    scim.patch(
        f"Users/{ann['id']}",
        patch({"op": "remove", "path": "title"}, {"op": "remove", "path": f"{ENTERPRISE}:department"}),
    )
    person = User.objects.select_related("profile").get(email="ann@example.org")
    assert person.profile.job_title == "" and person.org_unit is None


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [PATCH]},
        {"schemas": [PATCH], "Operations": [{"op": "explode", "path": "title"}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "nosuch[", "value": 1}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "maybe"}]},
    ],
)
def test_patch_refuses_bad_operations(scim, ann, body):
    assert error_of(scim.patch(f"Users/{ann['id']}", body))[0] == 400
    assert not AuditEntry.objects.filter(action="person_updated").exists()


def test_manager_as_entra_id_sends_it(scim, ann):
    boss = scim.post("Users", user_body(user_name="boss@example.org")).json()
    scim.patch(
        f"Users/{ann['id']}",
        patch({"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss["id"]}),
    )
    person = User.objects.select_related("reports_to").get(email="ann@example.org")
    assert person.reports_to.email == "boss@example.org"
    body = scim.get(f"Users/{ann['id']}").json()
    assert body[ENTERPRISE]["manager"]["value"] == boss["id"]
    # Okta-style object, by externalId; then removed.
    scim.patch(
        f"Users/{ann['id']}",
        patch({"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": "ext-boss@example.org"}}),
    )
    assert User.objects.get(email="ann@example.org").reports_to.email == "boss@example.org"
    scim.patch(f"Users/{ann['id']}", patch({"op": "remove", "path": f"{ENTERPRISE}:manager"}))
    assert User.objects.get(email="ann@example.org").reports_to is None
    scim.patch(
        f"Users/{ann['id']}", patch({"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "unknown"})
    )
    assert User.objects.get(email="ann@example.org").reports_to is None


def test_patch_values_keyed_by_the_enterprise_urn(scim, ann):
    """Entra ID's PATCH without a path, its keys the extension's full names, its boolean a string."""
    boss = scim.post("Users", user_body(user_name="boss@example.org")).json()
    response = scim.patch(
        f"Users/{ann['id']}",
        patch(
            {
                "op": "Replace",
                "value": {
                    f"{ENTERPRISE}:department": "Finance",
                    f"{ENTERPRISE}:manager": boss["id"],
                    "active": "False",
                },
            },
            {"op": "Add", "value": {ENTERPRISE: {"manager": boss["id"], "department": "Finance"}}},
        ),
    )
    assert response.status_code == 200, response.content
    person = User.objects.select_related("org_unit", "reports_to").get(email="ann@example.org")
    assert (person.org_unit.name, person.reports_to.email, person.is_active) == (
        "Finance",
        "boss@example.org",
        False,
    )


def test_the_unit_from_the_division(scim, connection, ann):
    connection.org_unit_source = DirectoryConnection.OrgUnitSource.DIVISION
    connection.save()
    scim.put(f"Users/{ann['id']}", user_body())
    assert User.objects.get(email="ann@example.org").org_unit.name == "Industrial"


def test_deactivating_the_connections_maker_is_refused(scim, admin, connection):
    body = user_body(user_name=admin.email, emails=[{"value": admin.email, "primary": True}], active=False)
    assert error_of(scim.post("Users", body)) == (400, "mutability")
    admin.refresh_from_db()
    assert admin.is_active


# --- Delete -------------------------------------------------------------------------------------------------


def test_delete_deactivates_and_never_deletes(scim, ann):
    response = scim.delete(f"Users/{ann['id']}")
    assert response.status_code == 204
    person = User.objects.get(email="ann@example.org")
    assert not person.is_active
    assert scim.get(f"Users/{ann['id']}").json()["active"] is False
    assert scim.delete(f"Users/{ann['id']}").status_code == 204
    assert AuditEntry.objects.filter(action="person_deactivated").count() == 1
    assert error_of(scim.delete("Users/00000000-0000-0000-0000-000000000000"))[0] == 404
