"""The constellation at the size of a large organization: the most connected communities on the map, the filters
that bring others onto it, the pages of the tables, the figures computed once per change of the data, and a page
under 100 KB at 300 communities."""

import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.models import Community, Membership, Stage
from insights import constellation as module
from insights.constellation import constellation
from members.models import User
from tests.factories import MembershipFactory, OrgUnitFactory, TagFactory, UserFactory
from tests.insights import test_constellation as base
from tests.insights.test_constellation import URL, spanners

pytestmark = pytest.mark.django_db
world, outsider = base.world, base.outsider  # the fixtures of the constellation's tests


def test_the_map_draws_at_most_sixty_communities_and_a_hundred_and_fifty_links():
    assert (module.MAP_NODES, module.MAP_EDGES) == (60, 150)


def test_the_most_connected_communities_go_on_the_map_not_the_largest(world, staff, monkeypatch):
    """Foxtrot grows to be the largest but shares nobody: the map keeps the linked ones."""
    for _ in range(8):
        MembershipFactory(community=world.foxtrot)
    monkeypatch.setattr(module, "MAP_NODES", 3)
    result = constellation(staff, k=3)
    assert result.nodes[0].name == "Foxtrot"
    assert result.map_capped
    assert [p.node.name for p in result.layout.nodes] == [
        "Alpha",
        "Beta",
        "Gamma",
    ]  # largest first on the map
    assert {node.name for node in result.nodes if not node.on_map} == {"Foxtrot", "Epsilon"}


def test_the_map_draws_the_strongest_links_between_its_communities(world, staff, monkeypatch):
    monkeypatch.setattr(module, "MAP_EDGES", 2)
    layout = constellation(staff, k=1).layout
    assert layout.edges_capped
    assert sorted(line.edge.shared for line in layout.edges) == [3, 4]


def test_stage_filter_keeps_the_communities_at_that_stage(world, staff, client):
    assert {node.name for node in constellation(staff, stage=Stage.POTENTIAL).nodes} == {"Epsilon", "Foxtrot"}
    client.force_login(staff)
    html = client.get(URL, {"stage": Stage.POTENTIAL}).content.decode()
    assert "Communities at the Potential stage." in html
    assert '<option value="potential" selected>' in html
    assert ">Alpha</a>" not in html
    assert "Choose a stage from the list." in client.get(URL, {"stage": "nonsense"}).content.decode()


def test_spanners_come_in_pages(world, staff, client, monkeypatch):
    monkeypatch.setattr(module, "SPANNERS", 2)
    first = constellation(staff, k=3)
    assert [name for name, _, _ in spanners(first)] == ["Zed Many", "Ada One"]
    assert first.spanners_more
    second = constellation(staff, k=3, spanner_page=2)
    assert [name for name, _, _ in spanners(second)] == ["Ben Two", "Cleo Three"]
    assert second.spanners_more  # Dev Four
    third = constellation(staff, k=3, spanner_page=3)
    assert [name for name, _, _ in spanners(third)] == ["Dev Four"]
    assert not third.spanners_more
    client.force_login(staff)
    html = client.get(URL, {"spanners": "2"}).content.decode()
    assert 'href="?spanners=1#spanners-heading" rel="prev"' in html
    assert 'href="?spanners=3#spanners-heading" rel="next"' in html
    assert "Page 2</span>" in html
    assert client.get(URL, {"spanners": "x"}).status_code == 200  # a malformed page is the first


def test_the_communities_table_comes_in_pages(world, staff, client, monkeypatch):
    monkeypatch.setattr(module, "COMMUNITY_ROWS", 2)
    client.force_login(staff)
    html = client.get(URL, {"page": "2"}).content.decode()
    assert "5 communities, largest first" in html
    assert "(3 to 4)</caption>" in html
    assert "Page 2 of 3" in html
    rows = constellation(staff, page=2).rows
    assert [node.name for node in rows] == ["Gamma", "Epsilon"]
    assert [node.name for node in constellation(staff, page=99).rows] == ["Foxtrot"]  # the last page


def test_the_figures_are_computed_once_per_change_of_the_memberships(world, staff):
    """A second view of the same data reads only the communities and the memberships' last change; a new
    membership gives a new key, so the links are counted again."""
    constellation(staff, k=1)
    with CaptureQueriesContext(connection) as cached:
        again = constellation(staff, k=1)
    assert len(cached.captured_queries) == 2
    assert again.edge_count == 6
    person = UserFactory()
    for community in (world.epsilon, world.foxtrot):
        MembershipFactory(user=person, community=community)
    with CaptureQueriesContext(connection) as fresh:
        changed = constellation(staff, k=1)
    assert len(fresh.captured_queries) > 2
    assert changed.edge_count == 7
    assert {node.name: node.links for node in changed.nodes}["Foxtrot"] == 1


