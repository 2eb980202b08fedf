"""The staff pages of directory connections: list, create (the token shown once, stored hashed), revoke, and the
audit log; everyone else gets 403."""

import hashlib

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, DirectoryConnection
from integrations.scim import services
from tests.factories import UserFactory
from tests.integrations.conftest import ScimClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin):
    client.force_login(admin)
    return client


def test_create_shows_the_token_once_and_keeps_its_hash(staff_client):
    url = reverse("integrations:directory_connection_create")
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"name": "Okta", "org_unit_source": "groups"})
    assert response.status_code == 200
    token = response.context["token"]
    assert len(token) >= 43
    connection = DirectoryConnection.objects.get(name="Okta")
    assert connection.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(connection.__dict__)
    page = response.content.decode()
    assert token in page and "http://testserver/scim/v2/" in page
    assert "no-store" in response["Cache-Control"], "the page with the token is never kept by a cache"
    assert ScimClient(token).get("Users").status_code == 200
    listing = staff_client.get(reverse("integrations:directory_connections")).content.decode()
    assert "Okta" in listing and token not in listing


def test_create_refuses_bad_input(staff_client, connection):
    url = reverse("integrations:directory_connection_create")
    response = staff_client.post(url, {"name": "entra id", "org_unit_source": "department"})
    assert response.status_code == 200
    assert "already has this name" in response.content.decode()
    response = staff_client.post(url, {"name": "", "org_unit_source": "shoe size"})
    assert response.status_code == 200 and response.context["form"].errors.keys() == {
        "name",
        "org_unit_source",
    }
    assert DirectoryConnection.objects.count() == 1


def test_revoke(staff_client, connection, token):
    url = reverse("integrations:directory_connection_revoke", args=[connection.pk])
    assert staff_client.get(url).status_code == 405
    assert staff_client.post(url).status_code == 302
    connection.refresh_from_db()
    assert connection.is_revoked
    assert ScimClient(token).get("Users").status_code == 401
    staff_client.post(url)
    assert "Revoked" in staff_client.get(reverse("integrations:directory_connections")).content.decode()
    missing = reverse("integrations:directory_connection_revoke", args=[connection.pk + 1000])
    assert staff_client.post(missing).status_code == 404


def test_audit_log(staff_client, connection, scim):
    scim.post(
        "Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ann@example.org"}
    )
    url = reverse("integrations:directory_connection_audit", args=[connection.pk])
    page = staff_client.get(url).content.decode()
    assert "Created a person" in page and "ann@example.org" in page and "POST /scim/v2/Users" in page
    assert AuditEntry.objects.count() == 1


def test_empty_pages_say_what_would_be_there(staff_client, admin):
    assert (
        "No identity provider is connected yet"
        in staff_client.get(reverse("integrations:directory_connections")).content.decode()
    )
    connection, _ = services.connection_create(actor=admin, name="Keycloak", org_unit_source="division")
    url = reverse("integrations:directory_connection_audit", args=[connection.pk])
    assert "Nothing yet" in staff_client.get(url).content.decode()


def test_others_get_403(client, connection):
    client.force_login(UserFactory())
    assert client.get(reverse("integrations:directory_connections")).status_code == 403
    create = reverse("integrations:directory_connection_create")
    assert client.post(create, {"name": "Mine", "org_unit_source": "department"}).status_code == 403
    assert (
        client.post(reverse("integrations:directory_connection_revoke", args=[connection.pk])).status_code
        == 403
    )
    assert not DirectoryConnection.objects.filter(name="Mine").exists()
    connection.refresh_from_db()
    assert not connection.is_revoked


def test_the_services_refuse_non_staff(connection):
    from core.rules import NotPermitted

    with pytest.raises(NotPermitted):
        services.connection_create(actor=UserFactory(), name="X", org_unit_source="department")
    with pytest.raises(NotPermitted):
        services.connection_revoke(actor=UserFactory(), connection=connection)


def test_the_attention_page_links_here(staff_client):
    page = staff_client.get(reverse("communities:staff_attention")).content.decode()
    assert reverse("integrations:directory_connections") in page
