"""The integrations' rows of the authorization matrix: SCIM (bearer tokens, not sessions) and the staff pages of
directory connections and the people import."""

from tests.authz.matrix import Row, uniform
from tests.authz.rules import NOT_ALLOWED, STAFF_ONLY
from tests.integrations.people_import_matrix import apply_body, preview_body


def _connection(c) -> dict:
    """A directory connection to revoke or read (made once per world)."""
    from integrations.models import DirectoryConnection, token_digest

    connection, _ = DirectoryConnection.objects.get_or_create(
        name="Matrix directory",
        defaults={"created_by": c.world.people["staff"], "token_hash": token_digest("matrix-token")},
    )
    return {"pk": connection.pk}


# SCIM answers a session (or no credentials) with 401: only a connection's bearer token opens it, whoever is
# signed in (tests/integrations/test_scim_*.py check the tokens: 401, 403, and what each endpoint does).
NO_TOKEN = uniform("401")
SOME_ID = "6b0b0d4e-2f1a-4a5e-9d1b-000000000000"

# SCIM's rows (integrations/scim).
ROWS_SCIM: list = [
    Row("integrations:scim_service_provider_config", GET=NO_TOKEN, POST=NO_TOKEN, in_community=False),
    Row("integrations:scim_resource_types", GET=NO_TOKEN, POST=NO_TOKEN, in_community=False),
    Row(
        "integrations:scim_resource_type",
        GET=NO_TOKEN,
        POST=NO_TOKEN,
        params=lambda c: {"name": "User"},
        in_community=False,
    ),
    Row("integrations:scim_schemas", GET=NO_TOKEN, POST=NO_TOKEN, in_community=False),
    Row(
        "integrations:scim_schema",
        GET=NO_TOKEN,
        POST=NO_TOKEN,
        params=lambda c: {"urn": "urn:ietf:params:scim:schemas:core:2.0:User"},
        in_community=False,
    ),
    Row("integrations:scim_users", GET=NO_TOKEN, POST=NO_TOKEN, in_community=False),
    Row(
        "integrations:scim_user",
        GET=NO_TOKEN,
        POST=NO_TOKEN,
        params=lambda c: {"scim_id": SOME_ID},
        in_community=False,
    ),
    Row("integrations:scim_groups", GET=NO_TOKEN, POST=NO_TOKEN, in_community=False),
    Row(
        "integrations:scim_group",
        GET=NO_TOKEN,
        POST=NO_TOKEN,
        params=lambda c: {"scim_id": SOME_ID},
        in_community=False,
    ),
    # The staff pages of directory connections.
    Row("integrations:directory_connections", GET=STAFF_ONLY, POST=NOT_ALLOWED, in_community=False),
    Row(
        "integrations:directory_connection_create",
        GET=STAFF_ONLY,
        POST=STAFF_ONLY,
        body={"name": "Okta", "org_unit_source": "department"},
        writes=("integrations_directoryconnection",),
        in_community=False,
    ),
    Row(
        "integrations:directory_connection_revoke",
        GET=NOT_ALLOWED,
        POST=STAFF_ONLY,
        params=_connection,
        writes=("integrations_directoryconnection",),
        in_community=False,
    ),
    Row(
        "integrations:directory_connection_audit",
        GET=STAFF_ONLY,
        POST=NOT_ALLOWED,
        params=_connection,
        in_community=False,
    ),
]
# The people import's rows (integrations/people_import).
ROWS_IMPORT: list = [
    # The upload form and its preview (which writes nothing), then applying the previewed file: staff only.
    Row("integrations:people_import", GET=STAFF_ONLY, POST=STAFF_ONLY, body=preview_body, in_community=False),
    Row(
        "integrations:people_import_apply",
        GET=NOT_ALLOWED,
        POST=STAFF_ONLY,
        body=apply_body,
        writes=("members_user",),
        in_community=False,
    ),
]
