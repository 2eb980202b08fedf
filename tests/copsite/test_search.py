"""Site-wide search: ranking, stemming, escaped highlights, who sees what, bad queries, the GIN index."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities.discussions import services as discussion_services
from activities.models import Discussion
from communities.models import Community
from core.search_support import clean_query, plain_snippet
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def discussion(community, title, body, author=None):
    author = author or member_of(community)
    return discussion_services.discussion_start(author=author, community=community, title=title, body=body)


def test_title_match_ranks_above_body_match_and_stemming(member_client, member):
    community = CommunityFactory()
    member_of(community, user=member)
    discussion(community, "Running better retrospectives", "We tried many formats of the workshop idea.")
    discussion(community, "Workshop formats that work", "Short text.")
    response = member_client.get(reverse("search"), {"q": "workshops", "type": "discussions"})
    titles = [hit.title for hit in response.context["results"].hits]
    assert titles == ["Workshop formats that work", "Running better retrospectives"]


def test_snippet_marks_matches_and_escapes_everything_else(member_client, member):
    community = CommunityFactory()
    member_of(community, user=member)
    discussion(community, "Scripts", "Careful: <script>alert('x')</script> the onboarding checklist & more")
    response = member_client.get(reverse("search"), {"q": "onboarding", "type": "discussions"})
    [hit] = response.context["results"].hits
    snippet = str(hit.snippet)
    assert "<mark>onboarding</mark>" in snippet
    # PostgreSQL's headline drops markup; the plain fallback escapes it: either way nothing runs.
    assert "<script" not in snippet
    assert "&amp;" in snippet
    assert "<script>alert" not in response.text


def test_plain_snippet_escapes_and_marks():
    html = str(plain_snippet("a <b>bold</b> Lean idea", ("lean",)))
    assert html == "a &lt;b&gt;bold&lt;/b&gt; <mark>Lean</mark> idea"


def test_private_hidden_and_archived_content_visible_only_to_those_who_may_see_it(client):
    private = CommunityFactory(visibility="private")
    insider = member_of(private)
    coordinator = coordinator_of(private)
    outsider = UserFactory()
    staff = UserFactory(is_staff=True)
    secret = discussion(private, "Quarterly zeppelin review", "zeppelin details", author=insider)
    listed = CommunityFactory()
    author = member_of(listed)
    hidden = discussion(listed, "Zeppelin rumours", "zeppelin gossip", author=author)
    discussion_services.post_hide(actor=coordinator_of(listed), post=hidden, reason="Off topic")
    old = CommunityFactory(archived_at=timezone.now())
    Discussion.objects.create(
        community=old,
        author=outsider,
        title="Zeppelin archive",
        body="zeppelin",
        created_at=timezone.now(),
        last_activity_at=timezone.now(),
    )

    def found(user, **extra):
        client.force_login(user)
        response = client.get(reverse("search"), {"q": "zeppelin", "type": "discussions", **extra})
        return {hit.title for hit in response.context["results"].hits}

    assert found(outsider) == set()
    assert found(insider) == {"Quarterly zeppelin review"}
    assert found(coordinator) == {"Quarterly zeppelin review"}
    assert found(staff) == {"Quarterly zeppelin review"}
    assert found(outsider, archived="1") == {"Zeppelin archive"}
    assert secret.pk and hidden.pk


@pytest.mark.parametrize(
    "raw", ["", "   ", "!!! ???", '"', "((", "a" * 5000, "foo AND (bar OR", "-", "'; DROP TABLE x; --"]
)
def test_bad_queries_answer_with_a_friendly_page(member_client, raw):
    response = member_client.get(reverse("search"), {"q": raw})
    assert response.status_code == 200
    response = member_client.get(reverse("search"), {"q": raw, "type": "discussions", "page": "x"})
    assert response.status_code == 200


def test_punctuation_only_query_explains_itself(member_client):
    response = member_client.get(reverse("search"), {"q": "?!"})
    assert "has no words to look for" in response.text


def test_clean_query_limits_and_strips_control_characters():
    query = clean_query("work\x02shop\x00 " + "x" * 500)
    assert "\x02" not in query.text and len(query.text) <= 200
    assert clean_query("!!!").words == ()


def test_people_by_expertise_and_opt_outs_excluded(member_client):
    from members.models import Profile, Tag

    expert = UserFactory(full_name="Grace Kaizen-Expert")
    expert.profile.expertise.add(Tag.objects.create(name="Kaizen"))
    hidden = UserFactory(full_name="Hidden Kaizen")
    Profile.objects.filter(user=hidden).update(in_directory=False)
    response = member_client.get(reverse("search"), {"q": "kaizen", "type": "people"})
    assert [hit.title for hit in response.context["results"].hits] == ["Grace Kaizen-Expert"]


def test_communities_search_and_filter_by_community(member_client, member):
    lean = CommunityFactory(name="Lean Circle", domain="Removing waste together.")
    other = CommunityFactory(name="Waste Watchers", domain="Waste in IT.")
    for c in (lean, other):
        member_of(c, user=member) if c is lean else None
    response = member_client.get(reverse("search"), {"q": "waste"})
    groups = {t.key: r for t, r in response.context["groups"]}
    assert groups["communities"].total == 2
    discussion(lean, "Waste walk", "waste walk notes")
    discussion(other, "Waste in pipelines", "waste")
    response = member_client.get(
        reverse("search"), {"q": "waste", "type": "discussions", "community": lean.slug}
    )
    assert [h.title for h in response.context["results"].hits] == ["Waste walk"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_query_plan_uses_the_gin_index():
    community = CommunityFactory()
    author = member_of(community)
    for n in range(300):
        Discussion.objects.create(
            community=community,
            author=author,
            title=f"Topic {n}",
            body=f"body {n} lorem",
            created_at=timezone.now(),
            last_activity_at=timezone.now(),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activities_discussion")
        # On a tiny table a sequential scan is cheaper; forbid it to prove the index matches the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM activities_discussion "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'topic 42')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "activities_discussion_search_gin" in plan, plan


def _grow_with(member):
    def grow(scale):
        from tests.benchdata import seed_scaled

        seed_scaled(scale)
        bench = Community.objects.filter(slug__startswith="bench-").order_by("pk")
        for community in bench[: 3 * scale]:
            if not community.memberships.filter(user=member).exists():
                member_of(community, user=member)

    return grow


def test_search_page_query_count_is_constant_with_nothing_kept(member_client, member):
    """11 queries whatever the size, with no result kept (as after a change of the data): the viewer; the
    communities for the filter, which are also the communities every type searches (passed down, so no type asks
    who may see what again); the drafts the viewer may see (if none there, the resources they find are
    everyone's, kept); every type a single query for its page (its count riding along as COUNT(*) OVER (), its
    snippets as ts_headline and the people's expertise as an array, both computed for the rows shown only); the
    full-text types with many matches (discussions, replies, resources) rank their candidates in the database
    first and then load the page's rows by id when it is not empty (see core.search_support.ranked_page; here
    replies have none). Never a query per result. (It was 20 before the counts, snippets and expertise rode
    along, 12 before the communities were found once.)"""
    assert_constant_queries(
        member_client, reverse("search") + "?q=bench", grow=_grow_with(member), expected=11, cold=True
    )


def test_search_page_query_count_is_constant(member_client, member):
    """1 query whatever the size once the results are kept (core.search_support.kept): the viewer. The
    communities searched and the drafts the viewer may see (none here) are kept for the viewer."""
    assert_constant_queries(
        member_client, reverse("search") + "?q=bench", grow=_grow_with(member), expected=1
    )


def test_drafts_show_only_to_their_authors_and_coordinators(client):
    from repertoire.models import Resource

    community = CommunityFactory()
    author, coordinator, reader = member_of(community), coordinator_of(community), member_of(community)
    draft = Resource.objects.create(
        community=community,
        title="Zeppelin checklist",
        body="zeppelin",
        status="draft",
        created_by=author,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    draft.authors.add(author)

    def found(user):
        client.force_login(user)
        response = client.get(reverse("search"), {"q": "zeppelin", "type": "resources"})
        return [hit.title for hit in response.context["results"].hits]

    assert found(author) == ["Zeppelin checklist"]
    assert found(coordinator) == ["Zeppelin checklist"]
    assert found(reader) == []
    assert found(UserFactory()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the cap applies to full-text search")
def test_very_common_words_are_ranked_among_the_first_matches_and_counted_as_at_least(
    member_client, member, monkeypatch
):
    from core import search_support

    monkeypatch.setattr(search_support, "CANDIDATES", 2)
    community = CommunityFactory()
    member_of(community, user=member)
    for n in range(3):
        discussion(community, f"Common topic {n}", "common words everywhere")
    response = member_client.get(reverse("search"), {"q": "common", "type": "discussions"})
    results = response.context["results"]
    assert (results.total, results.capped, len(results.hits)) == (2, True, 2)
    assert "2+ discussions match" in response.text


def test_every_type_alone_and_all_together_see_the_same_communities():
    """The page finds the communities searched once and passes them down; a type called alone (no ids) applies
    the same rule itself: private and archived communities stay out for an outsider either way."""
    from communities.search import Scope
    from copsite.search import TYPES, search_all
    from copsite.selectors import search_scope

    private = CommunityFactory(visibility="private", name="Zeppelin private")
    listed = CommunityFactory(name="Zeppelin listed")
    archived = CommunityFactory(name="Zeppelin archived")
    for community in (private, listed, archived):
        discussion(community, f"Zeppelin in {community.name}", "zeppelin")
    Community.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    outsider = UserFactory()
    query = clean_query("zeppelin")
    page = search_scope(outsider)
    assert page.scope.community_ids is not None
    together = {t.key: [hit.title for hit in r.hits] for t, r in search_all(page.scope, query)}
    alone = {
        t.key: [hit.title for hit in t.search(Scope(outsider), query, offset=0, limit=5).hits] for t in TYPES
    }
    assert together == alone
    assert together["communities"] == ["Zeppelin listed"]
    assert together["discussions"] == ["Zeppelin in Zeppelin listed"]


def test_the_community_filter_follows_the_communities_and_the_choice(client):
    """Its options are kept in the cache (`core.fragments`) under what they show: a new or renamed community is
    offered at once, the chosen one is selected, and each viewer is offered only the communities they may see."""
    CommunityFactory(name="Reliability Guild", slug="guild")
    viewer = UserFactory()
    client.force_login(viewer)
    url = reverse("search")
    assert '<option value="guild">Reliability Guild</option>' in client.get(url, {"q": "x"}).text
    chosen = client.get(url, {"q": "x", "community": "guild"}).text
    assert '<option value="guild" selected>Reliability Guild</option>' in chosen
    assert '<option value="guild">Reliability Guild</option>' in client.get(url, {"community": "nope"}).text
    CommunityFactory(name="Accessibility Circle", slug="a11y")
    Community.objects.filter(slug="guild").update(name="Reliability Circle")
    page = client.get(url, {"q": "x"}).text
    assert '<option value="a11y">Accessibility Circle</option>' in page
    assert page.index("Accessibility Circle") < page.index(
        '<option value="guild">Reliability Circle</option>'
    )
    private = CommunityFactory(name="Hidden Circle", slug="hidden", visibility="private")
    assert "Hidden Circle" not in client.get(url, {"q": "x"}).text
    member_of(private, user=viewer)
    assert '<option value="hidden">Hidden Circle</option>' in client.get(url, {"q": "x"}).text
