"""Markdown is rendered once, when written (core.markup): the services' writes keep the HTML beside the text,
pages show it, `render_markup` renders stored rows again, and one converter serves every text without carrying
anything from one to the next."""

import io

import pytest
from django.core.management import call_command
from django.template import Context, Template

from activities.discussions import services as discussion_services
from activities.discussions.markup import render_post
from activities.models import Discussion, Reply
from communities.models import Community
from core.markup import html_of, render_markdown
from tests.factories import CommunityFactory, member_of

pytestmark = pytest.mark.django_db


def test_a_post_keeps_its_html_with_mentions_linked_and_an_edit_renders_it_again():
    community = CommunityFactory()
    author, named = member_of(community), member_of(community)
    handle = named.email.split("@")[0]
    discussion = discussion_services.discussion_start(
        author=author, community=community, title="Runbooks", body=f"**Thanks** @{handle}"
    )
    discussion.refresh_from_db()
    assert discussion.body_html == render_post(discussion.body)
    assert "<strong>Thanks</strong>" in discussion.body_html and 'class="mention"' in discussion.body_html
    discussion_services.post_edit(user=author, post=discussion, body="Now *plain*", title="Runbooks")
    discussion.refresh_from_db()
    assert discussion.body_html == "<p>Now <em>plain</em></p>"
    reply = discussion_services.reply_add(author=named, discussion=discussion, body="<script>x</script>ok")
    reply.refresh_from_db()
    assert "script" not in reply.body_html and "ok" in reply.body_html


def test_pages_show_the_kept_html_and_render_only_rows_kept_without_it():
    community = CommunityFactory(description="*kept*")
    assert community.description_html == "<p><em>kept</em></p>"
    Community.objects.filter(pk=community.pk).update(description_html="<p>as kept</p>")
    community.refresh_from_db()
    shown = Template('{% load markup %}{{ community|html_of:"description" }}').render(
        Context({"community": community})
    )
    assert shown == "<p>as kept</p>"  # what was kept, not rendered again
    Community.objects.filter(pk=community.pk).update(
        description_html=""
    )  # a row from before the HTML was kept
    community.refresh_from_db()
    assert html_of(community, "description") == "<p><em>kept</em></p>"
    assert html_of(CommunityFactory(description=""), "description") == ""


def test_a_save_that_writes_the_text_must_write_its_html():
    community = CommunityFactory()
    community.description = "new"
    with pytest.raises(ValueError, match="description_html"):
        community.save(update_fields=["description"])
    community.save(update_fields=["description", "description_html"])
    community.refresh_from_db()
    assert community.description_html == "<p>new</p>"
    community.name = "Renamed"
    community.save(update_fields=["name"])  # the text is not written: nothing is rendered


def test_render_markup_renders_stale_and_missing_html_again_and_then_nothing():
    community = CommunityFactory()
    author = member_of(community)
    Discussion.objects.bulk_create(
        [
            Discussion(
                community=community,
                author=author,
                title="Bulk",
                body="*bulk*",
                created_at=community.created_at,
                last_activity_at=community.created_at,
            )
        ]
    )
    kept = discussion_services.discussion_start(author=author, community=community, title="Kept", body="kept")
    Discussion.objects.filter(pk=kept.pk).update(body_html="<p>stale</p>")
    out = io.StringIO()
    call_command("render_markup", stdout=out)
    assert "activities.Discussion.body: 2 of 2 rendered again" in out.getvalue()
    assert dict(Discussion.objects.values_list("title", "body_html")) == {
        "Bulk": "<p><em>bulk</em></p>",
        "Kept": "<p>kept</p>",
    }
    again = io.StringIO()
    call_command("render_markup", stdout=again)
    assert "activities.Discussion.body: 0 of 2 rendered again" in again.getvalue()
    assert "activities.Reply.body: 0 of 0 rendered again" in again.getvalue()
    assert not Reply.objects.exists()


def test_one_converter_carries_nothing_from_one_text_to_the_next():
    first = render_markdown(
        "A claim[^1].\n\n[^1]: The source.\n\n*[HTML]: Hyper Text Markup Language\n\nHTML here."
    )
    assert "The source." in first and "<abbr" in first
    second = render_markdown("Plain HTML and nothing else.")
    assert second == "<p>Plain HTML and nothing else.</p>"
    assert render_markdown("") == ""
