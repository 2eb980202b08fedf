"""Profile pages (with the communities a viewer may see) and editing one's own profile."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import OrgUnit, Profile, Tag, User
from members.services import profile_update
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SponsorshipFactory,
    TagFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

EDIT_URL = reverse("members:edit_profile")


def _profile_data(**overrides) -> dict:
    data = {
        "full_name": "Mia Member",
        "job_title": "Process Engineer",
        "org_unit": "",
        "location": "Accra",
        "bio": "I map value streams.",
        "expertise": "Lean, Kaizen",
        "time_zone": "Africa/Accra",
        "in_directory": "on",
    }
    data.update(overrides)
    return data


# --- Viewing a profile ----------------------------------------------------------------------------------------


def test_profile_requires_login(client):
    person = UserFactory()
    response = client.get(person.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_rejects_post(member_client, member):
    assert member_client.post(member.get_absolute_url()).status_code == 405


def test_profile_shows_what_the_person_tells(member_client):
    """Name, initials, job title, org unit, location, time zone, bio and expertise."""
    unit = OrgUnitFactory(name="Process Improvement")
    person = UserFactory(full_name="Grace Mensah", org_unit=unit)
    Profile.objects.filter(user=person).update(
        job_title="Process Engineer", location="Accra", time_zone="Africa/Accra", bio="Line one\nLine two"
    )
    person.profile.expertise.add(TagFactory(name="Value stream mapping"))

    html = member_client.get(person.get_absolute_url()).text

    for text in ("Grace Mensah", ">GM<", "Process Engineer", "Process Improvement", "Accra", "Africa/Accra"):
        assert text in html
    assert "Line one<br>Line two" in html
    assert "Value stream mapping" in html


def test_profile_shows_communities_with_level_and_role(member_client):
    person = UserFactory(full_name="Cora Coordinator")
    MembershipFactory(
        user=person,
        community=CommunityFactory(name="Release Engineering"),
        role="coordinator",
        level="core",
    )
    MembershipFactory(user=person, community=CommunityFactory(name="Accessibility Guild"), level="occasional")
    MembershipFactory(user=person, community=CommunityFactory(name="Left Behind"), status="left")

    html = member_client.get(person.get_absolute_url()).text

    assert "Release Engineering" in html
    assert "Coordinator" in html
    assert '<span class="badge level-badge level-core">Core group</span>' in html
    assert '<span class="badge level-badge level-occasional">Occasional</span>' in html
    assert "Left Behind" not in html


def test_profile_query_count_does_not_grow_with_communities(member_client, django_assert_num_queries):
    """1 the signed-in user, 2 the person with org unit and profile, 3 their expertise, 4 their memberships the
    viewer may see (with their communities). The session lives in Redis."""
    person = UserFactory()
    for _ in range(5):
        MembershipFactory(user=person)
    member_client.get(person.get_absolute_url())  # a first request fills the navigation's cached sponsor flag
    with django_assert_num_queries(4):
        member_client.get(person.get_absolute_url())


# Privacy: a private community's membership shows only to its members, its sponsors and staff.


@pytest.fixture
def private_member(db):
    community = CommunityFactory(name="Secret Project", slug="secret-project", visibility="private")
    person = member_of(community, level="active", user__full_name="Pia Private")
    return community, person


def test_private_membership_is_not_revealed_on_a_profile_to_an_outsider(member_client, private_member):
    _, person = private_member
    MembershipFactory(user=person, community=CommunityFactory(name="Open Circle"))

    html = member_client.get(person.get_absolute_url()).text

    assert "Open Circle" in html
    assert "Secret Project" not in html


@pytest.mark.parametrize("relation", ["co-member", "sponsor", "staff", "self"])
def test_private_membership_shows_to_members_sponsors_staff_and_self(client, private_member, relation):
    community, person = private_member
    viewer = {
        "co-member": lambda: member_of(community),
        "sponsor": lambda: SponsorshipFactory(community=community).sponsor,
        "staff": lambda: UserFactory(is_staff=True),
        "self": lambda: person,
    }[relation]()
    client.force_login(viewer)

    html = client.get(person.get_absolute_url()).text

    assert "Secret Project" in html
    assert "Private" in html


def test_private_membership_is_hidden_from_someone_only_invited(client, private_member):
    community, person = private_member
    viewer = MembershipFactory(community=community, status="invited").user
    client.force_login(viewer)
    assert "Secret Project" not in client.get(person.get_absolute_url()).text


def test_profile_of_opted_out_person_is_visible_to_staff(staff, client):
    person = UserFactory(full_name="Quiet Person")
    Profile.objects.filter(user=person).update(in_directory=False)
    client.force_login(staff)
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert "Not listed in the member directory" in response.text


def test_profile_of_someone_without_a_profile_row_is_404_to_others(member_client):
    """Accounts made by createsuperuser have no profile row until they edit it; others do not see them."""
    person = User.objects.create_user("root@example.org", "a-long-password", full_name="Root")
    assert member_client.get(person.get_absolute_url()).status_code == 404


# The staff-only deactivate button.


def test_staff_see_the_deactivate_button_with_a_confirm_step(staff, client):
    person = UserFactory(full_name="Leaving Person")
    client.force_login(staff)
    html = client.get(person.get_absolute_url()).text
    action = reverse("communities:deactivate_member", args=[person.pk])
    assert "<details" in html
    assert "Deactivate (left the organization)" in html
    assert f'action="{action}"' in html
    assert "Yes, deactivate Leaving Person" in html


def test_members_and_staff_on_their_own_profile_see_no_deactivate_button(
    member_client, member, staff, client
):
    person = UserFactory()
    assert "Deactivate" not in member_client.get(person.get_absolute_url()).text
    assert "Deactivate" not in member_client.get(member.get_absolute_url()).text
    client.force_login(staff)
    assert "Deactivate" not in client.get(staff.get_absolute_url()).text


def test_own_profile_links_to_editing(member_client, member):
    html = member_client.get(member.get_absolute_url()).text
    assert f'href="{EDIT_URL}"' in html
    assert f'href="{reverse("members:notifications")}"' in html


# --- Editing one's profile ------------------------------------------------------------------------------------


def test_edit_profile_requires_login(client):
    response = client.get(EDIT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(EDIT_URL, _profile_data()).status_code == 302


def test_edit_profile_rejects_other_methods(member_client):
    assert member_client.put(EDIT_URL).status_code == 405
    assert member_client.delete(EDIT_URL).status_code == 405


def test_edit_profile_form_shows_current_values(member_client, member):
    Profile.objects.filter(user=member).update(job_title="QA Lead", time_zone="Europe/Berlin")
    member.profile.expertise.add(TagFactory(name="Playwright"), TagFactory(name="Exploratory testing"))

    response = member_client.get(EDIT_URL)

    assert response.status_code == 200
    html = response.text
    assert 'value="QA Lead"' in html
    assert 'value="Exploratory testing, Playwright"' in html
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in html
    assert '<option value="America/New_York">America/New York</option>' in html


def test_edit_profile_saves_everything(member_client, member):
    unit = OrgUnitFactory(name="Process Improvement")
    TagFactory(name="Kaizen")

    response = member_client.post(
        EDIT_URL,
        _profile_data(org_unit=str(unit.pk), expertise="lean, KAIZEN, Lean ,  ", full_name=" Mia M. "),
    )

    assert response.status_code == 302
    assert response["Location"] == member.get_absolute_url()
    member.refresh_from_db()
    profile = Profile.objects.get(user=member)
    assert member.full_name == "Mia M."
    assert member.org_unit == unit
    assert (profile.job_title, profile.location, profile.time_zone) == (
        "Process Engineer",
        "Accra",
        "Africa/Accra",
    )
    assert profile.bio == "I map value streams."
    # Case-insensitive: "KAIZEN" is the existing tag, "lean" and "Lean" are one new tag.
    assert sorted(profile.expertise.values_list("name", flat=True)) == ["Kaizen", "lean"]
    assert Tag.objects.filter(name__iexact="kaizen").count() == 1
    assert "Your profile is saved." in member_client.get(response["Location"]).text


def test_edit_profile_can_leave_the_directory(member_client, member):
    data = _profile_data()
    del data["in_directory"]
    member_client.post(EDIT_URL, data)
    assert Profile.objects.get(user=member).in_directory is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required."),
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice."),
        ("org_unit", "999999", "Select a valid choice."),
        ("expertise", "x" * 61, "Keep each area of expertise under 60 characters."),
        ("expertise", ", ".join(f"tag {n}" for n in range(21)), "List at most 20 areas of expertise."),
        ("job_title", "j" * 121, "Ensure this value has at most 120 characters"),
    ],
)
def test_edit_profile_refuses_bad_input_keeps_what_was_typed_and_saves_nothing(
    member_client, member, field, value, message
):
    before = Profile.objects.get(user=member)

    response = member_client.post(EDIT_URL, _profile_data(**{field: value, "location": "Typed Town"}))

    assert response.status_code == 200
    assert message in response.text
    assert "Please correct" in response.text  # the summary at the top
    assert 'value="Typed Town"' in response.text  # what was typed is kept
    assert "Your profile was not saved" in response.text
    after = Profile.objects.get(user=member)
    assert (after.location, after.job_title) == (before.location, before.job_title)
    assert User.objects.get(pk=member.pk).full_name == "Mia Member"


def test_edit_profile_creates_a_missing_profile(client):
    user = User.objects.create_user("new@example.org", "a-long-password", full_name="New Person")
    client.force_login(user)
    assert client.get(EDIT_URL).status_code == 200
    assert Profile.objects.filter(user=user).exists()


# --- The service ----------------------------------------------------------------------------------------------


def test_profile_update_refuses_an_unknown_time_zone_and_changes_nothing(member):
    with pytest.raises(ValidationError) as raised:
        profile_update(user=member, full_name="Changed", time_zone="Nowhere/Town", expertise=["Lean"])
    assert "time_zone" in raised.value.message_dict
    assert User.objects.get(pk=member.pk).full_name == "Mia Member"
    assert not Tag.objects.filter(name="Lean").exists()


def test_profile_update_refuses_an_empty_name_and_leaves_the_caller_untouched(member):
    with pytest.raises(ValidationError) as raised:
        profile_update(user=member, full_name="   ")
    assert "full_name" in raised.value.message_dict
    assert member.full_name == "Mia Member"


def test_profile_update_gives_new_tags_unique_slugs(member):
    """Names that slugify alike ("C++" and "C") or not at all get distinct slugs."""
    TagFactory(name="C")
    profile_update(user=member, full_name="Mia Member", expertise=["C++", "日本語", "東京"])
    tags = {tag.name: tag.slug for tag in Tag.objects.all()}
    assert tags["C++"] == "c-2"
    assert len(set(tags.values())) == len(tags)


def test_profile_update_clears_org_unit_and_expertise(member):
    member.profile.expertise.add(TagFactory(name="Lean"))
    profile_update(user=member, full_name="Mia Member", org_unit=None, expertise=[])
    member.refresh_from_db()
    assert member.org_unit is None
    assert not member.profile.expertise.exists()
    assert OrgUnit.objects.exists()  # the unit itself stays


@pytest.mark.parametrize(
    "error",
    [ValidationError({"time_zone": "Not a zone.", "email": "Taken."}), ValidationError("Something else.")],
)
def test_edit_profile_shows_what_the_service_refused(member_client, monkeypatch, error):
    """A refusal from the service shows next to its field (or at the top) and the form keeps what was typed."""

    def refuse(**kwargs):
        raise error

    monkeypatch.setattr("members.views.profile_update", refuse)
    response = member_client.post(EDIT_URL, _profile_data(location="Typed Town"))

    assert response.status_code == 200
    for message in error.messages:
        assert message in response.text
    assert 'value="Typed Town"' in response.text


def test_profile_update_refuses_overlong_expertise(member):
    with pytest.raises(ValidationError) as raised:
        profile_update(user=member, full_name="Mia Member", expertise=["x" * 61])
    assert "expertise" in raised.value.message_dict
    assert not Tag.objects.exists()


def test_staff_see_a_deactivated_persons_profile_others_get_404(client):
    from tests.factories import UserFactory

    gone = UserFactory(full_name="Gone Person", is_active=False)
    client.force_login(UserFactory())
    assert client.get(gone.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    response = client.get(gone.get_absolute_url())
    assert response.status_code == 200
    assert "has left the organization" in response.text
    assert "Yes, deactivate" not in response.text


def test_time_zones_offer_the_members_zones_first_then_only_real_places(member_client, member):
    """Issue 14, item 16: about 600 raw names, "Factory" and "localtime" among them."""
    from tests.factories import UserFactory

    for zone in ("Asia/Kolkata", "Asia/Kolkata", "Europe/Berlin"):
        Profile.objects.filter(user=UserFactory()).update(time_zone=zone)
    response = member_client.get(reverse("members:edit_profile"))
    html = response.text
    used = html.index('<optgroup label="Where our members are">')
    everything = html.index('<optgroup label="All time zones">')
    assert used < html.index('value="Asia/Kolkata"') < html.index('value="Europe/Berlin"') < everything
    for odd in ("Factory", "localtime", "US/Pacific", "Etc/GMT+5"):
        assert f'value="{odd}"' not in html
    assert html.count("<option value=") < 450
    assert ">America/New York<" in html  # readable names
