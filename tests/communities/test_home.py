"""A community's home and its member list: what each viewer sees, filters, and query counts."""

import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import OrgUnit, Profile
from tests.benchdata import seed_scaled
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    SponsorshipFactory,
    TagFactory,
    UserFactory,
    coordinator_of,
    member_of,
)
from tests.querycount import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db


def home_url(community) -> str:
    return reverse("communities:home", args=[community.slug])


def members_url(community) -> str:
    return reverse("communities:members", args=[community.slug])


@pytest.fixture
def guild(db):
    """A community with a full charter, topics, coordinator, core group, sponsor and members in two units."""
    platform = OrgUnit.objects.create(name="Platform Team", kind=OrgUnit.Kind.TEAM)
    data = OrgUnit.objects.create(name="Data Team", kind=OrgUnit.Kind.TEAM)
    community = CommunityFactory(
        name="Reliability Guild",
        domain="Keeping services boring.",
        description="We **share** incidents.\n\n<script>alert(1)</script>",
        charter_purpose="Learn from every incident.",
        charter_scope="Production systems.",
        charter_norms="Blameless reviews.",
        meeting_rhythm="Every other Tuesday",
        expected_value="Fewer repeat incidents.",
    )
    community.topics.add(TagFactory(name="Observability"))
    MembershipFactory(
        community=community,
        role="coordinator",
        level="core",
        user=UserFactory(full_name="Cora Coordinator", org_unit=platform),
    )
    MembershipFactory(
        community=community, level="core", user=UserFactory(full_name="Cole Core", org_unit=platform)
    )
    MembershipFactory(
        community=community, level="active", user=UserFactory(full_name="Ada Active", org_unit=data)
    )
    MembershipFactory(
        community=community, level="peripheral", user=UserFactory(full_name="Pia Peripheral", org_unit=data)
    )
    MembershipFactory(
        community=community, status="left", user=UserFactory(full_name="Lou Left", org_unit=data)
    )
    SponsorshipFactory(
        community=community,
        sponsor=UserFactory(full_name="Stella Sponsor"),
        provides="Two hours a month.",
        expects="A shared playbook.",
    )
    return community


def growing(add_rows):
    """A `grow` for assert_constant_queries: the benchmark set, more communities (so that table grows tenfold
    despite the pinned one), and `add_rows()` ten times per unit of scale."""

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        for _ in range(10 * scale):
            add_rows()

    return grow


# --- Home ------------------------------------------------------------------------------------------------


def test_home_requires_login(client, guild):
    response = client.get(home_url(guild))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_rejects_post(member_client, guild):
    assert member_client.post(home_url(guild)).status_code == 405


def test_home_of_unknown_community_is_404(member_client):
    assert member_client.get(reverse("communities:home", args=["no-such-thing"])).status_code == 404


def test_home_shows_domain_charter_people_sponsor_levels_units_and_slots(member_client, guild):
    """Any signed-in user sees a listed community's home in full."""
    response = member_client.get(home_url(guild))

    assert response.status_code == 200
    text = response.text
    assert "Keeping services boring." in text
    assert "<strong>share</strong>" in text
    assert "<script>alert(1)</script>" not in text
    for part in (
        "Learn from every incident.",
        "Production systems.",
        "Blameless reviews.",
        "Every other Tuesday",
        "Fewer repeat incidents.",
        "Observability",
    ):
        assert part in text
    leads = text.split('id="people-heading"')[1].split('id="sponsors-heading"')[0]
    coordinators, core = leads.split(">Core group</h3>")
    assert "Cora Coordinator" in coordinators and "Cole Core" not in coordinators
    assert "Cole Core" in core and "Cora Coordinator" not in core
    assert "Stella Sponsor" in text and "Two hours a month." in text and "A shared playbook." in text
    assert "4 members" in text
    assert "Lou Left" not in text
    legend = text.split('class="list-unstyled level-legend')[1].split("</ul>")[0]
    assert re.search(r"Core group</span> <span class=\"level-legend-count\">2</span>", legend)
    assert re.search(r"Active</span> <span class=\"level-legend-count\">1</span>", legend)
    assert re.search(r"Transactional</span> <span class=\"level-legend-count\">0</span>", legend)
    assert "Members by commitment level: Core group 2, Active 1" in text
    units = text.split("Where members come from")[1]
    assert "Platform Team" in units and "Data Team" in units
    for slot in ("Upcoming activities", "Recent discussions", "Latest resources"):
        assert f">{slot}</h2>" in text
    assert response.context["tab"] == "overview"


