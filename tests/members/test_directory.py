"""Member directory and profile pages."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import OrgUnit, Profile, Tag, User
from members.selectors import counted_page, expertise_names_of, org_unit_tree, with_expertise_names
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SponsorshipFactory,
    TagFactory,
    UserFactory,
    member_of,
)
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
    """The directory runs the same queries for 100 and 1,100 people (and their communities).

    1 the signed-in user, 2 the page of people with org unit, profile and expertise (an array on PostgreSQL)
    and the count of all of them (a window: no separate count for the paginator), 3 the communities the viewer
    may see (community filter). The org-unit tree (filter choices) is kept in the process under the people
    version. The session lives in Redis.
    """
    assert_constant_queries(member_client, reverse("members:directory"), expected=3)


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


# --- Search and filters ---------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [person.full_name for person in response.context["page"].object_list]


def test_directory_finds_by_job_title_and_by_name(member_client):
    """The search box matches job titles and names, whatever their case."""
    planner = UserFactory(full_name="Paula Planner")
    planner.profile.job_title = "Maintenance Planner"
    planner.profile.save()
    UserFactory(full_name="Other Person")

    assert _names(member_client.get(reverse("members:directory"), {"q": "maintenance"})) == ["Paula Planner"]
    assert _names(member_client.get(reverse("members:directory"), {"q": "PAULA"})) == ["Paula Planner"]


def test_directory_filters_by_org_unit_including_units_below(member_client):
    """Filtering by a division finds people in its departments and teams, and nobody outside it."""
    division = OrgUnitFactory(name="Operations", kind=OrgUnit.Kind.DIVISION)
    department = OrgUnitFactory(name="Supply Chain", kind=OrgUnit.Kind.DEPARTMENT, parent=division)
    team = OrgUnitFactory(name="Logistics", parent=department)
    UserFactory(full_name="Dana Division", org_unit=division)
    UserFactory(full_name="Tariq Team", org_unit=team)
    UserFactory(full_name="Elsewhere Person")

    response = member_client.get(reverse("members:directory"), {"unit": division.pk})
    assert _names(response) == ["Dana Division", "Tariq Team"]
    assert _names(member_client.get(reverse("members:directory"), {"unit": team.pk})) == ["Tariq Team"]
    # Each unit is offered with its path, and the chosen one stays selected.
    assert f'<option value="{division.pk}" selected>Operations</option>' in response.text
    assert f'<option value="{team.pk}">Operations / Supply Chain / Logistics</option>' in response.text


def test_directory_ignores_a_malformed_or_unknown_org_unit(member_client):
    """A tampered unit is left out rather than failing; the other filters still apply."""
    UserFactory(full_name="Grace Expert").profile.expertise.add(TagFactory(name="Kaizen"))
    response = member_client.get(reverse("members:directory"), {"unit": "abc", "q": "kaizen"})
    assert response.status_code == 200
    assert _names(response) == ["Grace Expert"]
    response = member_client.get(reverse("members:directory"), {"unit": "999999"})
    assert response.status_code == 200
    assert "Mia Member" in _names(response)


def test_directory_filters_by_listed_community(member_client):
    """Active members of a listed community are found; people who left or only asked are not."""
    community = CommunityFactory(slug="release-engineering", name="Release Engineering")
    member_of(community, user__full_name="Active Ann")
    MembershipFactory(community=community, user=UserFactory(full_name="Left Leo"), status="left")
    MembershipFactory(community=community, user=UserFactory(full_name="Asking Abe"), status="requested")
    UserFactory(full_name="Outside Olga")

    response = member_client.get(reverse("members:directory"), {"community": "release-engineering"})

    assert _names(response) == ["Active Ann"]
    assert '<option value="release-engineering" selected>Release Engineering</option>' in response.text


def test_directory_search_and_filters_combine_and_pages_keep_them(member_client, settings):
    """Filters combine, and the pagination links carry every filter along."""
    settings.PAGE_SIZE = 1
    community = CommunityFactory(slug="lean")
    unit = OrgUnitFactory()
    for name in ("Lena Lean", "Lars Lean"):
        person = member_of(community, user__full_name=name, user__org_unit=unit)
        person.profile.expertise.add(TagFactory(name="Kaizen"))
    member_of(community, user__full_name="Other Lean").profile.expertise.add(TagFactory(name="Kaizen"))

    response = member_client.get(
        reverse("members:directory"), {"q": "kaizen", "unit": unit.pk, "community": "lean"}
    )

    assert response.context["page"].paginator.count == 2
    assert f"?q=kaizen&amp;unit={unit.pk}&amp;community=lean&amp;page=2" in response.text


def test_directory_empty_result_says_so(member_client):
    response = member_client.get(reverse("members:directory"), {"q": "nobody-has-this"})
    assert "Nobody matches these filters" in response.text
    assert "0 people found" in response.text


# --- Privacy: private communities never reveal who belongs to them --------------------------------------------


@pytest.fixture
def private_community(db):
    """A private community with one member, Pia Private, who is also listed in the directory."""
    community = CommunityFactory(slug="secret-project", name="Secret Project", visibility="private")
    member_of(community, user__full_name="Pia Private", level="active")
    return community


def test_private_community_members_are_not_revealed_to_an_outsider(member_client, private_community):
    """An outsider who guesses a private community's slug finds nobody, and the filter does not offer it."""
    response = member_client.get(reverse("members:directory"), {"community": "secret-project"})

    assert response.status_code == 200
    assert _names(response) == []
    assert "Pia Private" not in response.text
    assert "Secret Project" not in response.text
    # Indistinguishable from a community that does not exist.
    missing = member_client.get(reverse("members:directory"), {"community": "no-such-community"})
    assert _names(missing) == []


