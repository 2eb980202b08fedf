"""People suggestions for email inputs: <option>s for the people datalist, completing the last typed fragment."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from members.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:suggest")


@pytest.fixture
def people(db):
    jonas = UserFactory(full_name="Jonas Becker", email="jonas.becker@example.org")
    Profile.objects.filter(user=jonas).update(job_title="Senior SRE")
    UserFactory(full_name="Joanna Smith", email="joanna@example.org")
    UserFactory(full_name="Mark Jones", email="mark@example.org")
    UserFactory(full_name="Jo Gone", email="jo.gone@example.org", is_active=False)
    hidden = UserFactory(full_name="Jo Hidden", email="jo.hidden@example.org")
    Profile.objects.filter(user=hidden).update(in_directory=False)
    return jonas


def _values(response) -> list[str]:
    return re.findall(r'<option value="([^"]*)">', response.text)


def test_suggest_requires_login(client):
    response = client.get(URL, {"q": "jo"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_suggest_rejects_post(member_client):
    assert member_client.post(URL, {"q": "jo"}).status_code == 405


def test_suggest_matches_names_and_addresses_of_active_listed_people(member_client, people):
    response = member_client.get(URL, {"q": "jo"})

    assert response.status_code == 200
    assert _values(response) == ["joanna@example.org", "jonas.becker@example.org", "mark@example.org"]
    assert '<option value="jonas.becker@example.org">Jonas Becker — Senior SRE</option>' in response.text
    assert '<option value="joanna@example.org">Joanna Smith</option>' in response.text
    # Only options: the fragment replaces the datalist's content.
    assert "<datalist" not in response.text
    assert "Jo Gone" not in response.text
    assert "Jo Hidden" not in response.text


@pytest.mark.parametrize("parameter", ["q", "emails", "core_group", "sponsor", "user"])
def test_suggest_reads_whichever_input_asked(member_client, people, parameter):
    assert _values(member_client.get(URL, {parameter: "becker"})) == ["jonas.becker@example.org"]


def test_suggest_completes_the_last_fragment_and_keeps_earlier_addresses(member_client, people):
    """In a comma-separated list, the value keeps what came before, and people already listed are left out."""
    response = member_client.get(URL, {"emails": "joanna@example.org, Mark@example.org;  jo"})
    assert _values(response) == [
        "joanna@example.org, Mark@example.org, jonas.becker@example.org",
    ]


@pytest.mark.parametrize("typed", ["", "j", " j ", "jonas, b", "jonas.becker@example.org, ", "x,"])
def test_suggest_needs_two_characters(member_client, people, typed):
    response = member_client.get(URL, {"q": typed})
    assert response.status_code == 200
    assert _values(response) == []


def test_suggest_without_a_known_parameter_returns_nothing(member_client, people):
    assert _values(member_client.get(URL, {"name": "jonas"})) == []


def test_suggest_returns_at_most_ten(member_client):
    for n in range(12):
        UserFactory(full_name=f"Many Person {n:02d}")
    assert len(_values(member_client.get(URL, {"q": "many"}))) == 10


def test_suggest_escapes_what_people_typed_about_themselves(member_client):
    person = UserFactory(full_name="<b>Bold</b> Person", email="bold@example.org")
    Profile.objects.filter(user=person).update(job_title='"><script>x</script>')
    html = member_client.get(URL, {"q": "bold"}).text
    assert "<script>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Person" in html


def test_suggest_query_count_is_constant(member_client, django_assert_num_queries):
    """1 the signed-in user, 2 the matching people with their profiles. The session lives in Redis."""
    for n in range(15):
        UserFactory(full_name=f"Count Person {n}")
    with django_assert_num_queries(2):
        member_client.get(URL, {"q": "count"})


def test_people_datalist_partial_is_empty_until_asked():
    html = render_to_string("members/_people_datalist.html")
    assert '<datalist id="people-suggestions" data-suggest-url="/members/suggest/">' in html
    assert "<option" not in html
    assert "</datalist>" in html
