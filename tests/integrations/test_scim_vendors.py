"""The request sequences Entra ID and Okta send (tests/fixtures/scim/*.json, each citing the vendor's page), over
real HTTP against the live test server: the person is created, changed, deactivated and reactivated, and the same
request twice changes nothing the second time."""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from integrations.models import AuditEntry, ScimPerson
from members.models import User

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scim"


def _fill(value, ids: dict):
    if isinstance(value, str):
        for name, found in ids.items():
            value = value.replace("{" + name + "}", found)
        return value
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def send(base: str, token: str, method: str, path: str, body=None) -> tuple[int, dict, dict]:
    """One request with urllib: (status, JSON body or {}, headers)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else {}, dict(error.headers)


def run(live_server, token: str, vendor: str) -> dict:
    """Play a vendor's sequence; every step answers as the fixture says. Returns the ids it saved."""
    sequence = json.loads((FIXTURES / f"{vendor}.json").read_text())
    assert sequence["_source"], "each fixture cites the vendor's documentation"
    base = live_server.url + "/scim/v2/"
    ids: dict[str, str] = {}
    for step in sequence["steps"]:
        for attempt in range(step.get("repeat", 1)):
            audit_before = AuditEntry.objects.count()
            status, body, headers = send(
                base, token, step["method"], _fill(step["path"], ids), _fill(step.get("body"), ids)
            )
            assert status == step["status"], (step["_note"], body)
            assert headers["Content-Type"].startswith("application/scim+json")
            for key, value in step.get("expect", {}).items():
                assert body[key] == value, (step["_note"], key, body)
            if "save_id" in step:
                ids[step["save_id"]] = body["id"]
            if attempt:
                assert AuditEntry.objects.count() == audit_before, (
                    f"{step['_note']}: the repeat changed something"
                )
    return ids


@pytest.mark.django_db(transaction=True)
def test_entra_id_sequence(live_server, connection, token):
    """Create, PATCH (capitalised ops, filtered paths), rename the department, disable ("False") and enable."""
    ids = run(live_server, token, "entra_id")
    link = ScimPerson.objects.select_related("user__org_unit__parent", "user__profile").get(
        scim_id=ids["user"]
    )
    person = link.user
    assert person.email == "updatedemail@contoso.com"
    assert person.full_name == "givenName updatedFamilyName"
    assert person.profile.job_title == "Engineer"
    assert person.directory == "Entra ID"
    assert person.is_active
    assert (person.org_unit.parent.name, person.org_unit.name) == ("Operations", "Reliability")
    assert link.user_name == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "person_created",
        "person_updated",
        "person_updated",
        "person_updated",
        "person_deactivated",
        "person_reactivated",
    ]


@pytest.mark.django_db(transaction=True)
def test_okta_sequence(live_server, connection, token):
    """Create, PUT (twice: the second changes nothing), deactivate and reactivate by PATCH without a path."""
    ids = run(live_server, token, "okta")
    person = User.objects.select_related("org_unit__parent", "profile").get(email="test.user@example.com")
    assert ScimPerson.objects.get(user=person).scim_id.hex == ids["user"].replace("-", "")
    assert person.full_name == "Another User"
    assert person.profile.job_title == "Controller"
    assert (person.org_unit.parent.name, person.org_unit.name) == ("Finance", "Controlling")
    assert person.is_active
    assert not person.has_usable_password(), (
        "Okta's password is not kept: people sign in through single sign-on"
    )
