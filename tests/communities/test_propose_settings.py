"""Proposing a community and the coordinators' settings page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SponsorshipFactory,
    TagFactory,
    UserFactory,
    coordinator_of,
    member_of,
)

pytestmark = pytest.mark.django_db
PROPOSE = reverse("communities:propose")


def proposal(**overrides) -> dict:
    data = {
        "name": "Test Automation Guild",
        "domain": "Tests that catch bugs and never flake.",
        "description": "For anyone who writes tests.",
        "charter_purpose": "Share what works.",
        "charter_scope": "Automated tests of every kind.",
        "charter_norms": "Be kind.",
        "meeting_rhythm": "Monthly",
        "expected_value": "Fewer flaky tests.",
        "join_policy": "open",
        "visibility": "listed",
        "topics_text": "testing, CI",
        "core_group": "",
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Propose ---------------------------------------------------------------------------------------------


def test_propose_requires_login(client):
    response = client.get(PROPOSE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_propose_form_shows_grouped_fields(member_client):
    response = member_client.get(PROPOSE)
    assert response.status_code == 200
    for legend in ("The community", "Charter", "Who can join and see it", "Who launches it with you"):
        assert f">{legend}</legend>" in response.text
    assert "Lifecycle stage" not in response.text
    assert 'id="people-suggestions"' in response.text
    assert f'data-hx-get="{reverse("members:suggest")}"' in response.text


def test_propose_creates_community_in_potential_with_proposer_as_coordinator(member_client, member):
    colleague = UserFactory(email="colleague@example.org")

    response = member_client.post(PROPOSE, proposal(core_group="colleague@example.org"))

    community = Community.objects.get(name="Test Automation Guild")
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    assert community.stage == "potential"
    assert community.created_by == member
    assert sorted(community.topics.values_list("name", flat=True)) == ["CI", "testing"]
    mine = Membership.objects.get(community=community, user=member)
    assert (mine.status, mine.role, mine.level) == ("active", "coordinator", "core")
    invited = Membership.objects.get(community=community, user=colleague)
    assert (invited.status, invited.level) == ("invited", "core")
    assert messages_of(response) == [
        "Test Automation Guild is proposed, and you are its coordinator. 1 colleague invited into the core group."
    ]


def test_propose_then_home_shows_the_new_community(member_client):
    response = member_client.post(PROPOSE, proposal(), follow=True)
    assert response.status_code == 200
    assert "Test Automation Guild" in response.text
    assert "Share what works." in response.text
    assert "Stage: Potential" in response.text


def test_propose_with_duplicate_name_says_so_and_saves_nothing(member_client):
    CommunityFactory(name="Test Automation Guild")
    before = Community.objects.count()

    response = member_client.post(PROPOSE, proposal(name="test automation guild", charter_norms="Kept"))

    assert response.status_code == 400
    assert Community.objects.count() == before
    assert "A community called “test automation guild” already exists. Choose another name." in response.text
    assert "Please correct this problem" in response.text
    assert 'href="#id_name"' in response.text
    assert "Kept" in response.text  # what was typed is kept


def test_propose_with_empty_domain_and_unknown_colleague_says_both(member_client):
    response = member_client.post(PROPOSE, proposal(domain="  ", core_group="nobody@example.org"))
    assert response.status_code == 400
    assert not Community.objects.exists()
    assert "Please correct these 2 problems" in response.text
    assert "Nobody at CoPsite has this address: nobody@example.org" in response.text


def test_propose_refused_by_the_service_says_why_and_saves_nothing(member_client, monkeypatch):
    """A clash the form could not see (a name taken meanwhile) comes back as a message, with the form kept."""
    from communities import services

    def taken(**kwargs):
        raise services.MembershipError("A community called “Test Automation Guild” already exists.")

    monkeypatch.setattr(services, "community_propose", taken)
    response = member_client.post(PROPOSE, proposal())
    assert response.status_code == 400
    assert "already exists" in response.text
    assert 'value="Test Automation Guild"' in response.text
    assert not Community.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_propose_rejects_other_methods(member_client, method):
    assert getattr(member_client, method)(PROPOSE).status_code == 405


# --- Settings --------------------------------------------------------------------------------------------


@pytest.fixture
def community(db):
    community = CommunityFactory(name="Reliability Guild", domain="Boring services.", stage="coalescing")
    community.topics.add(TagFactory(name="SRE"))
    return community


def settings_url(community) -> str:
    return reverse("communities:settings", args=[community.slug])


def settings_data(community, **overrides) -> dict:
    data = {
        "name": community.name,
        "domain": community.domain,
        "description": "",
        "charter_purpose": "",
        "charter_scope": "",
        "charter_norms": "",
        "meeting_rhythm": "",
        "expected_value": "",
        "join_policy": community.join_policy,
        "visibility": community.visibility,
        "stage": community.stage,
        "topics_text": "SRE",
    }
    data.update(overrides)
    return data


def test_settings_shows_the_form_with_current_values(client, community):
    client.force_login(coordinator_of(community))
    response = client.get(settings_url(community))
    assert response.status_code == 200
    assert response.context["tab"] == "settings"
    assert 'value="Reliability Guild"' in response.text
    assert 'value="SRE"' in response.text
    assert ">Lifecycle stage</legend>" in response.text
    assert "Initial core group" not in response.text


def test_settings_saves_charter_topics_policies_and_stage(client, community):
    client.force_login(coordinator_of(community))
    slug = community.slug
    response = client.post(
        settings_url(community),
        settings_data(
            community,
            name="Reliability Guild (EU)",
            charter_purpose="Learn from incidents.",
            stage="maturing",
            join_policy="approval",
            visibility="private",
            topics_text="SRE, Observability",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == settings_url(community)
    community.refresh_from_db()
    assert community.name == "Reliability Guild (EU)"
    assert community.slug == slug  # its address stays, so links and bookmarks keep working
    assert (community.stage, community.join_policy, community.visibility) == (
        "maturing",
        "approval",
        "private",
    )
    assert community.charter_purpose == "Learn from incidents."
    assert sorted(community.topics.values_list("name", flat=True)) == ["Observability", "SRE"]
    assert messages_of(response) == ["The community's settings are saved."]


def test_settings_with_bad_input_says_so_and_changes_nothing(client, community):
    """An empty domain and a taken name are refused; the header still shows the saved name meanwhile."""
    CommunityFactory(name="Taken Name")
    client.force_login(coordinator_of(community))

    response = client.post(
        settings_url(community), settings_data(community, name="Taken Name", domain=" ", stage="maturing")
    )

    assert response.status_code == 400
    assert "A community called “Taken Name” already exists." in response.text
    assert 'href="#id_domain">Domain</a>: This field is required.' in response.text
    assert '<h1 class="h3 mb-1">Reliability Guild</h1>' in response.text
    community.refresh_from_db()
    assert (community.name, community.domain, community.stage) == (
        "Reliability Guild",
        "Boring services.",
        "coalescing",
    )


def test_settings_keeps_typed_values_when_one_field_is_wrong(client, community):
    client.force_login(coordinator_of(community))
    response = client.post(settings_url(community), settings_data(community, name="New Name", domain=""))
    assert 'value="New Name"' in response.text
    assert '<h1 class="h3 mb-1">Reliability Guild</h1>' in response.text


def test_settings_is_403_for_a_member_who_does_not_coordinate(client, community):
    client.force_login(member_of(community, "core"))
    assert client.get(settings_url(community)).status_code == 403
    assert client.post(settings_url(community), settings_data(community, name="Hijacked")).status_code == 403
    community.refresh_from_db()
    assert community.name == "Reliability Guild"


def test_settings_is_403_for_staff_and_sponsors_who_do_not_coordinate(client, community):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(settings_url(community)).status_code == 403
    client.force_login(SponsorshipFactory(community=community).sponsor)
    assert client.get(settings_url(community)).status_code == 403


def test_settings_is_403_for_outsiders_of_a_listed_community(member_client, community):
    assert member_client.get(settings_url(community)).status_code == 403


def test_settings_is_404_for_outsiders_of_a_private_community(member_client):
    private = CommunityFactory(visibility="private")
    assert member_client.get(settings_url(private)).status_code == 404
    assert (
        member_client.post(settings_url(private), settings_data(private, name="Hijacked")).status_code == 404
    )


def test_settings_of_archived_community_is_403_even_for_coordinators(client, community):
    coordinator = coordinator_of(community)
    community.archived_at = timezone.now()
    community.save()
    client.force_login(coordinator)
    assert client.get(settings_url(community)).status_code == 403


def test_settings_of_former_coordinator_is_403(client, community):
    former = MembershipFactory(community=community, role="member", status="left").user
    client.force_login(former)
    assert client.get(settings_url(community)).status_code == 403


@pytest.mark.parametrize("method", ["put", "delete"])
def test_settings_rejects_other_methods(client, community, method):
    client.force_login(coordinator_of(community))
    assert getattr(client, method)(settings_url(community)).status_code == 405
