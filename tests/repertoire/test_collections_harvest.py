"""Collection pages (coordinators curate them) and the harvest page (coordinators and core group)."""

import pytest
from django.urls import reverse

from repertoire import services
from repertoire.models import Collection, Resource
from tests.factories import CommunityFactory, member_of
from tests.repertoire.conftest import make_resource
from tests.repertoire.test_services import occurrence_with_notes, solved_discussion

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"repertoire:{name}", args=args)


@pytest.fixture
def start_here(guild, coordinator, author):
    collection = services.collection_create(actor=coordinator, community=guild, title="Start here")
    for title in ("Alpha guide", "Beta guide", "Gamma guide"):
        services.collection_add(
            actor=coordinator, collection=collection, resource=make_resource(guild, author, title=title)
        )
    return collection


def titles(collection) -> list[str]:
    return list(collection.items.order_by("position").values_list("resource__title", flat=True))


# --- Collections ----------------------------------------------------------------------------------------


def test_collections_page_lists_and_coordinator_starts_one(client, guild, coordinator, reader, start_here):
    client.force_login(reader)
    page = client.get(url("collections", guild.slug)).text
    assert "Start here" in page and "3 resources" in page and "Start a collection" not in page
    assert client.post(url("collections", guild.slug), {"title": "Mine"}).status_code == 403
    client.force_login(coordinator)
    response = client.post(url("collections", guild.slug), {"title": "Advanced", "description": "Later"})
    created = Collection.objects.get(title="Advanced")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    response = client.post(url("collections", guild.slug), {"title": ""})
    assert response.status_code == 400 and "Give the collection a title" in response.text
    response = client.post(url("collections", guild.slug), {"title": "start here"})
    assert response.status_code == 400 and "already a collection" in response.text
    assert Collection.objects.count() == 2
    assert client.put(url("collections", guild.slug)).status_code == 405


def test_collections_empty_state(client, guild, coordinator, reader):
    client.force_login(coordinator)
    assert "Start the first one" in client.get(url("collections", guild.slug)).text
    client.force_login(reader)
    assert "No collections yet." in client.get(url("collections", guild.slug)).text


def test_collection_page_shows_resources_in_order_with_tools_for_coordinators(
    client, guild, coordinator, reader, start_here
):
    client.force_login(reader)
    page = client.get(start_here.get_absolute_url()).text
    assert page.index("Alpha guide") < page.index("Beta guide") < page.index("Gamma guide")
    assert "Remove<span" not in page
    client.force_login(coordinator)
    page = client.get(start_here.get_absolute_url()).text
    assert "Remove<span" in page and "Down<span" in page and "Rename" in page


