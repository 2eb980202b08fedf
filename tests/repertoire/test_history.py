"""A resource's history: two versions side by side with the differences marked in text, and restoring one."""

import pytest
from django.urls import reverse

from repertoire import services
from repertoire.diff import compare, diff_lines, with_context
from repertoire.models import Resource, Revision
from tests.factories import CommunityFactory, member_of
from tests.repertoire.conftest import make_resource

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"repertoire:{name}", args=args)


def edit(resource, actor, **fields):
    current = {
        "title": resource.title,
        "kind": resource.kind,
        "summary": resource.summary,
        "body": resource.body,
    }
    current.update(fields)
    return services.resource_update(actor=actor, resource=resource, **current)


# --- The diff -------------------------------------------------------------------------------------------


def test_changed_words_are_wrapped_in_del_and_ins_with_words_for_screen_readers():
    [row] = diff_lines("Walk the timeline first", "Walk the whole timeline first")
    assert row.kind == "changed"
    assert "<del>" not in row.old
    assert '<ins><span class="visually-hidden">[added: </span>whole ' in row.new
    [row] = diff_lines("Keep it short", "Keep it brief")
    assert (
        '<del><span class="visually-hidden">[removed: </span>short<span class="visually-hidden">]</span></del>'
        in row.old
    )
    assert "[added: </span>brief" in row.new


def test_added_and_removed_lines_stand_alone_and_text_is_escaped():
    rows = diff_lines("one\n<script>x</script>", "one\ntwo\nthree")
    kinds = [row.kind for row in rows]
    assert kinds == ["same", "changed", "added"]
    assert "<script>" not in rows[1].old and "&lt;script&gt;" in rows[1].old
    rows = diff_lines("a\nb\nc", "a")
    assert [row.kind for row in rows] == ["same", "removed", "removed"]
    assert rows[1].new == "" and rows[1].new_number is None


def test_long_unchanged_runs_are_collapsed():
    old = "\n".join(f"line {n}" for n in range(30))
    new = old.replace("line 15", "line fifteen")
    rows = with_context(diff_lines(old, new))
    assert [row.kind for row in rows].count("skip") == 2
    assert rows[0].old == "… 12 unchanged lines …"
    assert sum(row.kind == "same" for row in rows) == 6


def test_compare_covers_each_field(guild, author):
    resource = make_resource(guild, author, tags=["a"])
    edit(resource, author, title="New title", kind="story", tags=["a", "b"])
    old, new = resource.revisions.order_by("number")
    fields = {f.label: f for f in compare(old, new)}
    assert fields["Title"].changed and fields["Kind"].changed and fields["Tags"].changed
    assert not fields["Text"].changed and not fields["Link"].changed


# --- The page -------------------------------------------------------------------------------------------


def test_history_shows_versions_and_the_last_two_compared(client, guild, author, reader):
    resource = make_resource(guild, author, body="Walk the timeline.")
    edit(resource, author, body="Walk the whole timeline.", note="Clarified")
    client.force_login(reader)
    response = client.get(url("history", guild.slug, resource.pk))
    assert response.status_code == 200
    text = response.text
    assert "Version 1 compared with version 2" in text
    assert "[added: </span>whole " in text and "Clarified" in text and "First published" in text
    assert "Restore" not in text  # only coordinators restore


def test_history_compares_any_two_chosen_versions(client, guild, author, coordinator):
    resource = make_resource(guild, author, body="one")
    edit(resource, author, body="two")
    edit(resource, author, body="three")
    client.force_login(coordinator)
    text = client.get(url("history", guild.slug, resource.pk) + "?a=3&b=1").text
    assert "Version 1 compared with version 3" in text
    assert "[removed: </span>one" in text and "[added: </span>three" in text
    assert "Restore<span" in text
    same = client.get(url("history", guild.slug, resource.pk) + "?a=2&b=2").text
    assert '<h3 class="h5" id="compare-heading">Version 2</h3>' in same
    # Unknown or malformed numbers fall back without an error.
    assert client.get(url("history", guild.slug, resource.pk) + "?a=x&b=99").status_code == 200


def test_a_draft_has_no_history_yet(client, guild, author):
    draft = make_resource(guild, author, status="draft")
    client.force_login(author)
    assert "history starts when it is published" in client.get(url("history", guild.slug, draft.pk)).text


def test_history_refusals(client, guild, author, reader, outsider):
    private = CommunityFactory(visibility="private")
    secret = make_resource(private, member_of(private))
    draft = make_resource(guild, author, status="draft")
    client.force_login(outsider)
    assert client.get(url("history", private.slug, secret.pk)).status_code == 404
    client.force_login(reader)
    assert client.get(url("history", guild.slug, draft.pk)).status_code == 404
    assert client.post(url("history", guild.slug, draft.pk)).status_code == 405


# --- Restore --------------------------------------------------------------------------------------------


def test_coordinator_restores_a_version(client, guild, author, coordinator):
    resource = make_resource(guild, author, title="Original")
    edit(resource, author, title="Changed")
    first = resource.revisions.get(number=1)
    client.force_login(coordinator)
    response = client.post(url("restore", guild.slug, resource.pk), {"revision": first.pk, "note": "Back"})
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    resource.refresh_from_db()
    assert resource.title == "Original"
    assert list(resource.revisions.values_list("number", "note", "restored_from")) == [
        (3, "Back", 1),
        (2, "", None),
        (1, "First published", None),
    ]
    assert "Version 1 restored: it is now version 3." in client.get(response["Location"]).text


def test_restoring_another_communitys_revision_is_refused(client, guild, author, coordinator):
    resource = make_resource(guild, author, title="Ours")
    edit(resource, author, title="Ours, changed")
    other = CommunityFactory()
    theirs = make_resource(other, member_of(other), title="Theirs")
    client.force_login(coordinator)
    response = client.post(
        url("restore", guild.slug, resource.pk), {"revision": theirs.revisions.get().pk}, follow=True
    )
    assert "That version is not one of this resource&#x27;s: it cannot be restored." in response.text
    assert Resource.objects.get(pk=resource.pk).title == "Ours, changed"
    assert Revision.objects.filter(resource=resource).count() == 2
    response = client.post(url("restore", guild.slug, resource.pk), {}, follow=True)
    assert "This field is required" in response.text or "Choose a version" in response.text
    current = resource.revisions.get(number=2)
    response = client.post(url("restore", guild.slug, resource.pk), {"revision": current.pk}, follow=True)
    assert "already the current one" in response.text


def test_restore_wrong_method_outsider_and_non_coordinator(client, guild, author, core_member, outsider):
    resource = make_resource(guild, author)
    edit(resource, author, title="Changed")
    first = resource.revisions.get(number=1)
    client.force_login(core_member)
    assert client.get(url("restore", guild.slug, resource.pk)).status_code == 405
    assert client.post(url("restore", guild.slug, resource.pk), {"revision": first.pk}).status_code == 403
    private = CommunityFactory(visibility="private")
    secret = make_resource(private, member_of(private))
    client.force_login(outsider)
    assert client.post(url("restore", private.slug, secret.pk), {"revision": first.pk}).status_code == 404
    assert Resource.objects.get(pk=resource.pk).title == "Changed"
