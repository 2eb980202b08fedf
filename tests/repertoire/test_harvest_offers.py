"""“Harvest into the library” where the knowledge is: on a solved discussion and on an activity date with notes
(issue 14, item 15), for the people who may harvest (coordinators and the core group), and a link to the resource
once it was harvested. The pages belong to activities; the repertoire offers the action through activities'
page actions (`activities.page_actions`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Discussion, Occurrence
from insights.health import _repertoire
from repertoire import services
from tests.repertoire.test_services import occurrence_with_notes, solved_discussion

pytestmark = pytest.mark.django_db

LABEL = "Harvest into the library"


def harvest_url(name: str, community, pk: int) -> str:
    return reverse(f"repertoire:{name}", args=[community.slug, pk])


def occurrence_url(occurrence) -> str:
    return reverse("activities:occurrence", args=[occurrence.community.slug, occurrence.pk])


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


# --- A solved discussion -----------------------------------------------------------------------------------


def test_coordinator_sees_harvest_on_a_solved_discussion(client, guild, coordinator, author, reader):
    discussion = solved_discussion(guild, reader, author)
    html = page(client, coordinator, discussion.get_absolute_url())
    assert LABEL in html
    assert f'action="{harvest_url("harvest_discussion", guild, discussion.pk)}"' in html


def test_core_member_sees_harvest_on_a_solved_discussion(client, guild, core_member, author, reader):
    discussion = solved_discussion(guild, reader, author)
    assert LABEL in page(client, core_member, discussion.get_absolute_url())


def test_members_outside_the_core_group_are_not_offered_harvest(client, guild, author, reader):
    discussion = solved_discussion(guild, reader, author)
    for user in (author, reader):
        html = page(client, user, discussion.get_absolute_url())
        assert LABEL not in html
        assert harvest_url("harvest_discussion", guild, discussion.pk) not in html


def test_no_harvest_on_an_unsolved_discussion(client, guild, coordinator, author, reader):
    discussion = solved_discussion(guild, reader, author)
    Discussion.objects.filter(pk=discussion.pk).update(accepted_reply=None)
    html = page(client, coordinator, discussion.get_absolute_url())
    assert LABEL not in html and harvest_url("harvest_discussion", guild, discussion.pk) not in html


def test_no_harvest_in_an_archived_community(client, guild, coordinator, author, reader):
    discussion = solved_discussion(guild, reader, author)
    type(guild).objects.filter(pk=guild.pk).update(archived_at=discussion.created_at)
    assert LABEL not in page(client, coordinator, discussion.get_absolute_url())


def test_the_offer_posts_and_makes_the_draft(client, guild, coordinator, author, reader):
    """The button is the harvest form itself: posting it makes the draft and opens it for review."""
    discussion = solved_discussion(guild, reader, author)
    page(client, coordinator, discussion.get_absolute_url())
    response = client.post(harvest_url("harvest_discussion", guild, discussion.pk))
    assert response.status_code == 302
    assert discussion.harvested_resources.get().is_draft


def test_once_harvested_the_discussion_links_to_the_resource(client, guild, coordinator, author, reader):
    discussion = solved_discussion(guild, reader, author)
    draft = services.resource_harvest_discussion(actor=coordinator, discussion=discussion)
    html = page(client, coordinator, discussion.get_absolute_url())
    assert LABEL not in html and harvest_url("harvest_discussion", guild, discussion.pk) not in html
    assert "In the library: open the resource" in html and draft.get_absolute_url() in html


def test_accepting_an_answer_in_place_brings_the_offer(client, guild, coordinator, author, reader):
    """The thread is swapped in place (htmx) when an answer is accepted: the offer comes with it."""
    discussion = solved_discussion(guild, reader, author)
    answer = discussion.accepted_reply
    Discussion.objects.filter(pk=discussion.pk).update(accepted_reply=None)
    client.force_login(coordinator)
    response = client.post(
        reverse("activities:discussion_accept", args=[guild.slug, discussion.pk]),
        {"reply": answer.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert LABEL in response.text


def test_the_offer_costs_no_query_for_members_and_one_for_harvesters(
    client, guild, coordinator, author, reader
):
    """A member who may not harvest: no query (the viewer's membership is already loaded). A harvester: one
    query, whether the discussion was already harvested."""
    discussion = solved_discussion(guild, reader, author)
    url = discussion.get_absolute_url()

    def queries(user) -> int:
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    plain = queries(author)
    Discussion.objects.filter(pk=discussion.pk).update(accepted_reply=None)
    assert queries(author) == plain
    Discussion.objects.filter(pk=discussion.pk).update(accepted_reply=discussion.accepted_reply)
    assert queries(coordinator) == plain + 1


# --- An activity date with notes ---------------------------------------------------------------------------


def test_coordinator_sees_harvest_on_an_activity_with_notes(client, guild, coordinator):
    occurrence = occurrence_with_notes(guild)
    html = page(client, coordinator, occurrence_url(occurrence))
    assert LABEL in html
    assert f'action="{harvest_url("harvest_occurrence", guild, occurrence.pk)}"' in html


def test_no_harvest_on_an_activity_without_notes(client, guild, coordinator):
    occurrence = occurrence_with_notes(guild, notes="")
    html = page(client, coordinator, occurrence_url(occurrence))
    assert LABEL not in html and harvest_url("harvest_occurrence", guild, occurrence.pk) not in html
    Occurrence.objects.filter(pk=occurrence.pk).update(notes="  \n ")
    assert LABEL not in page(client, coordinator, occurrence_url(occurrence))


def test_members_outside_the_core_group_are_not_offered_harvest_of_notes(client, guild, reader):
    occurrence = occurrence_with_notes(guild)
    html = page(client, reader, occurrence_url(occurrence))
    assert "We learned to time-box" in html
    assert LABEL not in html and harvest_url("harvest_occurrence", guild, occurrence.pk) not in html


def test_once_harvested_the_notes_link_to_the_resource(client, guild, core_member):
    occurrence = occurrence_with_notes(guild)
    draft = services.resource_harvest_occurrence(actor=core_member, occurrence=occurrence)
    html = page(client, core_member, occurrence_url(occurrence))
    assert LABEL not in html
    assert "In the library: open the resource" in html and draft.get_absolute_url() in html


# --- The composition and the advice ------------------------------------------------------------------------


def test_the_repertoire_registers_its_offers_with_activities():
    from activities import page_actions

    assert any(offer.__module__.startswith("repertoire.") for offer in page_actions.offers(Discussion))
    assert any(offer.__module__.startswith("repertoire.") for offer in page_actions.offers(Occurrence))


def test_health_advice_says_where_harvest_lives():
    """It used to send coordinators to “Discussions → Harvest”, which does not exist."""
    from collections import defaultdict

    class Window:
        def count(self, kind) -> int:
            return 0

    inputs = type("Inputs", (), {"windows": defaultdict(Window)})()
    advice = _repertoire(inputs, {"window_days": 90, "min_resources": 1}).advice
    assert "Discussions →" not in advice
    assert "Library → “Harvest”" in advice and "Harvest into the library" in advice


def test_a_draft_the_viewer_may_not_open_is_neither_linked_nor_offered_again(
    client, guild, coordinator, core_member, author, reader
):
    """Another harvester's draft is seen only by its authors and the coordinators: no link to a 404, and no
    button that would only answer “Already harvested”."""
    discussion = solved_discussion(guild, reader, author)
    draft = services.resource_harvest_discussion(actor=coordinator, discussion=discussion)
    html = page(client, core_member, discussion.get_absolute_url())
    assert LABEL not in html and draft.get_absolute_url() not in html