@pytest.mark.parametrize("relation", ["member", "sponsor", "staff"])
def test_private_community_members_are_shown_to_its_members_sponsors_and_staff(
    client, private_community, relation
):
    """Its members, its sponsors and staff may filter the directory by a private community."""
    if relation == "member":
        viewer = member_of(private_community)
    elif relation == "sponsor":
        viewer = SponsorshipFactory(community=private_community).sponsor
    else:
        viewer = UserFactory(is_staff=True)
    client.force_login(viewer)

    response = client.get(reverse("members:directory"), {"community": "secret-project"})

    assert "Pia Private" in _names(response)
    assert "Secret Project (private)" in response.text


@pytest.mark.parametrize("status", ["requested", "invited", "left", "removed", "declined"])
def test_private_community_is_hidden_from_people_who_are_not_active_members(
    client, private_community, status
):
    """Asking to join, being invited, or having left does not open a private community's member list."""
    viewer = MembershipFactory(community=private_community, status=status).user
    client.force_login(viewer)
    response = client.get(reverse("members:directory"), {"community": "secret-project"})
    assert _names(response) == []


def test_archived_community_filter_gives_nobody(staff, client):
    """Archived communities are out of the lists, the directory filter included."""
    community = CommunityFactory(slug="old-times", archived_at=timezone.now())
    member_of(community, user__full_name="Old Timer")
    client.force_login(staff)
    assert _names(client.get(reverse("members:directory"), {"community": "old-times"})) == []


@pytest.mark.slow  # seeds the benchmark set at scales 2-3 and 20-30 for real: in `make test` only
def test_directory_with_filters_query_count_is_constant(member_client):
    """Searching and filtering by org unit and community runs the same queries for 100 and 1,100 people.

    The same 3 queries as without filters: who belongs to the community, when the viewer may see it, is a
    subquery of the page's rows (which carry the count of all of them).
    """
    root = OrgUnitFactory(name="Bench root", kind=OrgUnit.Kind.DIVISION)

    def grow(scale: int) -> None:
        seed_scaled(scale)
        # Put every benchmark division under one root, so the unit filter covers a growing tree.
        OrgUnit.objects.filter(parent__isnull=True, name__startswith="Division b").update(parent=root)

    url = reverse("members:directory") + f"?q=a&unit={root.pk}&community=bench-0"
    assert_constant_queries(member_client, url, grow=grow, small=2, expected=3)


def test_directory_search_is_cut_to_100_characters(member_client):
    """A very long search still searches (its first 100 characters) instead of failing or listing everyone."""
    UserFactory(full_name="Grace Expert").profile.expertise.add(TagFactory(name="Kaizen"))
    response = member_client.get(reverse("members:directory"), {"q": "kaizen" + "x" * 200})
    assert response.status_code == 200
    assert _names(response) == []
    assert response.context["query"] == ("kaizen" + "x" * 200)[:100]


# --- What the directory keeps in the cache, and its page in one query -----------------------------------------


def _rendered(response) -> list[str]:
    return [template.name for template in response.templates]


def _cards(response) -> str:
    text = response.text
    return text[text.index('<ul class="list-unstyled row g-3">') : text.index("</main>")]


