"""Pages of the library: the libraries, a resource, adding and editing, downloads, “I applied this”, recommend.

Each view that changes data: success, wrong method (405), outsider of a private community (404), member without
the right (403), bad input (a clear message, nothing stored)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Participation
from repertoire import services
from repertoire.models import Application, Collection, Resource, ResourceFile
from tests.factories import CommunityFactory, SponsorshipFactory, UserFactory, coordinator_of, member_of
from tests.repertoire.conftest import make_resource, pdf_upload

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"repertoire:{name}", args=args)


@pytest.fixture
def private(db):
    return CommunityFactory(name="Safety Circle", slug="safety", visibility="private")


def login(client, user):
    client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    data = {
        "title": "Keyboard-first audit",
        "kind": "practice",
        "summary": "Walk the journey with the keyboard only.",
        "body": "1. Unplug the mouse\n2. Tab through",
        "tags": "audits, keyboard",
        "external_url": "",
        "co_authors": "",
        "status": "published",
    }
    data.update(overrides)
    return data


# --- Libraries ------------------------------------------------------------------------------------------


def test_library_requires_login(client, guild):
    response = client.get(url("community_library", guild.slug))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_community_library_lists_filters_and_sorts(client, guild, author, reader, coordinator):
    first = make_resource(guild, author, title="Blameless review", kind="template", tags=["reviews"])
    second = make_resource(guild, author, title="Error budgets story", kind="story", tags=["budgets"])
    services.resource_apply(actor=reader, resource=second, story="Helped")
    make_resource(guild, author, title="My draft", status="draft")
    make_resource(guild, coordinator, title="Their draft", status="draft")
    login(client, reader)

    page = client.get(url("community_library", guild.slug)).text
    assert "Blameless review" in page and "Error budgets story" in page
    assert "My draft" not in page and "Their draft" not in page
    assert "2 resources found." in page

    assert "Error budgets" not in client.get(url("community_library", guild.slug) + "?kind=template").text
    assert "Blameless" not in client.get(url("community_library", guild.slug) + "?tag=budgets").text
    applied = client.get(url("community_library", guild.slug) + "?sort=applied").text
    assert applied.index("Error budgets story") < applied.index("Blameless review")
    by_title = client.get(url("community_library", guild.slug) + "?sort=title").text
    assert by_title.index("Blameless review") < by_title.index("Error budgets story")
    searched = client.get(url("community_library", guild.slug) + "?q=BLAMELESS").text
    assert first.title in searched and "Best match" in searched
    # A malformed filter is ignored, not an error.
    assert client.get(url("community_library", guild.slug) + "?kind=nonsense&tag=%20").status_code == 200

    # Drafts: a member sees their own, a coordinator every one.
    login(client, author)
    drafts = client.get(url("community_library", guild.slug) + "?status=draft").text
    assert "My draft" in drafts and "Their draft" not in drafts
    login(client, coordinator)
    drafts = client.get(url("community_library", guild.slug) + "?status=draft").text
    assert "My draft" in drafts and "Their draft" in drafts


def test_library_search_box_answers_htmx_with_the_results_only(client, guild, author):
    make_resource(guild, author, title="Blameless review", body="the postmortem format")
    make_resource(guild, author, title="Something else")
    login(client, author)
    response = client.get(
        url("community_library", guild.slug) + "?q=postmortem", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="library-results"')
    assert "Blameless review" in response.text and "Something else" not in response.text
    assert 'data-announce="1 resource found."' in response.text


def test_library_empty_states(client, guild, author, reader):
    login(client, author)
    assert "Add the first one" in client.get(url("community_library", guild.slug)).text
    assert (
        "Nothing in the library matches" in client.get(url("community_library", guild.slug) + "?q=zzz").text
    )
    login(client, UserFactory())
    assert "What the members share will be here" in client.get(url("community_library", guild.slug)).text


def test_private_library_is_404_for_outsiders(client, private, outsider):
    member = member_of(private)
    make_resource(private, member, title="Near-miss learning")
    login(client, outsider)
    assert client.get(url("community_library", private.slug)).status_code == 404
    login(client, member)
    assert "Near-miss learning" in client.get(url("community_library", private.slug)).text


def test_organization_library_shows_published_resources_the_viewer_may_see(
    client, guild, author, private, outsider
):
    make_resource(guild, author, title="Listed practice")
    make_resource(guild, author, title="A draft", status="draft")
    make_resource(private, member_of(private), title="Private practice")
    archived = CommunityFactory(name="Old Guild", slug="old")
    make_resource(archived, member_of(archived), title="From an archived community")
    archived.archived_at = archived.created_at
    archived.save()
    login(client, outsider)
    page = client.get(url("library")).text
    assert "Listed practice" in page
    assert "Private practice" not in page and "A draft" not in page and "From an archived" not in page
    assert "Safety Circle" not in page  # not even as a filter choice
    login(client, UserFactory(is_staff=True))
    assert "Private practice" in client.get(url("library")).text
    login(client, outsider)
    assert "Listed practice" in client.get(url("library") + "?community=guild&q=listed").text
    assert "Listed practice" not in client.get(url("library") + "?community=safety").text
    htmx = client.get(url("library") + "?q=practice", headers={"HX-Request": "true"})
    assert htmx.text.lstrip().startswith('<div id="library-results"')


def test_organization_library_empty_and_filtered_states(client, outsider):
    login(client, outsider)
    assert "No resources yet" in client.get(url("library")).text
    assert "Nothing matches" in client.get(url("library") + "?q=zzz").text


def test_libraries_reject_post(client, guild, author):
    login(client, author)
    assert client.post(url("community_library", guild.slug)).status_code == 405
    assert client.post(url("library")).status_code == 405


def test_community_home_shows_latest_and_most_applied(client, guild, author, reader):
    login(client, reader)
    home = reverse("communities:home", args=[guild.slug])
    assert "Add the first one" in client.get(home).text
    old = make_resource(guild, author, title="Old but applied")
    make_resource(guild, author, title="Brand new")
    services.resource_apply(actor=reader, resource=old, story="Used it")
    page = client.get(home).text
    assert "Brand new" in page and "Old but applied" in page and "applied 1 time" in page
    assert url("community_library", guild.slug) in page
    login(client, UserFactory())
    assert "Add a resource" not in client.get(home).text


# --- A resource -----------------------------------------------------------------------------------------


def test_resource_page_shows_text_files_stories_and_source(client, guild, author, reader):
    resource = make_resource(
        guild,
        author,
        body="## Steps\n\n<script>alert(1)</script>",
        uploads=[pdf_upload()],
        external_url="https://example.org/x",
    )
    services.resource_apply(actor=reader, resource=resource, story="It helped <b>a lot</b>")
    login(client, reader)
    response = client.get(resource.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "<h2>Steps</h2>" in text and "<script>alert(1)</script>" not in text
    assert (
        "checklist.pdf" in text and url("download", guild.slug, resource.pk, resource.files.get().pk) in text
    )
    assert "Applied 1 time" in text and "It helped &lt;b&gt;a lot&lt;/b&gt;" in text
    assert "You applied this" in text
    assert 'rel="noopener noreferrer nofollow"' in text


def test_resource_of_another_community_or_unknown_is_404(client, guild, author):
    other = CommunityFactory()
    elsewhere = make_resource(other, member_of(other))
    login(client, author)
    assert client.get(url("resource", guild.slug, elsewhere.pk)).status_code == 404
    assert client.get(url("resource", guild.slug, 999_999)).status_code == 404


def test_drafts_are_seen_only_by_authors_and_coordinators(client, guild, author, reader, coordinator):
    draft = make_resource(guild, author, status="draft")
    login(client, reader)
    assert client.get(draft.get_absolute_url()).status_code == 404
    login(client, author)
    assert "This is a draft" in client.get(draft.get_absolute_url()).text
    login(client, coordinator)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_private_resource_is_404_for_outsiders(client, private, outsider):
    resource = make_resource(private, member_of(private))
    login(client, outsider)
    assert client.get(resource.get_absolute_url()).status_code == 404


# --- Adding ---------------------------------------------------------------------------------------------


def test_add_form_renders_for_members(client, guild, author):
    login(client, author)
    response = client.get(url("add", guild.slug))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text and "up to 25 MB" in response.text


def test_member_adds_a_resource_with_a_pdf(client, guild, author, reader):
    login(client, author)
    response = client.post(
        url("add", guild.slug),
        {**form_data(co_authors=reader.email), "files": [pdf_upload("audit.pdf"), pdf_upload("more.pdf")]},
    )
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert sorted(resource.files.values_list("name", flat=True)) == ["audit.pdf", "more.pdf"]
    assert set(resource.authors.all()) == {author, reader}
    assert Participation.objects.filter(kind="resource_added", user=author).count() == 1
    page = client.get(response["Location"]).text
    assert "Added to the library" in page


def test_adding_a_draft_says_who_sees_it(client, guild, author):
    login(client, author)
    response = client.post(url("add", guild.slug), form_data(status="draft"), follow=True)
    assert "Saved as a draft" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give the resource a title"),
        ({"title": "   "}, "Give the resource a title"),
        ({"files": [SimpleUploadedFile("report.pdf", b"MZ\x90\x00 a program")]}, "is a program"),
        ({"files": [SimpleUploadedFile("report.pdf", b"<html>hello</html>")]}, "does not match its name"),
        ({"tags": ", ".join(f"t{n}" for n in range(13))}, "at most 12 tags"),
        ({"co_authors": "nobody@example.org"}, "Nobody at CoPsite"),
        ({"external_url": "not a url at all"}, "Enter a valid URL"),
    ],
)
def test_add_bad_input_keeps_what_was_typed_and_stores_nothing(client, guild, author, overrides, message):
    login(client, author)
    response = client.post(url("add", guild.slug), form_data(summary="Typed summary", **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Typed summary" in response.text
    assert "Please correct" in response.text
    assert not Resource.objects.exists() and not ResourceFile.objects.exists()


def test_a_form_that_comes_back_asks_for_the_files_again(client, guild, author):
    login(client, author)
    response = client.post(url("add", guild.slug), {**form_data(title=""), "files": [pdf_upload()]})
    assert response.status_code == 400 and "Choose your files again" in response.text
    assert "Choose your files again" not in client.post(url("add", guild.slug), form_data(title="")).text


def test_add_an_oversized_file(client, guild, author, settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    login(client, author)
    big = SimpleUploadedFile("notes.txt", b"a" * (1024 * 1024 + 1))
    response = client.post(url("add", guild.slug), {**form_data(), "files": [big]})
    assert response.status_code == 400 and "files can be at most 1.0" in response.text
    assert not Resource.objects.exists()


def test_service_refusal_lands_next_to_its_field(client, guild, author, outsider, monkeypatch):
    login(client, author)
    response = client.post(url("add", guild.slug), form_data(co_authors=outsider.email))
    assert response.status_code == 400 and "Co-authors must be members" in response.text
    assert not Resource.objects.exists()


def test_add_wrong_method_outsider_and_non_member(client, guild, private, outsider):
    login(client, outsider)
    assert client.put(url("add", guild.slug)).status_code == 405
    assert client.get(url("add", private.slug)).status_code == 404
    assert client.get(url("add", guild.slug)).status_code == 403
    assert client.post(url("add", guild.slug), form_data()).status_code == 403
    assert not Resource.objects.exists()


# --- Editing --------------------------------------------------------------------------------------------


def test_author_edits_and_a_version_is_kept(client, guild, author):
    resource = make_resource(guild, author, tags=["audits"])
    login(client, author)
    form = client.get(url("edit", guild.slug, resource.pk))
    assert form.status_code == 200 and "What changed?" in form.text and 'value="audits"' in form.text
    response = client.post(
        url("edit", guild.slug, resource.pk),
        form_data(title="Keyboard-first audit v2", note="Renamed", status="published"),
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Keyboard-first audit v2"
    assert list(resource.revisions.values_list("number", "note")) == [(2, "Renamed"), (1, "First published")]


def test_edit_removes_a_file_and_archives(client, guild, author, django_capture_on_commit_callbacks):
    resource = make_resource(guild, author, uploads=[pdf_upload()])
    attachment = resource.files.get()
    login(client, author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("edit", guild.slug, resource.pk),
            form_data(title=resource.title, status="archived", remove_files=[attachment.pk]),
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.status == "archived" and not resource.files.exists()


def test_edit_refusals(client, guild, author, reader, private, outsider):
    resource = make_resource(guild, author)
    draft = make_resource(guild, author, status="draft")
    login(client, reader)
    assert client.get(url("edit", guild.slug, resource.pk)).status_code == 403
    assert client.post(url("edit", guild.slug, resource.pk), form_data()).status_code == 403
    assert client.get(url("edit", guild.slug, draft.pk)).status_code == 404
    assert client.delete(url("edit", guild.slug, resource.pk)).status_code == 405
    secret = make_resource(private, member_of(private))
    login(client, outsider)
    assert client.get(url("edit", private.slug, secret.pk)).status_code == 404
    login(client, author)
    response = client.post(url("edit", guild.slug, resource.pk), form_data(title=""))
    assert response.status_code == 400 and "Give the resource a title" in response.text
    response = client.post(url("edit", guild.slug, resource.pk), form_data(status="draft"))
    assert response.status_code == 400 and "Select a valid choice" in response.text
    resource.refresh_from_db()
    assert resource.title == "Incident review checklist" and resource.revisions.count() == 1


def test_publishing_a_draft_from_the_edit_form(client, guild, author):
    draft = make_resource(guild, author, status="draft")
    login(client, author)
    form = client.get(url("edit", guild.slug, draft.pk)).text
    assert "What changed?" not in form and "Keep as a draft" in form
    client.post(url("edit", guild.slug, draft.pk), form_data(status="published"))
    assert Resource.objects.get(pk=draft.pk).status == "published"


# --- Downloads ------------------------------------------------------------------------------------------


def test_download_is_an_attachment_with_a_safe_name_and_nosniff(client, guild, author, reader):
    resource = make_resource(guild, author, uploads=[pdf_upload('Plan "final"; v2.pdf')])
    attachment = resource.files.get()
    login(client, reader)
    response = client.get(url("download", guild.slug, resource.pk, attachment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Plan_final_v2.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_refusals(client, guild, author, reader, private, outsider):
    resource = make_resource(guild, author, uploads=[pdf_upload()])
    draft = make_resource(guild, author, status="draft", uploads=[pdf_upload()])
    secret = make_resource(private, member_of(private), uploads=[pdf_upload()])
    other = make_resource(guild, author)
    login(client, reader)
    assert client.post(url("download", guild.slug, resource.pk, resource.files.get().pk)).status_code == 405
    assert client.get(url("download", guild.slug, draft.pk, draft.files.get().pk)).status_code == 404
    assert client.get(url("download", guild.slug, other.pk, resource.files.get().pk)).status_code == 404
    login(client, outsider)
    assert client.get(url("download", private.slug, secret.pk, secret.files.get().pk)).status_code == 404
    # A file missing from storage is a 404, not an error page.
    missing = resource.files.get()
    missing.file.storage.delete(missing.file.name)
    assert client.get(url("download", guild.slug, resource.pk, missing.pk)).status_code == 404


def test_files_are_not_served_from_a_public_path(client, guild, author):
    resource = make_resource(guild, author, uploads=[pdf_upload()])
    stored = resource.files.get().file.name
    assert client.get(f"/media/{stored}").status_code == 404


# --- I applied this -------------------------------------------------------------------------------------


def test_apply_without_javascript_redirects_with_a_message(client, guild, author, reader):
    resource = make_resource(guild, author)
    login(client, reader)
    response = client.post(url("apply", guild.slug, resource.pk), {"story": "We used it in Aarhus."})
    assert response.status_code == 302 and response["Location"].endswith("#applied")
    assert Application.objects.get().story == "We used it in Aarhus."
    assert "Thank you" in client.get(resource.get_absolute_url()).text


def test_apply_with_htmx_swaps_the_stories_and_announces(client, guild, author, reader):
    resource = make_resource(guild, author)
    login(client, reader)
    response = client.post(
        url("apply", guild.slug, resource.pk), {"story": "It worked."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="mt-4 applied-section" id="applied"')
    assert 'data-hx-swap-oob="innerHTML:#live-region"' in response.text and "Applied 1 time" in response.text
    assert "You applied this" in response.text
    # The "members applied it" figure beside the stories changes too (issue 14, item 13): swapped out of band.
    assert (
        '<p class="mb-1" id="applied-count" data-hx-swap-oob="true"><span class="fs-4 fw-semibold">1</span> member applied it'
        in (response.text)
    )
    page = client.get(url("resource", guild.slug, resource.pk)).text
    assert 'id="applied-count"><span class="fs-4 fw-semibold">1</span> member applied it' in page
    again = client.post(
        url("apply", guild.slug, resource.pk), {"story": "Twice"}, headers={"HX-Request": "true"}
    )
    assert "Not saved" in again.text and "already told" in again.text
    empty = client.post(url("apply", guild.slug, resource.pk), {"story": ""}, headers={"HX-Request": "true"})
    assert "Tell in a few words" in empty.text
    assert Application.objects.count() == 1


def test_applying_a_draft_is_refused_with_a_message(client, guild, author, coordinator):
    draft = make_resource(guild, author, status="draft")
    login(client, coordinator)
    response = client.post(url("apply", guild.slug, draft.pk), {"story": "Used it"})
    assert response.status_code == 400
    assert "still a draft" in response.text
    assert not Application.objects.exists()


def test_apply_refusals(client, guild, author, reader, private, outsider):
    resource = make_resource(guild, author)
    secret = make_resource(private, member_of(private))
    login(client, reader)
    assert client.get(url("apply", guild.slug, resource.pk)).status_code == 405
    response = client.post(url("apply", guild.slug, resource.pk), {"story": "  "})
    assert response.status_code == 400 and "Tell in a few words" in response.text
    login(client, outsider)
    assert client.post(url("apply", private.slug, secret.pk), {"story": "x"}).status_code == 404
    # The page offers the form to members only; anyone else trying gets 403, as for adding a resource.
    response = client.post(url("apply", guild.slug, resource.pk), {"story": "x"})
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_apply_by_a_sponsor_or_staff_of_a_private_community_is_403_without_its_content(client, private):
    """They see the resource but are not members: refused with 403, not the resource page again (with its
    content) as a 400."""
    secret = make_resource(private, member_of(private), title="Secret practice")
    sponsor = SponsorshipFactory(community=private).sponsor
    staff = UserFactory(is_staff=True)
    for person in (sponsor, staff):
        login(client, person)
        assert "Secret practice" in client.get(secret.get_absolute_url()).text
        response = client.post(url("apply", private.slug, secret.pk), {"story": "x"})
        assert response.status_code == 403 and "Secret practice" not in response.text
    assert not Application.objects.exists()


def test_apply_in_an_archived_community_is_403(client, guild, author, reader):
    resource = make_resource(guild, author)
    guild.archived_at = guild.created_at
    guild.save()
    login(client, reader)
    response = client.post(url("apply", guild.slug, resource.pk), {"story": "x"})
    assert response.status_code == 403
    assert not Application.objects.exists()


# --- Recommend and collect ------------------------------------------------------------------------------


def test_core_member_recommends_from_the_page(client, guild, author, core_member, reader, private, outsider):
    resource = make_resource(guild, author)
    login(client, core_member)
    assert "Recommend it (core group)" in client.get(resource.get_absolute_url()).text
    response = client.post(url("recommend", guild.slug, resource.pk), {"recommended": "on"}, follow=True)
    assert "is recommended by the core group" in response.text
    assert Resource.objects.get(pk=resource.pk).is_recommended
    response = client.post(url("recommend", guild.slug, resource.pk), {}, follow=True)
    assert "no longer marked recommended" in response.text
    assert client.get(url("recommend", guild.slug, resource.pk)).status_code == 405
    draft = make_resource(guild, author, status="draft")
    login(client, coordinator_of(guild))
    response = client.post(url("recommend", guild.slug, draft.pk), {"recommended": "on"}, follow=True)
    assert "Only a published resource" in response.text
    login(client, reader)
    assert client.post(url("recommend", guild.slug, resource.pk), {"recommended": "on"}).status_code == 403
    secret = make_resource(private, member_of(private))
    login(client, outsider)
    assert client.post(url("recommend", private.slug, secret.pk), {"recommended": "on"}).status_code == 404
    assert not Resource.objects.get(pk=resource.pk).is_recommended


def test_coordinator_adds_a_resource_to_a_collection(client, guild, author, coordinator, reader):
    resource = make_resource(guild, author)
    login(client, coordinator)
    assert "No collections yet" in client.get(resource.get_absolute_url()).text
    collection = services.collection_create(actor=coordinator, community=guild, title="Start here")
    assert "Add to" in client.get(resource.get_absolute_url()).text
    response = client.post(
        url("add_to_collection", guild.slug, resource.pk), {"collection": collection.pk}, follow=True
    )
    assert "Added to “Start here”" in response.text and "In <a" in response.text
    response = client.post(
        url("add_to_collection", guild.slug, resource.pk), {"collection": collection.pk}, follow=True
    )
    assert "already in" in response.text
    response = client.post(
        url("add_to_collection", guild.slug, resource.pk), {"collection": "x"}, follow=True
    )
    assert "Choose a collection" in response.text
    other = CommunityFactory()
    foreign = Collection.objects.create(community=other, title="Theirs", created_at=collection.created_at)
    assert (
        client.post(url("add_to_collection", guild.slug, resource.pk), {"collection": foreign.pk}).status_code
        == 404
    )
    assert client.get(url("add_to_collection", guild.slug, resource.pk)).status_code == 405
    login(client, reader)
    assert (
        client.post(
            url("add_to_collection", guild.slug, resource.pk), {"collection": collection.pk}
        ).status_code
        == 403
    )
    assert collection.items.count() == 1
