"""The site-wide search's kept results (core.search_support.kept): shared by readers who search the same
communities, changed as soon as what they show changes, never shared with a reader who sees more or less."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.discussions import services as discussion_services
from activities.models import Activity, Discussion, Reply
from communities.search import Scope
from core.search_support import clean_query
from members.models import Tag
from members.search import search_people
from repertoire.models import Resource
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db


def titles(client, user, kind, q="zeppelin", **extra):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q, "type": kind, **extra})
    return [(hit.title, hit.context) for hit in response.context["results"].hits]


def all_groups(client, user, q="zeppelin"):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q})
    return {t.key: [hit.title for hit in results.hits] for t, results in response.context["groups"]}


def test_results_follow_every_change_of_what_they_show(client):
    community = CommunityFactory(name="Airships")
    reader = member_of(community)
    author = member_of(community)
    post = discussion_services.discussion_start(
        author=author, community=community, title="Zeppelin review", body="zeppelin"
    )
    assert titles(client, reader, "discussions") == [("Zeppelin review", "Airships")]
    assert titles(client, reader, "discussions") == [("Zeppelin review", "Airships")]  # kept, the same

    post.title = "Zeppelin review, revised"
    post.save()
    assert titles(client, reader, "discussions") == [("Zeppelin review, revised", "Airships")]

    community.name = "Dirigibles"
    community.save()
    assert titles(client, reader, "discussions") == [("Zeppelin review, revised", "Dirigibles")]

    reply = discussion_services.reply_add(author=author, discussion=post, body="More zeppelin notes")
    assert titles(client, reader, "replies") == [("Reply in “Zeppelin review, revised”", "Dirigibles")]
    post.title = "Zeppelin log"
    post.save()
    assert titles(client, reader, "replies") == [("Reply in “Zeppelin log”", "Dirigibles")]
    discussion_services.post_hide(actor=coordinator_of(community), post=post, reason="Off topic")
    assert titles(client, reader, "discussions") == []
    assert titles(client, reader, "replies") == []
    Reply.objects.get(pk=reply.pk).delete()
    Discussion.objects.get(pk=post.pk).delete()

    activity = Activity.objects.create(community=community, title="Zeppelin tour", created_by=author)
    assert titles(client, reader, "activities") == [("Zeppelin tour", "Dirigibles")]
    activity.title = "Zeppelin tour, second"
    activity.save()
    assert titles(client, reader, "activities") == [("Zeppelin tour, second", "Dirigibles")]

    resource = Resource.objects.create(
        community=community,
        title="Zeppelin checklist",
        body="zeppelin",
        status="published",
        created_by=author,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    assert titles(client, reader, "resources")[0][0] == "Zeppelin checklist"
    resource.title = "Airship checklist"
    resource.save()
    assert titles(client, reader, "resources")[0][0] == "Airship checklist"
    assert titles(client, reader, "resources", q="blimp") == []
    resource.tags.add(Tag.objects.create(name="blimp"))
    assert [title for title, _ in titles(client, reader, "resources", q="blimp")] == ["Airship checklist"]

    assert all_groups(client, reader)["communities"] == []
    community.description = "All about the zeppelin"
    community.save()
    assert all_groups(client, reader)["communities"] == ["Dirigibles"]


def test_people_follow_their_names_job_titles_and_expertise():
    person = UserFactory(full_name="Quirina Vandermolen")

    def found(text):
        hits = search_people(None, clean_query(text)).hits
        return [(hit.title, str(hit.snippet).partition("<mark>")[2]) for hit in hits]

    assert found("quirina") == [("Quirina Vandermolen", "")]  # no word of the snippet matches
    assert found("cartography") == []
    person.full_name = "Quirina Vandermeer"
    person.save()
    assert found("quirina") == [("Quirina Vandermeer", "")]
    tag = Tag.objects.create(name="Cartography")
    person.profile.expertise.add(tag)
    assert found("cartography") == [("Quirina Vandermeer", "Cartography</mark>")]
    tag.name = "Cartography and maps"
    tag.save()
    assert found("cartography") == [("Quirina Vandermeer", "Cartography</mark> and maps")]
    person.profile.expertise.clear()
    assert found("cartography") == []
    person.is_active = False
    person.save()
    assert found("quirina") == []


def test_kept_results_are_shared_only_by_readers_of_the_same_communities(client):
    listed = CommunityFactory()
    private = CommunityFactory(visibility="private")
    insider, outsider = member_of(private), UserFactory()
    discussion_services.discussion_start(
        author=member_of(listed), community=listed, title="Zeppelin open", body="zeppelin"
    )
    discussion_services.discussion_start(
        author=insider, community=private, title="Zeppelin secret", body="zeppelin"
    )
    assert {t for t, _ in titles(client, insider, "discussions")} == {"Zeppelin open", "Zeppelin secret"}
    assert {t for t, _ in titles(client, outsider, "discussions")} == {"Zeppelin open"}
    assert all_groups(client, outsider)["discussions"] == ["Zeppelin open"]
    assert set(all_groups(client, insider)["discussions"]) == {"Zeppelin open", "Zeppelin secret"}
    # Joining the community changes the communities searched, so the results.
    member_of(private, user=outsider)
    assert {t for t, _ in titles(client, outsider, "discussions")} == {"Zeppelin open", "Zeppelin secret"}


def test_drafts_never_reach_the_kept_results_nor_leave_them_out_for_those_who_see_them(client):
    community = CommunityFactory()
    author, reader, coordinator = member_of(community), member_of(community), coordinator_of(community)
    Resource.objects.create(
        community=community,
        title="Zeppelin guide",
        body="zeppelin",
        status="published",
        created_by=author,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
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
    for first, second in ((reader, author), (author, reader)):
        for user in (first, second):
            seen = {t for t, _ in titles(client, user, "resources")}
            expected = {"Zeppelin guide", "Zeppelin checklist"} if user == author else {"Zeppelin guide"}
            assert seen == expected
    assert {t for t, _ in titles(client, coordinator, "resources")} == {
        "Zeppelin guide",
        "Zeppelin checklist",
    }
    draft.status = "published"
    draft.save()
    assert {t for t, _ in titles(client, reader, "resources")} == {"Zeppelin guide", "Zeppelin checklist"}


def test_a_scope_without_its_communities_listed_is_searched_anew(django_assert_num_queries):
    from communities.search import search_communities

    community = CommunityFactory(name="Zeppelin friends")
    scope = Scope(UserFactory())
    query = clean_query("zeppelin")
    assert [hit.title for hit in search_communities(scope, query).hits] == ["Zeppelin friends"]
    with django_assert_num_queries(1):
        search_communities(scope, query)
    listed = Scope(scope.viewer, community_ids=[community.pk])
    search_communities(listed, query)
    with django_assert_num_queries(0):
        assert [hit.title for hit in search_communities(listed, query).hits] == ["Zeppelin friends"]


def test_a_readers_drafts_are_merged_into_the_kept_results_in_rank_order():
    """A reader who sees drafts gets the kept results of everyone with their drafts merged in: the same hits, in
    the same order and with the same total, on every page, as the search made afresh for them alone."""
    from repertoire.search import _resource_hits, search_resource_hits

    community = CommunityFactory()
    author = member_of(community)
    now = timezone.now()
    for n, (status, title, body) in enumerate(
        [
            ("published", "Zeppelin basics", "zeppelin"),
            ("draft", "Notes", "a zeppelin zeppelin zeppelin note"),
            ("published", "Hangar plan", "zeppelin hangar"),
            ("draft", "Zeppelin zeppelin checklist", "zeppelin"),
            ("published", "Mooring", "about a zeppelin mast"),
            ("published", "Zeppelin crew", "zeppelin crew zeppelin"),
            ("draft", "Weather", "zeppelin weather"),
            ("published", "Gas cells", "zeppelin"),
        ]
    ):
        resource = Resource.objects.create(
            community=community,
            title=title,
            body=body,
            status=status,
            created_by=author,
            created_at=now - timezone.timedelta(hours=n),
            updated_at=now,
        )
        resource.authors.add(author)
    scope = Scope(author, community_ids=[community.pk])
    query = clean_query("zeppelin")
    fresh = [_resource_hits(scope, query, offset=offset, limit=3, viewer=author) for offset in (0, 3, 6)]
    assert sum(len(results.hits) for results in fresh) == 8 and fresh[0].total == 8
    for _ in range(2):  # made, then kept
        for offset, expected in zip((0, 3, 6), fresh, strict=True):
            results = search_resource_hits(scope, query, offset=offset, limit=3)
            assert [hit.title for hit in results.hits] == [hit.title for hit in expected.hits]
            assert (results.total, results.capped) == (expected.total, expected.capped)
    reader = member_of(community)
    others = search_resource_hits(Scope(reader, community_ids=[community.pk]), query, limit=8)
    assert len(others.hits) == others.total == 5
    # Made a coordinator, the reader sees the community's drafts at once.
    from communities.models import Membership

    membership = Membership.objects.get(user=reader, community=community)
    membership.role = Membership.Role.COORDINATOR
    membership.save()
    assert search_resource_hits(Scope(reader, community_ids=[community.pk]), query, limit=8).total == 8


def test_the_communities_searched_follow_memberships_sponsorships_and_visibility(client):
    """The communities a reader's search looks in are kept for them: joining, leaving, sponsoring, a community
    turned private or listed, and becoming staff each change them at once (the filter's choices too)."""
    from communities.models import Membership, Sponsorship
    from tests.factories import SponsorshipFactory

    private = CommunityFactory(visibility="private", name="Hidden hangar")
    discussion_services.discussion_start(
        author=member_of(private), community=private, title="Zeppelin secret", body="zeppelin"
    )
    reader = UserFactory()

    def sees() -> bool:
        client.force_login(reader)
        response = client.get(reverse("search"), {"q": "zeppelin", "type": "discussions"})
        found = [hit.title for hit in response.context["results"].hits] == ["Zeppelin secret"]
        assert found == ("Hidden hangar" in [c["name"] for c in response.context["communities"]])
        return found

    assert not sees() and not sees()  # made, then kept
    member_of(private, user=reader)
    membership = Membership.objects.get(user=reader, community=private)
    assert sees()
    membership.delete()
    assert not sees()
    SponsorshipFactory(community=private, sponsor=reader)
    assert sees()
    Sponsorship.objects.filter(sponsor=reader).delete()
    assert not sees()
    private.visibility = "listed"
    private.save()
    assert sees()
    private.visibility = "private"
    private.save()
    assert not sees()
    reader.is_staff = True
    reader.save()
    assert sees()