def test_another_page_of_spanners_does_not_count_the_links_again(world, staff, monkeypatch):
    """1 the communities, 2 the memberships' last change, 3 the page's people and 4 their memberships."""
    monkeypatch.setattr(module, "SPANNERS", 2)
    constellation(staff, k=1)
    with CaptureQueriesContext(connection) as captured:
        second = constellation(staff, k=1, spanner_page=2)
    assert len(captured.captured_queries) == 4
    assert len(second.spanners) == 2
    assert not any("HAVING COUNT(*) >=" in query["sql"] for query in captured.captured_queries)


def test_the_cached_figures_follow_the_viewer(world, staff, outsider):
    """Who sees which communities is part of the key: an outsider never gets the staff's figures."""
    constellation(staff, k=1)
    seen = constellation(outsider, k=1)
    assert "Gamma" not in {node.name for node in seen.nodes}
    assert all("Gamma" not in (edge.a.name, edge.b.name) for edge in seen.edges)
    assert all("Gamma" not in [c.name for c in s.communities] for s in seen.spanners)


@pytest.fixture
def three_hundred_communities(db):
    """300 communities with long names, 400 people in 8 of them each (half among the first 80: a dense web of
    links there), in a few bulk inserts."""
    communities = Community.objects.bulk_create(
        Community(
            name=f"Practice community {i:03d} on reliability",  # twice as long as the benchmark's
            slug=f"practice-community-{i:03d}",
            domain="Getting better at something we all do.",
            stage=Stage.values[i % len(Stage.values)],
        )
        for i in range(300)
    )
    people = [UserFactory(full_name=f"Person Number {i:03d} Longname") for i in range(400)]
    draw = random.Random(17)
    Membership.objects.bulk_create(
        Membership(user=person, community=communities[index], status="active")
        for person in people
        for index in {*draw.sample(range(80), 4), *draw.sample(range(80, 300), 4)}
    )
    return communities


def test_the_page_stays_under_100_kb_at_300_communities(three_hundred_communities, client, staff):
    client.force_login(staff)
    response = client.get(URL, {"k": "1"})
    html = response.content.decode()
    result = response.context["constellation"]
    assert len(result.nodes) == 300
    assert len(result.layout.nodes) == 60
    assert len(result.layout.edges) == 150
    assert result.spanners_more
    assert "300 communities, largest first" in html
    assert len(response.content) < 100_000, f"{len(response.content)} bytes"
    assert User.objects.count() > 400


def test_the_filters_offer_the_most_used_topics_and_the_chosen_division_s_departments(
    world, staff, monkeypatch
):
    """Thousands of topics and hundreds of departments would weigh more than the map: the lists offer the topics
    on most communities (and the chosen one) and the departments of the chosen division; any stays valid."""

    rare = TagFactory(name="Rare")
    world.foxtrot.topics.add(rare)
    world.beta.topics.add(world.topic)
    north = OrgUnitFactory(name="North", kind="division")
    sales = OrgUnitFactory(name="Sales", kind="department", parent=north)
    monkeypatch.setattr(module, "SHOWN_TOPICS", 1)
    choices = module.filter_choices(staff)
    shown = module.shown_choices(choices, unit_id=None, topic_id=None)
    assert [name for _, name in shown["topics"]] == ["Testing"]
    assert shown["more_topics"]
    assert "\u2003Sales" not in [name for _, name in shown["org_units"]]
    assert shown["more_units"]
    chosen = module.shown_choices(choices, unit_id=north.pk, topic_id=rare.pk)
    assert [name for _, name in chosen["topics"]] == ["Rare", "Testing"]
    assert (sales.pk, "\u2003Sales") in chosen["org_units"]
    assert module.shown_choices(choices, unit_id=sales.pk, topic_id=None)["org_units"] == chosen["org_units"]
    client = Client()
    client.force_login(staff)
    html = client.get(URL, {"topic": rare.pk, "unit": sales.pk}).content.decode()
    assert f'<option value="{rare.pk}" selected>Rare</option>' in html
    assert f'<option value="{sales.pk}" selected>\u2003Sales</option>' in html
    assert "The topics on most communities." in client.get(URL).content.decode()