def test_home_of_private_community_to_an_outsider_shows_only_name_domain_and_how_to_join(member_client):
    private = CommunityFactory(
        name="Secret Society",
        domain="Keeping secrets well.",
        visibility="private",
        join_policy="approval",
        description="Inner workings.",
        charter_purpose="A hidden purpose.",
    )
    private.topics.add(TagFactory(name="Hidden topic"))
    MembershipFactory(
        community=private, role="coordinator", level="core", user=UserFactory(full_name="Hidden Cora")
    )
    MembershipFactory(community=private, user=UserFactory(full_name="Hidden Member"))
    SponsorshipFactory(community=private, sponsor=UserFactory(full_name="Hidden Sponsor"))

    response = member_client.get(home_url(private))

    assert response.status_code == 200
    text = response.text
    assert "Secret Society" in text and "Keeping secrets well." in text
    assert "A private community" in text
    assert reverse("communities:request", args=[private.slug]) in text
    for secret in (
        "Inner workings.",
        "A hidden purpose.",
        "Hidden topic",
        "Hidden Cora",
        "Hidden Member",
        "Hidden Sponsor",
    ):
        assert secret not in text
    assert not re.search(r"\d+ members?", text)
    assert "level-bar" not in text
    assert members_url(private) not in text
    assert (
        "Stage:" not in text and "stage-badge" not in text
    )  # its lifecycle stage neither (issue 14, item 4)


def test_private_home_tells_a_waiting_requester(client):
    private = CommunityFactory(visibility="private", join_policy="approval")
    viewer = MembershipFactory(community=private, status="requested", joined_at=None).user
    client.force_login(viewer)
    response = client.get(home_url(private))
    assert "Your request to join is waiting" in response.text


@pytest.mark.parametrize("viewer_kind", ["member", "sponsor", "staff"])
def test_home_of_private_community_shows_everything_to_members_sponsors_and_staff(client, viewer_kind):
    private = CommunityFactory(
        name="Secret Society", visibility="private", charter_purpose="A hidden purpose."
    )
    MembershipFactory(
        community=private, role="coordinator", level="core", user=UserFactory(full_name="Hidden Cora")
    )
    if viewer_kind == "member":
        viewer = member_of(private)
    elif viewer_kind == "sponsor":
        viewer = SponsorshipFactory(community=private).sponsor
    else:
        viewer = UserFactory(is_staff=True)
    client.force_login(viewer)

    response = client.get(home_url(private))

    assert "A hidden purpose." in response.text
    assert "Hidden Cora" in response.text
    assert members_url(private) in response.text
    assert "A private community" not in response.text


def test_home_of_archived_community_still_opens_and_says_so(member_client, guild):
    guild.archived_at = timezone.now()
    guild.save()
    response = member_client.get(home_url(guild))
    assert response.status_code == 200
    assert "This community is archived" in response.text


def test_home_shows_empty_states_and_coordinators_next_steps(client):
    community = CommunityFactory(name="Fresh")
    coordinator = coordinator_of(community)
    client.force_login(coordinator)
    response = client.get(home_url(community))
    assert "The charter is not written yet." in response.text
    assert reverse("communities:settings", args=[community.slug]) in response.text
    assert "No sponsor yet." in response.text
    assert "Nobody besides the coordinators yet." in response.text


