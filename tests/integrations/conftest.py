"""Fixtures of the SCIM tests: a staff member's directory connection, its token, and a client that sends it."""

import pytest
from django.test import Client

from integrations.scim import services
from tests.factories import UserFactory


@pytest.fixture
def admin(db):
    """The staff member who connects the identity provider (SCIM acts as them)."""
    return UserFactory(is_staff=True, full_name="Ada Admin")


@pytest.fixture
def connection_and_token(admin):
    return services.connection_create(actor=admin, name="Entra ID", org_unit_source="department")


@pytest.fixture
def connection(connection_and_token):
    return connection_and_token[0]


@pytest.fixture
def token(connection_and_token):
    return connection_and_token[1]


@pytest.fixture
def scim(token):
    """A test client sending the connection's bearer token, reading JSON back."""
    return ScimClient(token)


class ScimClient:
    """Django's test client with the bearer token and SCIM's content type."""

    base = "/scim/v2/"

    def __init__(self, token: str):
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str, params=None, **headers):
        return self.client.get(self.base + path, params or {}, headers=headers)

    def _send(self, method: str, path: str, body, headers):
        import json

        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(
            self.base + path, data, content_type="application/scim+json", headers=headers
        )

    def post(self, path: str, body, **headers):
        return self._send("post", path, body, headers)

    def put(self, path: str, body, **headers):
        return self._send("put", path, body, headers)

    def patch(self, path: str, body, **headers):
        return self._send("patch", path, body, headers)

    def delete(self, path: str, **headers):
        return self.client.delete(self.base + path, headers=headers)
