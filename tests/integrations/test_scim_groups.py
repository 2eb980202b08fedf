"""SCIM's Groups endpoint: a group is an org unit (nested from "A / B"), and when the connection's org units come
from groups, its members get that unit."""

import pytest

from integrations.models import AuditEntry, DirectoryConnection, ScimGroup
from members.models import OrgUnit, User

pytestmark = pytest.mark.django_db
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def error_of(response) -> tuple[int, str | None]:
    assert response["Content-Type"] == "application/scim+json"
    return response.status_code, response.json().get("scimType")


@pytest.fixture
def from_groups(connection):
    connection.org_unit_source = DirectoryConnection.OrgUnitSource.GROUPS
    connection.save()
    return connection


@pytest.fixture
def people(scim):
    ids = {}
    for name in ("ann", "bob"):
        body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"{name}@example.org"}
        ids[name] = scim.post("Users", body).json()["id"]
    return ids


def unit_of(email: str):
    unit = User.objects.select_related("org_unit__parent").get(email=email).org_unit
    return unit and (unit.parent and unit.parent.name, unit.name)


def test_a_group_makes_an_org_unit_and_its_members_get_it(scim, from_groups, people):
    response = scim.post(
        "Groups",
        {"schemas": [GROUP], "displayName": "Engineering / Platform", "members": [{"value": people["ann"]}]},
    )
    assert response.status_code == 201, response.content
    group = response.json()
    assert [member["value"] for member in group["members"]] == [people["ann"]]
    assert unit_of("ann@example.org") == ("Engineering", "Platform")
    assert unit_of("bob@example.org") is None
    assert OrgUnit.objects.get(name="Platform").parent.name == "Engineering"

    # Entra ID adds and removes members by value; Okta removes by a filtered path.
    scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Add", "path": "members", "value": [{"value": people["bob"]}]},
                {"op": "Remove", "path": "members", "value": [{"value": people["ann"]}]},
            ],
        },
    )
    assert unit_of("bob@example.org") == ("Engineering", "Platform")
    assert unit_of("ann@example.org") is None
    scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{people["bob"]}"]'}],
        },
    )
    assert unit_of("bob@example.org") is None

    # Renamed: a new unit, its members move.
    scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "value": {"displayName": "Engineering / Core"}},
                {"op": "add", "path": "members", "value": [{"value": people["ann"]}]},
            ],
        },
    )
    assert unit_of("ann@example.org") == ("Engineering", "Core")
    same = scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "value": {"displayName": "Engineering / Core"}}],
        },
    )
    assert same.status_code == 200
    before = AuditEntry.objects.count()
    scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "value": {"displayName": "Engineering / Core"}}],
        },
    )
    assert AuditEntry.objects.count() == before, "the same request twice changes nothing the second time"

    assert scim.delete(f"Groups/{group['id']}").status_code == 204
    assert unit_of("ann@example.org") is None
    assert OrgUnit.objects.filter(name="Core").exists(), "the unit stays: history refers to it"
    assert not ScimGroup.objects.exists()
    assert error_of(scim.get(f"Groups/{group['id']}"))[0] == 404


def test_with_units_from_departments_groups_do_not_move_people(scim, connection, people):
    scim.post("Groups", {"schemas": [GROUP], "displayName": "Admins", "members": [{"value": people["ann"]}]})
    assert OrgUnit.objects.filter(name="Admins").exists()
    assert unit_of("ann@example.org") is None


