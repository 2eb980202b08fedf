"""The libraries' resource cards and the organization library's community filter are kept in the cache
(`core.fragments`): every change of what they show is shown at once, and nothing in them depends on the viewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from members.models import Profile, Tag, User
from repertoire import services
from repertoire.models import Resource, ResourceFile
from tests.factories import CommunityFactory, UserFactory, member_of
from tests.repertoire.conftest import make_resource

pytestmark = pytest.mark.django_db

LIBRARY = reverse("repertoire:library")


def community_library(community) -> str:
    return reverse("repertoire:community_library", args=[community.slug])


@pytest.mark.parametrize("page", ["organization", "community"])
def test_a_card_follows_every_change_of_what_it_shows(client, guild, author, reader, coordinator, page):
    """Each change is seen on the next request, with the cards of the request before still in the cache (and the
    organization library's page kept: every change is a save, which bumps the versions it is kept under)."""
    resource = make_resource(guild, author, title="Blameless review", kind="template", tags=["reviews"])
    client.force_login(reader)
    url = LIBRARY if page == "organization" else community_library(guild)

    def shown() -> str:
        return client.get(url).text

    assert "Blameless review" in shown() and "Applied 0 times" in shown()
    services.resource_update(
        actor=author, resource=resource, title="Blameless postmortem", kind="story", tags=["reviews"]
    )
    assert "Blameless postmortem" in shown() and "Story" in shown()
    services.resource_apply(actor=reader, resource=resource, story="Helped")
    assert "Applied 1 time" in shown()
    services.resource_recommend(actor=coordinator, resource=resource)
    assert "Recommended" in shown()
    tag = Tag.objects.get(name="reviews")
    tag.name = "retrospectives"
    tag.save()
    assert "retrospectives" in shown()
    author.full_name = "Ada Lovelace"
    author.save()
    assert "By Ada Lovelace" in shown()
    guild.name = "Reliability Circle"
    guild.save()
    if page == "organization":  # the community library names its community in its own header only
        assert '">Reliability Circle</a> · ' in shown()
    ResourceFile.objects.create(
        resource=resource,
        file="repertoire/x/a.pdf",
        name="a.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_at=timezone.now(),
    )
    assert "1 file" in shown()
    resource.refresh_from_db()
    resource.external_url = "https://example.org/"
    resource.save()
    assert " · Link" in shown()
    resource.authors.add(coordinator)
    assert f"{coordinator.full_name}, " in shown() or f", {coordinator.full_name}" in shown()


def test_a_card_says_how_long_ago_as_time_passes(client, guild, author, reader, monkeypatch):
    make_resource(guild, author, title="Blameless review")
    client.force_login(reader)
    assert "Blameless review" in client.get(LIBRARY).text
    monkeypatch.setattr("repertoire.views.library.naturaltime", lambda moment: "ages ago")
    assert ">ages ago</time>" in client.get(LIBRARY).text


def test_a_card_shows_the_viewers_own_time_zone(client, guild, author, reader):
    resource = make_resource(guild, author, title="Blameless review")
    Resource.objects.filter(pk=resource.pk).update(created_at="2026-03-02T08:30:00Z")
    client.force_login(reader)
    assert 'title="2 March 2026, 08:30 UTC"' in client.get(LIBRARY).text
    Profile.objects.filter(user=author).update(time_zone="Asia/Tokyo")
    client.force_login(User.objects.get(pk=author.pk))  # the zone is kept in the session at sign-in
    assert 'title="2 March 2026, 17:30 JST"' in client.get(LIBRARY).text


def test_cards_are_the_same_for_every_viewer_who_sees_them(client, guild, author, reader, coordinator):
    """A draft's card (seen by its author and the coordinators) and a published one's: the same markup for all
    who see them; what is per viewer (the drafts themselves) is decided by the list, not the card."""
    make_resource(guild, author, title="Blameless review")
    make_resource(guild, author, title="Half-written idea", status="draft")
    url = community_library(guild) + "?status=all"
    client.force_login(coordinator)
    for_coordinator = client.get(url).text
    client.force_login(author)
    for_author = client.get(url).text
    card = for_coordinator[for_coordinator.index('<ul class="list-unstyled resource-list"') :]
    assert "Half-written idea" in card and "Draft" in card
    assert (
        card.split("</ul>")[0]
        == for_author[for_author.index('<ul class="list-unstyled resource-list"') :].split("</ul>")[0]
    )
    client.force_login(reader)
    assert "Half-written idea" not in client.get(url).text


def test_the_cards_read_only_the_columns_they_show(client, guild, author, reader):
    make_resource(guild, author, title="Blameless review", body="A long body " * 100)
    client.force_login(reader)
    with CaptureQueriesContext(connection) as captured:
        assert "Blameless review" in client.get(LIBRARY).text
    page_query = next(
        q["sql"] for q in captured if "ORDER BY" in q["sql"] and "repertoire_resource" in q["sql"]
    )
    assert (
        '"body"' not in page_query and '"body_html"' not in page_query and "search_vector" not in page_query
    )


def test_the_community_filter_follows_the_communities(client, guild, author, outsider):
    make_resource(guild, author, title="Blameless review")
    client.force_login(outsider)
    assert '<option value="guild">Reliability Guild</option>' in client.get(LIBRARY).text
    assert (
        '<option value="guild" selected>Reliability Guild</option>'
        in client.get(LIBRARY + "?community=guild").text
    )
    assert '<option value="guild">Reliability Guild</option>' in client.get(LIBRARY + "?community=nope").text
    CommunityFactory(name="Accessibility Circle", slug="a11y")
    Community.objects.filter(pk=guild.pk).update(name="Reliability Circle")
    page = client.get(LIBRARY).text
    assert '<option value="a11y">Accessibility Circle</option>' in page
    assert '<option value="guild">Reliability Circle</option>' in page
    assert page.index("Accessibility Circle") < page.index("Reliability Circle")
    CommunityFactory(name="Hidden Circle", slug="hidden", visibility="private")
    assert "Hidden Circle" not in client.get(LIBRARY).text
    client.force_login(UserFactory(is_staff=True))  # who sees more communities is offered more
    assert '<option value="hidden">Hidden Circle</option>' in client.get(LIBRARY).text


def test_card_lists_are_the_same_read_as_arrays_or_prefetched(guild, author):
    """`selectors.for_cards` gives each resource its tags and authors by name, whether PostgreSQL's arrays made
    them (`with_card_lists`) or the prefetch other databases use did."""
    from django.db.models import Prefetch

    from repertoire import selectors

    full = make_resource(guild, author, title="Tagged", tags=["zeta", "Alpha", "mid"])
    full.authors.add(UserFactory(full_name="Bea Second"), UserFactory(full_name="Abe First"))
    bare = make_resource(guild, author, title="Bare")
    bare.authors.clear()
    rows = Resource.objects.filter(pk__in=[full.pk, bare.pk]).order_by("title")

    read = list(selectors.for_cards(rows))
    selectors.with_card_lists(read)
    prefetched = list(
        rows.prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
            Prefetch("authors", queryset=User.objects.order_by("full_name", "pk"), to_attr="author_list"),
        )
    )

    def lists(resources) -> list:
        return [
            ([(tag.slug, tag.name) for tag in r.tag_list], [a.full_name for a in r.author_list])
            for r in resources
        ]

    assert lists(read) == lists(prefetched)
    assert lists(read)[1][0] == [("alpha", "Alpha"), ("mid", "mid"), ("zeta", "zeta")]
    assert lists(read)[0] == ([], [])


