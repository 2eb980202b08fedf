"""The constellation's map and tables kept as fragments: rendered once per version of what they show, read from
the cache afterwards, and rendered anew whenever what they show changes (the memberships, a community, the
figures counted again, the page of spanners, the template)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import constellation as module
from insights.views import constellation as views
from tests.factories import MembershipFactory, UserFactory
from tests.insights import test_constellation as base
from tests.insights.test_constellation import URL

pytestmark = pytest.mark.django_db
world, outsider = base.world, base.outsider  # the fixtures of the constellation's tests
FRAGMENTS = ("map", "communities", "matrix", "links", "spanners")


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The fragments rendered (not read from the cache), by name, in order."""
    names: list[str] = []
    render = views.render_to_string

    def counting(template_name: str, *args, **kwargs) -> str:
        names.append(template_name.partition("#")[2])
        return render(template_name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting)
    return names


def forget_figures(result: module.Constellation) -> None:
    """What FIGURES_CACHE_SECONDS does: the figures and their pages of spanners are counted again."""
    key = module.FIGURES_KEY + result.key
    cache.delete_many([key, *(f"{key}:spanners:{page}" for page in range(1, 4))])


def test_a_second_view_reads_the_map_and_tables_from_the_cache(world, client, staff, rendered):
    client.force_login(staff)
    first = client.get(URL).content.decode()
    assert sorted(rendered) == sorted(FRAGMENTS)
    rendered.clear()
    with CaptureQueriesContext(connection) as captured:
        second = client.get(URL)
    assert rendered == []
    assert _without_tokens(second.content.decode()) == _without_tokens(first)
    assert "<title>Alpha and Beta share 4 members</title>" in first
    # Nothing beyond the user, the communities in view and the memberships' last change is read (the filters'
    # choices are kept).
    assert len(captured.captured_queries) == 3
    # The nodes, the tables and the map are not even built.
    result = second.context["constellation"]
    assert not {"nodes", "edges", "spanners", "matrix", "layout"} & set(vars(result))


def _without_tokens(html: str) -> str:
    """The page without its per-request parts (the CSRF token, the scripts' nonce)."""
    return re.sub(r'"X-CSRFToken": "[^"]*"|nonce="[^"]*"|csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_new_membership_shows_at_once(world, client, staff, rendered):
    client.force_login(staff)
    assert "Foxtrot: 1 member; stage: Potential" in client.get(URL, {"k": "1"}).content.decode()
    person = UserFactory(full_name="Newt Joiner")
    MembershipFactory(user=person, community=world.foxtrot)
    MembershipFactory(user=person, community=world.alpha)
    rendered.clear()
    html = client.get(URL, {"k": "1"}).content.decode()
    assert "Foxtrot: 2 members; stage: Potential" in html
    assert f'<a href="{person.get_absolute_url()}">Newt Joiner</a>' in html  # a boundary spanner now
    assert sorted(rendered) == sorted(FRAGMENTS)


def test_a_community_renamed_or_made_private_shows_at_once(world, client, staff):
    client.force_login(staff)
    client.get(URL)
    world.alpha.name = "Alpha Prime"
    world.alpha.visibility = "private"
    world.alpha.save()
    html = client.get(URL).content.decode()
    assert "<title>Alpha Prime: 6 members; stage: Maturing; private</title>" in html
    assert '>Alpha Prime</a> <span class="badge text-bg-light border">Private</span>' in html
    assert "<title>Alpha: 6 members" not in html


def test_an_org_unit_or_a_name_changed_shows_once_the_figures_are_counted_again(world, client, staff):
    """Names of org units and of people are not in the figures' key: they show within FIGURES_CACHE_SECONDS,
    and the fragments, kept for a day, follow the figures counted again rather than keep the old names."""
    client.force_login(staff)
    result = client.get(URL).context["constellation"]
    world.team_one.name = "Team Uno"
    world.team_one.save()
    zed = world.people["Zed Many"]
    zed.full_name = "Zed Renamed"
    zed.save()
    assert "Team One</th>" in client.get(URL).content.decode()  # the figures are still those counted
    forget_figures(result)
    html = client.get(URL).content.decode()
    assert '<th scope="row" class="fw-normal text-nowrap text-start">Team Uno</th>' in html
    assert ">Zed Renamed</a>" in html
    assert "Zed Many" not in html


def test_each_page_of_the_tables_is_its_own_fragment(world, client, staff, monkeypatch):
    monkeypatch.setattr(module, "COMMUNITY_ROWS", 2)
    monkeypatch.setattr(module, "SPANNERS", 2)
    client.force_login(staff)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": "2", "spanners": "2"}).content.decode()
    assert "(1 to 2)</caption>" in first and "(3 to 4)</caption>" in second
    assert ">Zed Many</a>" in first and ">Zed Many</a>" not in second
    assert ">Ben Two</a>" in second and ">Ben Two</a>" not in first
    # Read again from the cache: the same pages.
    assert "(1 to 2)</caption>" in client.get(URL).content.decode()
    assert "(3 to 4)</caption>" in client.get(URL, {"page": "2"}).content.decode()


def test_the_fragments_follow_the_viewer_and_the_filters(world, client, staff, outsider):
    client.force_login(staff)
    assert "Gamma" in client.get(URL).content.decode()
    client.force_login(outsider)
    assert "Gamma" not in client.get(URL).content.decode()
    client.force_login(staff)
    html = client.get(URL, {"k": "4"}).content.decode()
    assert "1 link: pairs of communities sharing at least 4 members" in html
    assert "share at least 4 members. The tables below" in html


def test_a_changed_template_renders_the_fragments_anew(world, client, staff, rendered, monkeypatch):
    client.force_login(staff)
    client.get(URL)
    before = views._template_version()
    rendered.clear()
    client.get(URL)
    assert rendered == []

    class Changed:
        class template:
            source = "another template"

    monkeypatch.setattr(views, "get_template", lambda name: Changed)
    assert views._template_version() != before
    client.get(URL)
    assert sorted(rendered) == sorted(FRAGMENTS)


def test_an_empty_org_unit_choice_selects_any(world, client, staff):
    client.force_login(staff)
    html = client.get(URL, {"unit": "", "stage": "maturing"}).content.decode()
    assert '<option value="" selected>Any org unit</option>' in html
    assert '<option value="">Any topic</option>' in html  # not in the query string: none selected
    assert '<option value="maturing" selected>Maturing</option>' in html