def test_directory_cards_are_kept_until_what_they_show_changes(member_client):
    """A card comes from the cache while its person is unchanged; a new name, job title, org unit or expertise
    (even written without signals, or a tag renamed) shows at once."""
    person = UserFactory(full_name="Carla Card")
    url = reverse("members:directory")
    first = member_client.get(url)
    assert "Carla Card" in first.text
    assert "members/_directory_card.html" in _rendered(first)
    again = member_client.get(url)
    assert "members/_directory_card.html" not in _rendered(again)
    assert _cards(again) == _cards(first)

    unit = OrgUnitFactory(name="Quality Office")
    User.objects.filter(pk=person.pk).update(full_name="Carla Changed", org_unit=unit)
    Profile.objects.filter(user=person).update(job_title="Lead Auditor")
    person.profile.expertise.add(TagFactory(name="ISO 9001"))
    text = member_client.get(url).text
    assert "Carla Card" not in text
    assert ">Carla Changed</a>" in text
    assert "Lead Auditor" in text
    assert "Quality Office" in text
    assert ">ISO 9001</span>" in text

    Tag.objects.filter(name="ISO 9001").update(name="ISO 14001")
    OrgUnit.objects.filter(pk=unit.pk).update(name="Quality Department")
    text = member_client.get(url).text
    assert ">ISO 14001</span>" in text
    assert '<p class="small text-body-secondary mb-1">Quality Department</p>' in text


def test_directory_unit_options_are_kept_until_the_tree_changes(member_client):
    """The org-unit options come from the cache for the same tree and choice; a renamed or new unit, or another
    choice, shows at once."""
    unit = OrgUnitFactory(name="Finance", kind=OrgUnit.Kind.DIVISION)
    url = reverse("members:directory")
    first = member_client.get(url, {"unit": unit.pk})
    assert f'<option value="{unit.pk}" selected>Finance</option>' in first.text
    assert "members/_directory_unit_options.html" in _rendered(first)
    again = member_client.get(url, {"unit": unit.pk})
    assert "members/_directory_unit_options.html" not in _rendered(again)
    assert f'<option value="{unit.pk}" selected>Finance</option>' in again.text

    assert f'<option value="{unit.pk}">Finance</option>' in member_client.get(url).text
    assert '<option value="" selected>Any org unit</option>' in member_client.get(url, {"unit": ""}).text
    # Written otherwise than its value, a unit is not selected (as the form shows it) and not applied.
    assert (
        f'<option value="{unit.pk}">Finance</option>' in member_client.get(url, {"unit": f"0{unit.pk}"}).text
    )

    OrgUnit.objects.filter(pk=unit.pk).update(name="Finance and Control")
    child = OrgUnitFactory(name="Treasury", parent=unit)
    text = member_client.get(url, {"unit": unit.pk}).text
    assert f'<option value="{unit.pk}" selected>Finance and Control</option>' in text
    assert f'<option value="{child.pk}">Finance and Control / Treasury</option>' in text


@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "4", "99", "0", "-1", "x", "2.0", " 2", "1e3"])
@pytest.mark.parametrize("people", [0, 1, 5, 6])
def test_counted_page_is_paginators_page(number, people):
    """`counted_page` gives the page `Paginator.get_page` gives (its number, rows and count), past the end and
    for a number that is not one too."""
    for n in range(people):
        UserFactory(full_name=f"Person {n}")
    rows = User.objects.filter(full_name__startswith="Person ").order_by("full_name", "pk")

    page = counted_page(rows, number, 2)
    expected = Paginator(rows, 2).get_page(number)

    assert page.number == expected.number
    assert [person.pk for person in page.object_list] == [person.pk for person in expected.object_list]
    assert page.paginator.count == expected.paginator.count == people
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_org_unit_choice_is_the_unit_written_as_its_value():
    """`OrgUnitTree.choice` finds a unit only by its value as the options write it."""
    unit = OrgUnitFactory(name="Legal")
    tree = org_unit_tree()
    assert tree.choice(str(unit.pk)) == (unit.pk, "Legal")
    for value in (None, "", f"0{unit.pk}", f" {unit.pk}", "abc", "²", "999999", "-1"):
        assert tree.choice(value) is None