def test_list_filter_put_and_get(scim, people):
    made = scim.post("Groups", {"schemas": [GROUP], "displayName": "Sales", "externalId": "g-1"}).json()
    scim.post("Groups", {"schemas": [GROUP], "displayName": "Support"})
    assert scim.get("Groups", {"filter": 'displayName eq "sales"'}).json()["totalResults"] == 1
    assert scim.get("Groups", {"filter": 'displayName sw "S"'}).json()["totalResults"] == 2
    assert scim.get("Groups", {"filter": 'externalId eq "g-1"'}).json()["Resources"][0]["id"] == made["id"]
    replaced = scim.put(
        f"Groups/{made['id']}",
        {
            "schemas": [GROUP],
            "displayName": "Sales",
            "externalId": "g-1",
            "members": [{"value": people["bob"]}],
        },
    )
    assert replaced.status_code == 200 and replaced["ETag"] == 'W/"2"'
    found = scim.get("Groups", {"filter": f'members eq "{people["bob"]}"'}).json()
    assert [group["id"] for group in found["Resources"]] == [made["id"]]
    assert scim.get(f"Groups/{made['id']}", {"attributes": "displayName"}).json().get("members") is None
    assert scim.get(f"Groups/{made['id']}", **{"If-None-Match": 'W/"2"'}).status_code == 304
    listed = scim.get("Groups", {"excludedAttributes": "members", "filter": 'displayName eq "Sales"'}).json()
    assert "members" not in listed["Resources"][0]
    assert error_of(scim.get("Groups", {"filter": 'userName eq "x"'})) == (400, "invalidFilter")


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ({"schemas": [GROUP]}, 400, "invalidValue"),
        ({"schemas": [GROUP], "displayName": "X", "members": [{"value": "nobody"}]}, 400, "invalidValue"),
        ({"schemas": [GROUP], "displayName": "A" * 300}, 400, "invalidValue"),
        ({"schemas": [GROUP], "displayName": "A", "externalId": "e" * 256}, 400, "invalidValue"),
        ("nonsense", 400, "invalidSyntax"),
    ],
)
def test_bad_groups_are_refused(scim, body, status, scim_type):
    assert error_of(scim.post("Groups", body)) == (status, scim_type)
    assert not ScimGroup.objects.exists()


def test_a_group_name_twice_is_a_conflict(scim):
    made = scim.post("Groups", {"schemas": [GROUP], "displayName": "Sales"}).json()
    assert error_of(scim.post("Groups", {"schemas": [GROUP], "displayName": "SALES"})) == (409, "uniqueness")
    other = scim.post("Groups", {"schemas": [GROUP], "displayName": "Support"}).json()
    renamed = scim.put(f"Groups/{other['id']}", {"schemas": [GROUP], "displayName": "sales"})
    assert error_of(renamed) == (409, "uniqueness")
    assert (
        error_of(
            scim.put(
                f"Groups/{made['id']}", {"schemas": [GROUP], "displayName": "Sales"}, **{"If-Match": 'W/"7"'}
            )
        )[0]
        == 412
    )


def test_a_renamed_group_renames_its_org_unit_where_it_stands(scim, from_groups, people):
    """Its people stay in the same unit, now called by the new name; the old name leaves no empty unit behind."""
    group = scim.post(
        "Groups",
        {"schemas": [GROUP], "displayName": "Engineering / Platform", "members": [{"value": people["ann"]}]},
    ).json()
    unit = OrgUnit.objects.get(name="Platform")

    renamed = scim.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": "displayName", "value": "Engineering / Core"}],
        },
    )

    assert renamed.status_code == 200, renamed.content
    unit.refresh_from_db()
    assert (unit.name, unit.parent.name) == ("Core", "Engineering")
    assert unit_of("ann@example.org") == ("Engineering", "Core")
    assert not OrgUnit.objects.filter(name="Platform").exists()


def test_a_group_renamed_to_a_unit_that_exists_moves_its_people_there(scim, from_groups, people):
    scim.post("Groups", {"schemas": [GROUP], "displayName": "Engineering / Core"})
    group = scim.post(
        "Groups",
        {"schemas": [GROUP], "displayName": "Engineering / Platform", "members": [{"value": people["ann"]}]},
    ).json()

    scim.put(
        f"Groups/{group['id']}",
        {"schemas": [GROUP], "displayName": "Engineering / Web", "members": [{"value": people["ann"]}]},
    )
    assert unit_of("ann@example.org") == ("Engineering", "Web")
    assert OrgUnit.objects.filter(name="Web").count() == 1

    moved = scim.put(
        f"Groups/{group['id']}",
        {"schemas": [GROUP], "displayName": "Operations / Web", "members": [{"value": people["ann"]}]},
    )
    assert moved.status_code == 200
    assert unit_of("ann@example.org") == ("Operations", "Web")  # another parent: a move, not a rename


def test_a_rename_refused_as_another_groups_name_changes_no_unit(scim):
    scim.post("Groups", {"schemas": [GROUP], "displayName": "Sales"})
    other = scim.post("Groups", {"schemas": [GROUP], "displayName": "Support"}).json()
    assert error_of(scim.put(f"Groups/{other['id']}", {"schemas": [GROUP], "displayName": "Sales"}))[0] == 409
    assert OrgUnit.objects.filter(name="Support").exists()  # the refused rename left its unit as it was
    assert OrgUnit.objects.filter(name__iexact="sales").count() == 1
