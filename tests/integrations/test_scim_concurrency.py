"""Two provisioning runs at once cannot make two people of one: on PostgreSQL, two concurrent POSTs of the same
userName make one person and one link, the other answered 409."""

import threading

import pytest
from django.db import connection as db_connection

from integrations.models import ScimPerson
from members.models import User
from tests.integrations.conftest import ScimClient


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_make_one_person(token):
    if db_connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serializes writers)")
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "twice@example.org",
        "emails": [{"value": "twice@example.org", "primary": True}],
    }
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = ScimClient(token)
        barrier.wait()
        try:
            statuses.append(client.post("Users", body).status_code)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert User.objects.filter(email__iexact="twice@example.org").count() == 1
    assert ScimPerson.objects.filter(user_name__iexact="twice@example.org").count() == 1