def test_directory_pages_keep_their_people_until_someone_changes(member_client, settings):
    """The whole directory's pages come from the cache (their people read by id, not everyone ordered by name)
    while nobody changes, and show at once a newcomer, a new name (a new order), someone leaving the directory
    and someone deactivated."""
    settings.PAGE_SIZE = 2
    people = {name: UserFactory(full_name=name) for name in ("Ann A", "Ben B", "Cat C")}
    url = reverse("members:directory")

    def page(number: int = 1) -> list[str]:
        return _names(member_client.get(url, {"page": number}))

    assert page(1) == ["Ann A", "Ben B"] and page(2) == ["Cat C", "Mia Member"]
    with CaptureQueriesContext(connection) as captured:
        response = member_client.get(url, {"page": 2})
    assert _names(response) == ["Cat C", "Mia Member"]
    assert "Page 2 of 2" in response.text and "4 people" in response.text
    assert not any("OVER ()" in query["sql"] for query in captured.captured_queries)

    UserFactory(full_name="Abe Early")
    assert page(1) == ["Abe Early", "Ann A"] and "5 people" in member_client.get(url).text
    people["Ann A"].full_name = "Zoe Z"
    people["Ann A"].save()
    assert page(1) == ["Abe Early", "Ben B"] and page(3) == ["Zoe Z"]
    profile = people["Ben B"].profile
    profile.in_directory = False
    profile.save()
    assert page(1) == ["Abe Early", "Cat C"]
    people["Cat C"].is_active = False
    people["Cat C"].save()
    assert page(1) == ["Abe Early", "Mia Member"]
    assert "3 people" in member_client.get(url).text


@pytest.mark.parametrize("number", ["9", "0", "x", ""])
def test_directory_pages_past_the_end_or_malformed_are_paginators(member_client, settings, number):
    """A page past the end is the last one and a malformed number the first, seen once or again."""
    settings.PAGE_SIZE = 1
    UserFactory(full_name="Ann A")
    expected = {"9": 2, "0": 2, "x": 1, "": 1}[number]
    for _ in range(2):
        response = member_client.get(reverse("members:directory"), {"page": number})
        assert response.context["page"].number == expected


def test_the_kept_community_filter_follows_renames_privacy_and_joining(client):
    """The community filter's options are a fragment kept under the communities the viewer may see: a rename, a
    community made private, and joining a private one each show at once, and one viewer's options are never
    served to another who sees other communities."""
    listed = CommunityFactory(slug="listed-one", name="Listed One")
    hidden = CommunityFactory(slug="hidden-one", name="Hidden One", visibility="private")
    viewer, outsider = UserFactory(), UserFactory()
    member_of(hidden, user=viewer)

    def options(person) -> str:
        client.force_login(person)
        text = client.get(reverse("members:directory")).text
        return text[text.index('name="community"') : text.index("</select>", text.index('name="community"'))]

    assert "Hidden One (private)" in options(viewer)
    assert "Hidden One" not in options(outsider)
    listed.name = "Listed Renamed"
    listed.save()
    assert "Listed Renamed" in options(outsider) and "Listed One" not in options(outsider)
    listed.visibility = "private"
    listed.save()
    assert "Listed Renamed" not in options(outsider)
    member_of(listed, user=outsider)
    assert "Listed Renamed (private)" in options(outsider)


def test_the_org_unit_tree_is_kept_under_the_people_version(member_client):
    """Seen again, the directory reads no org unit (the tree is kept under the people version); a unit saved
    anew (renamed, added) or deleted shows at once in the filter."""
    unit = OrgUnitFactory(name="Finance", kind=OrgUnit.Kind.DIVISION)
    url = reverse("members:directory")
    member_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        text = member_client.get(url).text
    assert f'<option value="{unit.pk}">Finance</option>' in text
    assert not any('FROM "members_orgunit"' in query["sql"] for query in captured.captured_queries)

    unit.name = "Finance and Control"
    unit.save()
    assert f'<option value="{unit.pk}">Finance and Control</option>' in member_client.get(url).text
    child = OrgUnitFactory(name="Treasury", parent=unit)
    assert (
        f'<option value="{child.pk}">Finance and Control / Treasury</option>' in member_client.get(url).text
    )
    child.delete()
    assert "Treasury" not in member_client.get(url).text


def test_expertise_names_are_the_same_read_as_an_array_or_prefetched():
    """`with_expertise_names` (an array on PostgreSQL) and the prefetch other databases use give each person the
    names of their expertise by name."""
    person, novice = UserFactory(full_name="Ada Array"), UserFactory(full_name="Ned New")
    person.profile.expertise.add(
        TagFactory(name="Statistics"), TagFactory(name="Kaizen"), TagFactory(name="lean")
    )
    people = User.objects.filter(pk__in=[person.pk, novice.pk]).order_by("full_name")
    annotated = [expertise_names_of(one) for one in with_expertise_names(people)]
    prefetched = [expertise_names_of(one) for one in people.prefetch_related("profile__expertise")]
    assert annotated == prefetched == [["Kaizen", "Statistics", "lean"], []]