def test_the_cached_people_cards_follow_every_change_they_show(client, guild):
    """The people cards are kept as a fragment (core.fragments) under a version that each change they show
    replaces: a new member or level, a rename, a new org unit name, a sponsor, the community's settings."""
    viewer = UserFactory()
    MembershipFactory(community=guild, user=viewer, level="active")
    client.force_login(viewer)

    def cards() -> str:
        text = client.get(home_url(guild)).text
        return text[text.index('aria-labelledby="members-heading"') :]

    assert "5 members" in cards() and "Cora Coordinator" in cards()
    cora = guild.memberships.get(role="coordinator").user
    cora.full_name = "Cora Renamed"
    cora.save()
    assert "Cora Renamed" in cards()
    unit = OrgUnit.objects.get(name="Platform Team")
    unit.name = "Platform Group"
    unit.save()
    assert "Platform Group" in cards()
    MembershipFactory(community=guild, level="core", user=UserFactory(full_name="Nia New"))
    assert "6 members" in cards() and "Nia New" in cards()
    SponsorshipFactory(community=guild, sponsor=UserFactory(full_name="Sam Second"))
    assert "Sam Second" in cards()
    guild.memberships.filter(role="coordinator").get().delete()
    guild.needs_coordinator = True
    guild.save()
    assert "staff are appointing a new one" in cards()


def test_the_staff_only_link_is_not_served_from_a_members_cached_cards(client):
    """The fragment's version names whether the viewer administers: staff's "Name one" link is not kept for
    members, nor members' text for staff."""
    community = CommunityFactory()
    member = UserFactory()
    MembershipFactory(community=community, user=member)
    client.force_login(member)
    assert "No sponsor yet." in client.get(home_url(community)).text
    assert ">Name one<" not in client.get(home_url(community)).text
    client.force_login(UserFactory(is_staff=True))
    assert ">Name one<" in client.get(home_url(community)).text
    client.force_login(member)
    assert ">Name one<" not in client.get(home_url(community)).text


def test_home_query_count_is_constant(member_client):
    """A community's home runs the same queries however many members, sponsors and org units it has.

    1 the signed-in user, 2 the community with whether the viewer sponsors it and their membership,
    3 coordinators and core group with their org units, 4 sponsors, 5 member counts per level, 6 org units
    members come from, 7 topics; then the slots other apps fill: 8 upcoming dates, 9 the latest discussions with
    their authors, 10 the latest published resources, 11 the most applied ones. (Whether the viewer may schedule
    activities is read from the membership already loaded; the time zone is the one the request runs in.)

    Seen again with the people cards, the upcoming dates (the viewer's answers read apart), the latest
    discussions and the library's highlights kept (core.fragments), 3 to 6 and 9 to 11 are not run: 3 queries.
    """
    community = CommunityFactory(name="Pinned")

    def add_rows() -> None:
        coordinator_of(community)
        member_of(community, "core")
        member_of(community, "active")
        SponsorshipFactory(community=community)
        community.topics.add(TagFactory())

    assert_constant_queries(
        member_client, home_url(community), grow=growing(add_rows), expected=11, cold=True
    )
    assert count_queries(member_client, home_url(community))[0] == 3  # warm, at the larger size


# --- Members ---------------------------------------------------------------------------------------------


def test_members_lists_active_members_with_title_unit_level_and_role(member_client, guild):
    Profile.objects.filter(user__full_name="Ada Active").update(job_title="Data Engineer")
    response = member_client.get(members_url(guild))

    assert response.status_code == 200
    assert response.context["tab"] == "members"
    text = response.text
    for name in ("Cora Coordinator", "Cole Core", "Ada Active", "Pia Peripheral"):
        assert name in text
    assert "Lou Left" not in text
    assert "Data Engineer" in text and "Data Team" in text
    assert "level-badge level-active" in text
    assert "<strong>Coordinator</strong>" in text
    assert "4 members by level" in text


def test_members_links_to_profiles_only_of_people_in_the_directory(member_client, guild):
    hidden = UserFactory(full_name="Quiet Quinn")
    Profile.objects.filter(user=hidden).update(in_directory=False)
    MembershipFactory(community=guild, user=hidden)
    response = member_client.get(members_url(guild))
    assert "Quiet Quinn" in response.text
    assert hidden.get_absolute_url() not in response.text
    cora = guild.memberships.get(user__full_name="Cora Coordinator").user
    assert cora.get_absolute_url() in response.text