def test_coordinator_moves_removes_renames_and_deletes(client, guild, coordinator, start_here):
    client.force_login(coordinator)
    two = Resource.objects.get(title="Beta guide")
    response = client.post(
        url("collection_move", guild.slug, start_here.pk), {"resource": two.pk, "direction": "up"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{two.pk}")
    assert titles(start_here) == ["Beta guide", "Alpha guide", "Gamma guide"]
    client.post(url("collection_move", guild.slug, start_here.pk), {"resource": two.pk, "direction": "up"})
    assert titles(start_here) == [
        "Beta guide",
        "Alpha guide",
        "Gamma guide",
    ]  # already first: refused with a message
    client.post(url("collection_remove", guild.slug, start_here.pk), {"resource": two.pk})
    assert titles(start_here) == ["Alpha guide", "Gamma guide"]
    response = client.post(
        url("collection_remove", guild.slug, start_here.pk), {"resource": 999_999}, follow=True
    )
    assert "Choose a published resource of this community" in response.text
    response = client.post(
        url("collection_rename", guild.slug, start_here.pk), {"title": "Read first"}, follow=True
    )
    assert "Saved: “Read first”" in response.text
    response = client.post(url("collection_rename", guild.slug, start_here.pk), {"title": ""})
    assert response.status_code == 400 and "Give the collection a title" in response.text
    services.collection_create(actor=coordinator, community=guild, title="Taken")
    response = client.post(url("collection_rename", guild.slug, start_here.pk), {"title": "Taken"})
    assert response.status_code == 400 and "already a collection" in response.text
    response = client.post(url("collection_delete", guild.slug, start_here.pk))
    assert response.status_code == 302 and not Collection.objects.filter(pk=start_here.pk).exists()


def test_collection_refusals(client, guild, reader, start_here, outsider):
    two = Resource.objects.get(title="Beta guide")
    client.force_login(reader)
    for name in ("collection_move", "collection_remove", "collection_rename", "collection_delete"):
        assert (
            client.post(
                url(name, guild.slug, start_here.pk), {"resource": two.pk, "direction": "up"}
            ).status_code
            == 403
        )
        assert client.get(url(name, guild.slug, start_here.pk)).status_code == 405
    other = CommunityFactory()
    assert client.get(url("collection", other.slug, start_here.pk)).status_code == 404
    private = CommunityFactory(visibility="private")
    hidden = Collection.objects.create(community=private, title="Secret", created_at=start_here.created_at)
    client.force_login(outsider)
    assert client.get(url("collection", private.slug, hidden.pk)).status_code == 404
    assert titles(start_here) == ["Alpha guide", "Beta guide", "Gamma guide"]


# --- Harvest --------------------------------------------------------------------------------------------


def test_harvest_page_lists_solved_discussions_and_notes(client, guild, core_member, author, reader):
    discussion = solved_discussion(guild, reader, author)
    occurrence = occurrence_with_notes(guild)
    occurrence_with_notes(guild, notes="")  # no notes: not listed
    client.force_login(core_member)
    page = client.get(url("harvest", guild.slug)).text
    assert discussion.title in page and "Timeline first, causes second." in page
    assert url("harvest_discussion", guild.slug, discussion.pk) in page
    notes = client.get(url("harvest", guild.slug) + "?source=notes").text
    assert "We learned to time-box" in notes and url("harvest_occurrence", guild.slug, occurrence.pk) in notes


def test_harvest_empty_states(client, guild, coordinator):
    client.force_login(coordinator)
    assert "No discussion has an accepted answer yet" in client.get(url("harvest", guild.slug)).text
    assert "No activity has notes yet" in client.get(url("harvest", guild.slug) + "?source=notes").text


def test_coordinator_harvests_an_accepted_answer_into_a_draft(client, guild, coordinator, author, reader):
    discussion = solved_discussion(guild, reader, author)
    client.force_login(coordinator)
    response = client.post(url("harvest_discussion", guild.slug, discussion.pk))
    draft = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == url("edit", guild.slug, draft.pk)
    assert draft.is_draft and draft.source_discussion == discussion
    form = client.get(response["Location"]).text
    assert "Draft “How do you run blameless reviews?” created" in form
    assert "Timeline first, causes second." in form
    page = client.get(draft.get_absolute_url()).text
    assert "Harvested from the discussion" in page
    listing = client.get(url("harvest", guild.slug)).text
    assert "Harvested: open the resource" in listing
    again = client.post(url("harvest_discussion", guild.slug, discussion.pk), follow=True)
    assert "Already harvested" in again.text and Resource.objects.count() == 1


def test_core_member_harvests_activity_notes(client, guild, core_member):
    occurrence = occurrence_with_notes(guild)
    client.force_login(core_member)
    response = client.post(url("harvest_occurrence", guild.slug, occurrence.pk))
    draft = Resource.objects.get()
    assert response.status_code == 302 and draft.source_occurrence == occurrence
    assert "Harvested from the notes of" in client.get(draft.get_absolute_url()).text
    again = client.post(url("harvest_occurrence", guild.slug, occurrence.pk), {"source": "notes"})
    assert again["Location"].endswith("?source=notes")


def test_harvest_refusals(client, guild, reader, author, outsider):
    discussion = solved_discussion(guild, reader, author)
    occurrence = occurrence_with_notes(guild)
    client.force_login(reader)
    assert client.get(url("harvest", guild.slug)).status_code == 403
    assert client.post(url("harvest_discussion", guild.slug, discussion.pk)).status_code == 403
    assert client.post(url("harvest_occurrence", guild.slug, occurrence.pk)).status_code == 403
    core = member_of(guild, "core")
    client.force_login(core)
    assert client.get(url("harvest_discussion", guild.slug, discussion.pk)).status_code == 405
    other = CommunityFactory()
    assert client.post(url("harvest_discussion", other.slug, discussion.pk)).status_code == 403
    member_of(other, "core", user=core)
    assert client.post(url("harvest_discussion", other.slug, discussion.pk)).status_code == 404
    assert client.post(url("harvest_occurrence", other.slug, occurrence.pk)).status_code == 404
    private = CommunityFactory(visibility="private")
    client.force_login(outsider)
    assert client.get(url("harvest", private.slug)).status_code == 404
    unsolved = solved_discussion(guild, reader, author)
    unsolved.accepted_reply = None
    unsolved.save()
    client.force_login(core)
    response = client.post(url("harvest_discussion", guild.slug, unsolved.pk), follow=True)
    assert "Only a discussion with an accepted answer" in response.text
    assert not Resource.objects.exists()