def test_the_organization_librarys_count_is_kept_until_a_resource_or_the_communities_change(
    client, guild, author, reader
):
    """Without a search nor a tag, the count comes from the cache (no COUNT query) while nothing changes, and
    follows a new resource, one archived or deleted, a kind chosen, and a community leaving the library."""
    make_resource(guild, author, title="First", kind="template")
    second = make_resource(guild, author, title="Second", kind="practice")
    other = CommunityFactory(slug="other-guild", name="Other Guild")
    make_resource(other, member_of(other), title="Elsewhere", kind="template")
    client.force_login(reader)

    def found(**params) -> str:
        text = client.get(LIBRARY, params).text
        return text[
            text.index('id="library-count">') + 19 : text.index("</p>", text.index('id="library-count">'))
        ]

    assert found() == "3 resources found."
    with CaptureQueriesContext(connection) as captured:
        assert found() == "3 resources found."
    assert not any(query["sql"].startswith("SELECT COUNT(") for query in captured.captured_queries)
    assert found(kind="template") == "2 resources found."
    assert found(community=guild.slug) == "2 resources found."

    third = make_resource(guild, author, title="Third", kind="template")
    assert found() == "4 resources found."
    assert found(kind="template") == "3 resources found."
    second.status = Resource.Status.ARCHIVED
    second.save()
    assert found() == "3 resources found."
    assert found(community=guild.slug) == "2 resources found."
    third.delete()
    assert found() == "2 resources found."
    other.archived_at = timezone.now()
    other.save(update_fields=["archived_at"])  # as the archiving service does: its id leaves the list
    assert found() == "1 resource found."