def test_members_filter_by_level_and_org_unit(member_client, guild):
    response = member_client.get(members_url(guild), {"level": "core"})
    names = [m.user.full_name for m in response.context["page"].object_list]
    assert names == ["Cole Core", "Cora Coordinator"]

    data = OrgUnit.objects.get(name="Data Team")
    response = member_client.get(members_url(guild), {"unit": data.pk})
    names = [m.user.full_name for m in response.context["page"].object_list]
    assert names == ["Ada Active", "Pia Peripheral"]
    assert "2 members match" in response.text


def test_members_unit_filter_offers_only_units_its_members_come_from(member_client, guild):
    OrgUnit.objects.create(name="Unrelated Unit", kind=OrgUnit.Kind.TEAM)
    response = member_client.get(members_url(guild))
    unit_select = response.text.split('id="members-unit"')[1].split("</select>")[0]
    assert "Platform Team" in unit_select and "Data Team" in unit_select
    assert "Unrelated Unit" not in unit_select


def test_members_bad_filter_is_ignored_and_said(member_client, guild):
    response = member_client.get(members_url(guild), {"unit": "999999", "level": "bogus"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 4
    assert "Choose an org unit from the list." in response.text


def test_members_sort_by_level_and_pagination_keeps_filters(member_client, guild, settings):
    settings.PAGE_SIZE = 1
    response = member_client.get(members_url(guild), {"level": "core", "sort": "level"})
    assert 'href="?level=core&amp;sort=level&amp;page=2"' in response.text


def test_members_rejects_post(member_client, guild):
    assert member_client.post(members_url(guild)).status_code == 405


def test_members_of_unknown_community_is_404(member_client):
    assert member_client.get(reverse("communities:members", args=["nope"])).status_code == 404


def test_members_of_private_community_is_404_to_outsiders(member_client):
    """Outsiders never see who belongs to a private community (nor that the page exists)."""
    private = CommunityFactory(visibility="private")
    MembershipFactory(community=private, user=UserFactory(full_name="Hidden Member"))
    response = member_client.get(members_url(private))
    assert response.status_code == 404
    assert "Hidden Member" not in response.text


def test_members_of_private_community_is_404_to_someone_who_only_asked_to_join(client):
    private = CommunityFactory(visibility="private", join_policy="approval")
    viewer = MembershipFactory(community=private, status="requested", joined_at=None).user
    client.force_login(viewer)
    assert client.get(members_url(private)).status_code == 404


@pytest.mark.parametrize("viewer_kind", ["member", "sponsor", "staff"])
def test_members_of_private_community_shows_to_members_sponsors_and_staff(client, viewer_kind):
    private = CommunityFactory(visibility="private")
    MembershipFactory(community=private, user=UserFactory(full_name="Hidden Member"))
    if viewer_kind == "member":
        viewer = member_of(private)
    elif viewer_kind == "sponsor":
        viewer = SponsorshipFactory(community=private).sponsor
    else:
        viewer = UserFactory(is_staff=True)
    client.force_login(viewer)
    response = client.get(members_url(private))
    assert response.status_code == 200
    assert "Hidden Member" in response.text


def test_members_query_count_is_constant(member_client):
    """The member list runs the same queries for 30 and 330 members.

    1 the signed-in user, 2 the community with the viewer's membership, 3 the page of members with user, org
    unit and profile and the count of all of them (a window: no separate count for the paginator), 4 the count
    per level, 5 the org units members come from (filter). Seen again, the last three come from the cache.
    """
    community = CommunityFactory(name="Pinned")

    def add_rows() -> None:
        member_of(community, "active")
        member_of(community, "occasional")
        MembershipFactory(community=community, status="left")

    assert_constant_queries(
        member_client, members_url(community), grow=growing(add_rows), expected=5, cold=True
    )
    assert count_queries(member_client, members_url(community))[0] == 2  # warm, at the larger size


def test_a_kept_page_of_members_follows_what_its_rows_show(member_client):
    """The whole list's pages are kept with their rows: a new member, a name, a job title, an org unit's name and
    a level each show on the next request."""
    community = CommunityFactory(name="Pinned")
    unit = OrgUnit.objects.create(name="Quality Office", kind=OrgUnit.Kind.TEAM)
    person = member_of(community, "active")
    person.org_unit = unit
    person.save()
    url = members_url(community)
    assert person.full_name in member_client.get(url).text
    newcomer = member_of(community, "occasional")
    assert newcomer.full_name in member_client.get(url).text
    person.full_name = "Renamed Person"
    person.save()
    profile, _ = Profile.objects.get_or_create(user=person)
    profile.job_title = "Lead Auditor"
    profile.save()
    unit.name = "Quality Department"
    unit.save()
    text = member_client.get(url).text
    assert all(words in text for words in ("Renamed Person", "Lead Auditor", "Quality Department"))
    membership = community.memberships.get(user=person)
    membership.level = "core"
    membership.save()
    row = member_client.get(url).text.split("Renamed Person", 1)[1][:600]
    assert "Core group" in row


@pytest.mark.slow  # seeds the benchmark set at scales 2-3 and 20-30 for real: in `make test` only
def test_members_query_count_with_filters_is_constant(member_client):
    """Filtering by org unit validates it (one query) and expands it to the units below (one more); the level
    counts and unit options come from the cache when seen again."""
    community = CommunityFactory(name="Pinned")
    unit = OrgUnit.objects.create(name="Pinned Unit", kind=OrgUnit.Kind.TEAM)

    def add_rows() -> None:
        MembershipFactory(community=community, user=UserFactory(org_unit=unit), level="core")
        member_of(community, "active")

    url = f"{members_url(community)}?unit={unit.pk}&level=core&q=a&sort=unit"
    assert_constant_queries(member_client, url, grow=growing(add_rows), small=2, expected=7, cold=True)
    assert count_queries(member_client, url)[0] == 5  # warm, at the larger size


# The member list's rows as the template wrote them with filters and an include per row, before `_member_rows`
# worked them out in one pass: the page must write the same rows.
FORMER_MEMBER_ROWS = """{% load member_tags %}{% for m in page.object_list %}
<tr>
  <td data-label="Name">
    <span class="avatar avatar-sm" aria-hidden="true">{{ m.user.initials }}</span>
    {% if request.user|sees_profile_of:m.user %}<a href="{{ m.user.get_absolute_url }}">{{ m.user.full_name }}</a>{% else %}{{ m.user.full_name }}{% endif %}
  </td>
  <td data-label="Job title">{{ m.user.profile.job_title|default:"—" }}</td>
  <td data-label="Org unit">{{ m.user.org_unit|default:"—" }}</td>
  <td data-label="Level">{% include "communities/_level_badge.html" with level=m.level label=m.get_level_display %}</td>
  <td data-label="Role">{% if m.role == "coordinator" %}<strong>Coordinator</strong>{% else %}Member{% endif %}</td>
  <td data-label="Joined">{% if m.joined_at %}<time datetime="{{ m.joined_at|datetime_attr }}" title="{{ m.joined_at|date:'j F Y, H:i T' }}">{{ m.joined_at|timesince }} ago</time>{% else %}—{% endif %}</td>
</tr>
{% endfor %}"""


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("viewer_kind", ["member", "staff"])
def test_members_rows_are_what_the_former_filters_wrote(client, guild, viewer_kind):
    """Each row's initials, name (linked when the viewer may see the profile), job title, org unit, level badge,
    role and joining time (relative, the exact time in the viewer's zone on hover; a dash when unknown) are
    what the former template wrote, for a member and for staff (who see profiles out of the directory)."""
    quiet = UserFactory(full_name="Quiet <Quinn>")
    Profile.objects.filter(user=quiet).update(in_directory=False, job_title="R&D lead")
    MembershipFactory(community=guild, user=quiet, level="transactional", joined_at=None)
    nameless = UserFactory(full_name="", email="no.name@example.com")
    MembershipFactory(community=guild, user=nameless, level="occasional")
    past = timezone.now() - timezone.timedelta(days=40, hours=5, minutes=30)
    guild.memberships.filter(user__full_name="Ada Active").update(joined_at=past)
    viewer = UserFactory(full_name="Vera Viewer", is_staff=viewer_kind == "staff")
    Profile.objects.filter(user=viewer).update(time_zone="Asia/Kolkata")
    client.force_login(type(viewer).objects.get(pk=viewer.pk))

    response = client.get(members_url(guild))

    shown = response.text.split("<tbody>")[1].split("</tbody>")[0]
    with timezone.override("Asia/Kolkata"):
        former = (
            engines["django"]
            .from_string(FORMER_MEMBER_ROWS)
            .render({"page": response.context["page"]}, request=response.wsgi_request)
        )
    assert _squeezed(shown) == _squeezed(former)
    assert "IST" in shown and "—" in shown and "Quiet &lt;Quinn&gt;" in shown
    assert (quiet.get_absolute_url() in shown) == (viewer_kind == "staff")


def _unit_select(response) -> str:
    return response.text.split('id="members-unit"')[1].split("</select>")[0]


def test_members_level_counts_and_unit_options_follow_every_change(member_client, guild):
    """The level counts and the unit options come from the cache while nothing changes, and show at once a new
    member, a changed level, a member who left, someone's new org unit and a renamed unit."""
    url = members_url(guild)
    first = member_client.get(url)
    assert "4 members by level" in first.text
    assert "communities/_member_unit_options.html" in [t.name for t in first.templates]
    again = member_client.get(url)
    assert "communities/_member_unit_options.html" not in [t.name for t in again.templates]
    assert _unit_select(again) == _unit_select(first)

    legal = OrgUnit.objects.create(name="Legal Team", kind=OrgUnit.Kind.TEAM)
    newcomer = MembershipFactory(community=guild, level="active", user=UserFactory(full_name="Nia New"))
    text = member_client.get(url).text
    assert "5 members by level" in text
    assert "Legal Team" not in _unit_select(member_client.get(url))

    newcomer.user.org_unit = legal
    newcomer.user.save()
    assert f'<option value="{legal.pk}">Legal Team</option>' in _unit_select(member_client.get(url))
    legal.name = "Legal Office"
    legal.save()
    assert f'<option value="{legal.pk}">Legal Office</option>' in _unit_select(member_client.get(url))

    newcomer.level = "core"
    newcomer.save()
    legend = member_client.get(url).text.split('class="list-unstyled level-legend')[1].split("</ul>")[0]
    assert re.search(r"Core group</a> <span class=\"level-legend-count\">3</span>", legend)
    newcomer.status = "left"
    newcomer.save()
    response = member_client.get(url)
    assert "4 members by level" in response.text
    assert "Legal Office" not in _unit_select(response)


def test_members_unit_option_is_selected_only_as_written(member_client, guild):
    """The unit asked for is selected when written as its value; written otherwise ("07") it still filters, as
    the form reads it, and no option is selected, as before the options were kept in the cache."""
    data = OrgUnit.objects.get(name="Data Team")
    selected = f'<option value="{data.pk}" selected>Data Team</option>'
    assert selected in _unit_select(member_client.get(members_url(guild), {"unit": data.pk}))
    response = member_client.get(members_url(guild), {"unit": f"0{data.pk}"})
    assert "2 members match" in response.text
    assert " selected" not in _unit_select(response)
    assert '<option value="" selected>Any unit</option>' in _unit_select(
        member_client.get(members_url(guild), {"unit": ""})
    )
    assert " selected" not in _unit_select(member_client.get(members_url(guild)))


def test_members_pages_keep_their_members_until_someone_changes(member_client, guild, settings):
    """The whole list's pages (no filter) come from the cache, in each sort, while nothing changes (their rows
    read by id, not every member ordered), and show at once a newcomer, a new name, a new level and someone
    who left; a filtered list is never kept."""
    settings.PAGE_SIZE = 2
    url = members_url(guild)

    def names(**query) -> list[str]:
        return [m.user.full_name for m in member_client.get(url, query).context["page"].object_list]

    assert names() == ["Ada Active", "Cole Core"]
    assert names(sort="level") == ["Ada Active", "Cole Core"]  # levels by their value, then names
    with CaptureQueriesContext(connection) as captured:
        assert names() == ["Ada Active", "Cole Core"]
    assert not any("OVER ()" in query["sql"] for query in captured.captured_queries)

    newcomer = MembershipFactory(community=guild, level="active", user=UserFactory(full_name="Abe Early"))
    assert names() == ["Abe Early", "Ada Active"]
    assert names(sort="joined") == ["Abe Early", "Pia Peripheral"]
    newcomer.user.full_name = "Zed Late"
    newcomer.user.save()
    assert names() == ["Ada Active", "Cole Core"] and names(page=3) == ["Zed Late"]
    assert names(sort="level") == ["Ada Active", "Zed Late"]
    newcomer.level = "core"
    newcomer.save()
    assert names(sort="level") == ["Ada Active", "Cole Core"]
    assert names(sort="level", page=2) == ["Cora Coordinator", "Zed Late"]
    newcomer.status = "left"
    newcomer.save()
    assert names(page=3) == ["Cora Coordinator", "Pia Peripheral"]  # past the end: the last page
    assert "4 members by level" in member_client.get(url).text
    assert names(level="core") == ["Cole Core", "Cora Coordinator"]


def test_members_joining_times_are_in_each_viewers_zone(client, guild):
    """The joining times, kept per zone and minute, are each viewer's own zone's, one viewer after another."""
    shown = {}
    for zone in ("Asia/Tokyo", "America/New_York", "Asia/Tokyo"):
        viewer = UserFactory()
        Profile.objects.filter(user=viewer).update(time_zone=zone)
        client.force_login(type(viewer).objects.get(pk=viewer.pk))
        text = client.get(members_url(guild)).text
        shown.setdefault(zone, set()).update(re.findall(r'title="[^"]*\d{2}:\d{2} ([A-Z]+)"', text))
    assert shown["Asia/Tokyo"] == {"JST"}
    assert shown["America/New_York"] <= {"EST", "EDT"} and shown["America/New_York"]


def test_the_kept_latest_discussions_and_resources_follow_every_change_they_show(client, guild):
    """A community home's latest discussions and library highlights are kept under its content version: a new
    discussion, a reply (its count), a resource published or applied, and an author's new name show at once; the
    links only those who may post or add see are not served to others."""
    from activities.discussions import services as discussions
    from repertoire import services as repertoire

    member = guild.memberships.get(user__full_name="Ada Active").user
    outsider = UserFactory()

    def slot(person, anchor: str) -> str:
        client.force_login(person)
        text = client.get(home_url(guild)).text
        start = text.index(f'id="{anchor}"')
        return text[start : text.index("</section>", start)]

    assert "No discussions yet" in slot(member, "recent-discussions")
    question = discussions.discussion_start(author=member, community=guild, title="Kept question", body="Hm?")
    assert "Kept question" in slot(member, "recent-discussions")
    assert "0 replies" in slot(member, "recent-discussions")
    discussions.reply_add(author=member, discussion=question, body="Self answer.")
    assert "1 reply" in slot(member, "recent-discussions")
    assert "Start a discussion" in slot(member, "recent-discussions")
    assert "Start a discussion" not in slot(outsider, "recent-discussions")
    member.full_name = "Ada Renamed"
    member.save()
    assert "Ada Renamed" in slot(member, "recent-discussions")
    assert "No resources in its library yet" in slot(member, "latest-resources")
    resource = repertoire.resource_create(actor=member, community=guild, title="Kept lesson", body="Do it.")
    assert "Kept lesson" in slot(member, "latest-resources")
    cole = guild.memberships.get(user__full_name="Cole Core").user
    repertoire.resource_apply(actor=cole, resource=resource, story="It worked.")
    assert "applied 1 time" in slot(member, "latest-resources")
