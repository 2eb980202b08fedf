"""Member directory and profile pages."""

import pytest
from django.urls import reverse

from members.models import Profile
from tests.factories import TagFactory, UserFactory
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_directory_requires_login(client):
    """An anonymous visitor is sent to the login page."""
    response = client.get(reverse("members:directory"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_directory_lists_people_and_finds_by_expertise(member_client):
    """Searching by an expertise finds the expert and not the others."""
    expert = UserFactory(full_name="Grace Expert")
    expert.profile.expertise.add(TagFactory(name="Kaizen"))
    UserFactory(full_name="Other Person")

    response = member_client.get(reverse("members:directory"), {"q": "kaizen"})

    assert response.status_code == 200
    names = [person.full_name for person in response.context["page"].object_list]
    assert names == ["Grace Expert"]
    assert "Kaizen" in response.text


def test_directory_leaves_out_opt_outs_and_deactivated(member_client):
    """People who opted out of the directory or who left are not listed."""
    hidden = UserFactory(full_name="Hidden Person")
    Profile.objects.filter(user=hidden).update(in_directory=False)
    UserFactory(full_name="Gone Person", is_active=False)

    response = member_client.get(reverse("members:directory"))

    assert "Hidden Person" not in response.text
    assert "Gone Person" not in response.text
    assert "Mia Member" in response.text


def test_directory_rejects_post(member_client):
    assert member_client.post(reverse("members:directory")).status_code == 405


def test_directory_is_paginated(member_client, settings):
    settings.PAGE_SIZE = 2
    for n in range(4):
        UserFactory(full_name=f"Person {n}")
    response = member_client.get(reverse("members:directory"), {"page": 2})
    assert response.context["page"].number == 2
    assert "Page 2 of 3" in response.text


def test_directory_query_count_is_constant(member_client):
    """The directory runs the same queries for 100 and 1,100 people.

    1 the signed-in user, 2 the count for the paginator, 3 the page of people with org unit and profile,
    4 their expertise (prefetched). The session lives in Redis.
    """
    assert_constant_queries(member_client, reverse("members:directory"), expected=4)


def test_profile_shows_person(member_client):
    person = UserFactory(full_name="Ada Profile")
    person.profile.expertise.add(TagFactory(name="Statistics"))
    response = member_client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert "Ada Profile" in response.text
    assert "Statistics" in response.text


def test_profile_of_opted_out_person_is_404_to_others_but_visible_to_self(client):
    person = UserFactory(full_name="Quiet Person")
    Profile.objects.filter(user=person).update(in_directory=False)
    other = UserFactory()
    client.force_login(other)
    assert client.get(person.get_absolute_url()).status_code == 404
    client.force_login(person)
    assert client.get(person.get_absolute_url()).status_code == 200


def test_profile_of_unknown_person_is_404(member_client):
    assert member_client.get(reverse("members:profile", args=[999999])).status_code == 404
