"""Services of the repertoire: who may do what, what each stores (history, ledger, files), and refusals that store
nothing."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.models import Activity, Discussion, Occurrence, Reply
from communities.access import access_for
from communities.models import Participation
from core.rules import NotPermitted
from repertoire import rules, services
from repertoire.models import Application, Collection, CollectionItem, Resource, ResourceFile, Revision
from repertoire.services import RepertoireError
from tests.factories import CommunityFactory, coordinator_of, member_of
from tests.repertoire.conftest import make_resource, pdf_upload

pytestmark = pytest.mark.django_db


def ledger(kind: str) -> list[tuple[int, str]]:
    return list(Participation.objects.filter(kind=kind).values_list("user_id", "source"))


# --- Adding ---------------------------------------------------------------------------------------------


def test_member_adds_a_published_resource_with_tags_files_and_first_version(guild, author, reader):
    resource = make_resource(
        guild,
        author,
        kind="template",
        tags=["Incident reviews", "on-call", "incident reviews"],
        external_url="https://example.org/guide",
        co_authors=[reader],
        uploads=[pdf_upload("Review checklist.pdf")],
    )

    resource.refresh_from_db()
    assert resource.status == "published" and resource.published_at is not None
    assert sorted(t.name for t in resource.tags.all()) == ["Incident reviews", "on-call"]
    assert set(resource.authors.all()) == {author, reader}
    [attachment] = resource.files.all()
    assert attachment.name == "Review_checklist.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"repertoire/{guild.pk}/") and attachment.file.name.endswith(
        ".pdf"
    )
    assert default_storage.exists(attachment.file.name)
    [revision] = resource.revisions.all()
    assert (revision.number, revision.edited_by, revision.note) == (1, author, "First published")
    assert ledger("resource_added") == [(author.pk, f"resource:{resource.pk}")]


def test_a_draft_has_no_version_and_is_added_to_the_ledger_when_published(guild, author):
    """The repertoire grows when a resource is published: a draft records nothing yet (health checks and
    snapshots count "resources added" from the ledger), its first publication records it once."""
    resource = make_resource(guild, author, status="draft")
    assert resource.is_draft and resource.published_at is None
    assert not resource.revisions.exists()
    assert ledger("resource_added") == []
    services.resource_update(
        actor=author, resource=resource, title=resource.title, kind=resource.kind, status="published"
    )
    assert ledger("resource_added") == [(author.pk, f"resource:{resource.pk}")]
    services.resource_update(
        actor=author, resource=resource, title=resource.title, kind=resource.kind, status="published"
    )
    assert ledger("resource_added") == [(author.pk, f"resource:{resource.pk}")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the resource a title"),
        ({"title": "x" * 201}, "under 200 characters"),
        ({"summary": "x" * 301}, "summary under 300"),
        ({"body": "x" * 100_001}, "too long"),
        ({"tags": ["x" * 61]}, "under 60 characters"),
        ({"tags": [f"tag {n}" for n in range(13)]}, "at most 12 tags"),
        ({"external_url": "not a link"}, "Link"),
        ({"status": "archived"}, "either a draft or published"),
        ({"uploads": [SimpleUploadedFile("report.pdf", b"MZ\x90\x00binary")]}, "is a program"),
        ({"uploads": [pdf_upload(f"f{n}.pdf") for n in range(11)]}, "at most 10 files"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(guild, author, fields, message):
    with pytest.raises(RepertoireError, match=message):
        make_resource(guild, author, **fields)
    assert not Resource.objects.exists()
    assert not ResourceFile.objects.exists()
    assert not Participation.objects.filter(kind="resource_added").exists()


def test_oversized_file_is_refused(guild, author, settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    with pytest.raises(RepertoireError, match=r"files can be at most 1\.0"):
        make_resource(guild, author, uploads=[SimpleUploadedFile("notes.txt", b"a" * (1024 * 1024 + 10))])
    assert not Resource.objects.exists()


def test_outsiders_and_archived_communities_cannot_add(guild, outsider, author):
    with pytest.raises(NotPermitted, match="Join Reliability Guild"):
        make_resource(guild, outsider)
    guild.archived_at = timezone.now()
    guild.save()
    with pytest.raises(NotPermitted, match="archived"):
        make_resource(guild, author)
    assert not Resource.objects.exists()


def test_co_authors_must_be_members(guild, author, outsider):
    with pytest.raises(RepertoireError, match="Co-authors must be members"):
        make_resource(guild, author, co_authors=[outsider])


def test_files_written_before_a_failure_are_removed(guild, author, monkeypatch):
    def broken_clean(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ResourceFile, "full_clean", broken_clean)
    with pytest.raises(RuntimeError):
        make_resource(guild, author, uploads=[pdf_upload()])
    assert (
        not default_storage.exists(f"repertoire/{guild.pk}")
        or not default_storage.listdir(f"repertoire/{guild.pk}")[1]
    )


# --- Editing and versions ---------------------------------------------------------------------------------


def test_editing_a_published_resource_keeps_a_version_with_who_when_and_note(guild, author, coordinator):
    resource = make_resource(guild, author, tags=["reviews"])
    services.resource_update(
        actor=coordinator,
        resource=resource,
        title="Incident review checklist (v2)",
        kind="template",
        summary="Updated.",
        body="1. Timeline first\n2. Causes second\n3. Actions",
        tags=["reviews", "on-call"],
        note="Added the actions step",
    )
    versions = list(resource.revisions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].title == "Incident review checklist"
    assert (versions[1].title, versions[1].edited_by, versions[1].note) == (
        "Incident review checklist (v2)",
        coordinator,
        "Added the actions step",
    )
    assert versions[1].tags == "on-call, reviews"


def test_saving_without_changes_keeps_no_new_version(guild, author):
    resource = make_resource(guild, author)
    services.resource_update(
        actor=author,
        resource=resource,
        title=resource.title,
        kind=resource.kind,
        summary=resource.summary,
        body=resource.body,
    )
    assert resource.revisions.count() == 1


def test_publishing_a_draft_keeps_its_first_version_and_drafts_cannot_come_back(guild, author):
    resource = make_resource(guild, author, status="draft")
    services.resource_update(actor=author, resource=resource, title="Ready", kind="story", status="published")
    resource.refresh_from_db()
    assert resource.status == "published" and resource.published_at
    assert list(resource.revisions.values_list("number", "note")) == [(1, "First published")]
    with pytest.raises(RepertoireError, match="cannot go back to being a draft"):
        services.resource_update(actor=author, resource=resource, title="Ready", kind="story", status="draft")


def test_only_authors_and_coordinators_edit(guild, author, reader):
    resource = make_resource(guild, author)
    with pytest.raises(NotPermitted, match="Only its authors"):
        services.resource_update(actor=reader, resource=resource, title="Mine now", kind="story")
    assert Resource.objects.get().title == "Incident review checklist"


def test_edit_adds_and_removes_files_and_co_authors(
    guild, author, reader, coordinator, django_capture_on_commit_callbacks
):
    resource = make_resource(guild, author, uploads=[pdf_upload("old.pdf")])
    old = resource.files.get()
    old_name = old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(
            actor=author,
            resource=resource,
            title=resource.title,
            kind=resource.kind,
            co_authors=[reader],
            uploads=[pdf_upload("new.pdf")],
            remove_files=[old],
        )
    assert list(resource.files.values_list("name", flat=True)) == ["new.pdf"]
    assert not default_storage.exists(old_name)
    assert set(resource.authors.all()) == {author, reader}
    # A coordinator's edit keeps the creator and names the co-authors; the coordinator is not made an author.
    services.resource_update(actor=coordinator, resource=resource, title="T", kind="story", co_authors=[])
    assert set(resource.authors.all()) == {author}


def test_restore_brings_back_a_version_as_a_new_one(guild, author, coordinator):
    resource = make_resource(guild, author, tags=["reviews"])
    services.resource_update(
        actor=author, resource=resource, title="Changed", kind="story", body="New", tags=[]
    )
    first = resource.revisions.get(number=1)

    restored = services.revision_restore(actor=coordinator, resource=resource, revision=first)

    resource.refresh_from_db()
    assert (resource.title, resource.kind, resource.body) == (first.title, first.kind, first.body)
    assert [t.name for t in resource.tags.all()] == ["reviews"]
    assert (restored.number, restored.restored_from, restored.note) == (3, 1, "Restored version 1")


def test_restore_refuses_another_resources_version_and_the_current_one(guild, author, coordinator):
    resource = make_resource(guild, author)
    other_community = CommunityFactory()
    elsewhere = make_resource(other_community, coordinator_of(other_community), title="Elsewhere")
    foreign = elsewhere.revisions.get()
    with pytest.raises(RepertoireError, match="belongs to another resource"):
        services.revision_restore(actor=coordinator, resource=resource, revision=foreign)
    with pytest.raises(RepertoireError, match="already the current one"):
        services.revision_restore(actor=coordinator, resource=resource, revision=resource.revisions.get())
    assert Revision.objects.count() == 2
    assert Resource.objects.get(pk=resource.pk).title == "Incident review checklist"


def test_only_coordinators_restore(guild, author, core_member):
    resource = make_resource(guild, author)
    services.resource_update(actor=author, resource=resource, title="Changed", kind="story")
    with pytest.raises(NotPermitted, match="Only the community's coordinators"):
        services.revision_restore(
            actor=core_member, resource=resource, revision=resource.revisions.get(number=1)
        )


def test_a_draft_has_nothing_to_restore(guild, author, coordinator):
    resource = make_resource(guild, author)
    other = make_resource(guild, author, status="draft")
    with pytest.raises(RepertoireError):
        services.revision_restore(actor=coordinator, resource=other, revision=resource.revisions.get())
    Revision.objects.create(
        resource=other, number=1, kind="story", title="x", created_at=timezone.now(), edited_by=author
    )
    with pytest.raises(RepertoireError, match="draft has no versions"):
        services.revision_restore(actor=coordinator, resource=other, revision=other.revisions.get())


# --- I applied this -------------------------------------------------------------------------------------


def test_apply_records_the_story_the_count_the_ledger_and_mails_the_authors(
    guild, author, reader, smtp_server, django_capture_on_commit_callbacks
):
    resource = make_resource(guild, author)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.resource_apply(
            actor=reader, resource=resource, story="  Cut our review to 40 min. "
        )
    assert application.story == "Cut our review to 40 min."
    assert Resource.objects.get(pk=resource.pk).applied_count == 1
    assert ledger("applied") == [(reader.pk, f"resource:{resource.pk}")]
    [mail] = smtp_server.wait_for(author.email)
    assert "Rui Reader applied “Incident review checklist”" in mail["Subject"]
    assert "Cut our review to 40 min." in mail.get_body(("plain",)).get_content()


def test_the_author_applying_their_own_resource_gets_no_mail(
    guild, author, django_capture_on_commit_callbacks
):
    from repertoire.tasks import send_applied_mail

    resource = make_resource(guild, author)
    application = services.resource_apply(actor=author, resource=resource, story="Used it myself.")
    assert send_applied_mail(application.pk) == 0
    assert send_applied_mail(999_999) == 0


@pytest.mark.parametrize(
    ("status", "story", "message"),
    [
        ("draft", "Great", "still a draft"),
        ("archived", "Great", "archived"),
        ("published", "   ", "Tell in a few words"),
        ("published", "x" * 2001, "under 2,000"),
    ],
)
def test_apply_refusals_store_nothing(guild, author, reader, status, story, message):
    resource = make_resource(guild, author, status="draft" if status == "draft" else "published")
    Resource.objects.filter(pk=resource.pk).update(status=status)
    with pytest.raises(RepertoireError, match=message):
        services.resource_apply(actor=reader, resource=resource, story=story)
    assert not Application.objects.exists()
    assert Resource.objects.get(pk=resource.pk).applied_count == 0
    assert not Participation.objects.filter(kind="applied").exists()


def test_apply_once_per_member_and_only_members(guild, author, reader, outsider):
    resource = make_resource(guild, author)
    services.resource_apply(actor=reader, resource=resource, story="Once")
    with pytest.raises(RepertoireError, match="already told"):
        services.resource_apply(actor=reader, resource=resource, story="Twice")
    with pytest.raises(NotPermitted, match="Join"):
        services.resource_apply(actor=outsider, resource=resource, story="From outside")
    assert Resource.objects.get(pk=resource.pk).applied_count == 1


# --- Recommend ------------------------------------------------------------------------------------------


def test_core_group_recommends_and_unrecommends(guild, author, core_member, reader):
    resource = make_resource(guild, author)
    services.resource_recommend(actor=core_member, resource=resource)
    resource.refresh_from_db()
    assert resource.is_recommended and resource.recommended_by == core_member
    services.resource_recommend(actor=core_member, resource=resource, recommended=False)
    resource.refresh_from_db()
    assert not resource.is_recommended and resource.recommended_by is None
    with pytest.raises(NotPermitted, match="coordinators and core group"):
        services.resource_recommend(actor=reader, resource=resource)
    draft = make_resource(guild, author, status="draft")
    with pytest.raises(RepertoireError, match="Only a published resource"):
        services.resource_recommend(actor=core_member, resource=draft)


# --- Harvest --------------------------------------------------------------------------------------------


def solved_discussion(community, asker, answerer) -> Discussion:
    now = timezone.now()
    discussion = Discussion.objects.create(
        community=community,
        author=asker,
        title="How do you run blameless reviews?",
        body="We keep slipping into blame.",
        created_at=now,
        last_activity_at=now,
    )
    reply = Reply.objects.create(
        discussion=discussion, author=answerer, body="Timeline first, causes second.", created_at=now
    )
    discussion.accepted_reply = reply
    discussion.save()
    return discussion


def occurrence_with_notes(community, notes: str = "We learned to time-box the round.") -> Occurrence:
    start = timezone.now() - timedelta(days=3)
    activity = Activity.objects.create(community=community, title="Incident review", time_zone="UTC")
    return Occurrence.objects.create(
        activity=activity,
        community=community,
        sequence=1,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
        notes=notes,
    )


def test_harvest_an_accepted_answer_into_a_draft_faq(guild, core_member, author, reader):
    discussion = solved_discussion(guild, reader, author)
    draft = services.resource_harvest_discussion(actor=core_member, discussion=discussion)
    assert draft.is_draft and draft.kind == "faq" and draft.source_discussion == discussion
    assert draft.title == discussion.title
    assert "Timeline first, causes second." in draft.body and "We keep slipping" in draft.body
    assert "Answered by Ada Author" in draft.body
    assert set(draft.authors.all()) == {core_member, author}
    assert ledger("resource_added") == []  # recorded when the draft is published
    with pytest.raises(RepertoireError, match="Already harvested"):
        services.resource_harvest_discussion(actor=core_member, discussion=discussion)


def test_harvest_needs_an_accepted_answer_and_the_core_group(guild, core_member, author, reader):
    discussion = solved_discussion(guild, reader, author)
    with pytest.raises(NotPermitted, match="coordinators and core group"):
        services.resource_harvest_discussion(actor=reader, discussion=discussion)
    discussion.accepted_reply = None
    discussion.save()
    with pytest.raises(RepertoireError, match="accepted answer"):
        services.resource_harvest_discussion(actor=core_member, discussion=discussion)
    assert not Resource.objects.exists()


def test_harvest_activity_notes_into_a_draft_lesson(guild, coordinator):
    occurrence = occurrence_with_notes(guild)
    draft = services.resource_harvest_occurrence(actor=coordinator, occurrence=occurrence)
    assert draft.is_draft and draft.kind == "lesson" and draft.source_occurrence == occurrence
    assert draft.title.startswith("Incident review: what we learned on ")
    assert draft.body == occurrence.notes
    with pytest.raises(RepertoireError, match="Already harvested"):
        services.resource_harvest_occurrence(actor=coordinator, occurrence=occurrence)
    empty = occurrence_with_notes(guild, notes="  ")
    with pytest.raises(RepertoireError, match="no notes"):
        services.resource_harvest_occurrence(actor=coordinator, occurrence=empty)


# --- Collections ----------------------------------------------------------------------------------------


def test_collections_create_add_move_remove_rename_delete(guild, coordinator, author):
    first, second, third = (make_resource(guild, author, title=t) for t in ("One", "Two", "Three"))
    collection = services.collection_create(actor=coordinator, community=guild, title=" Start here ")
    for resource in (first, second, third):
        services.collection_add(actor=coordinator, collection=collection, resource=resource)

    def order():
        return list(collection.items.order_by("position").values_list("resource__title", "position"))

    assert order() == [("One", 1), ("Two", 2), ("Three", 3)]
    services.collection_move(actor=coordinator, collection=collection, resource=third, direction="up")
    assert order() == [("One", 1), ("Three", 2), ("Two", 3)]
    services.collection_move(actor=coordinator, collection=collection, resource=first, direction="down")
    assert order() == [("Three", 1), ("One", 2), ("Two", 3)]
    services.collection_remove(actor=coordinator, collection=collection, resource=first)
    assert order() == [("Three", 1), ("Two", 2)]
    services.collection_rename(
        actor=coordinator, collection=collection, title="Read first", description="New"
    )
    assert Collection.objects.get().title == "Read first"
    services.collection_delete(actor=coordinator, collection=collection)
    assert not Collection.objects.exists() and Resource.objects.count() == 3


def test_collection_refusals(guild, coordinator, author, reader):
    resource = make_resource(guild, author)
    draft = make_resource(guild, author, status="draft", title="Draft")
    other = CommunityFactory()
    foreign = make_resource(other, member_of(other))
    collection = services.collection_create(actor=coordinator, community=guild, title="Start here")
    services.collection_add(actor=coordinator, collection=collection, resource=resource)
    with pytest.raises(NotPermitted, match="Only the community's"):
        services.collection_create(actor=reader, community=guild, title="Mine")
    cases = [
        (
            lambda: services.collection_create(actor=coordinator, community=guild, title=""),
            "Give the collection",
        ),
        (
            lambda: services.collection_create(actor=coordinator, community=guild, title="x" * 121),
            "under 120",
        ),
        (
            lambda: services.collection_create(
                actor=coordinator, community=guild, title="Start", description="x" * 301
            ),
            "under 300",
        ),
        (
            lambda: services.collection_create(actor=coordinator, community=guild, title="START HERE"),
            "already",
        ),
        (
            lambda: services.collection_add(actor=coordinator, collection=collection, resource=resource),
            "already in",
        ),
        (
            lambda: services.collection_add(actor=coordinator, collection=collection, resource=draft),
            "published",
        ),
        (
            lambda: services.collection_add(actor=coordinator, collection=collection, resource=foreign),
            "this community",
        ),
        (
            lambda: services.collection_remove(actor=coordinator, collection=collection, resource=draft),
            "is not in",
        ),
        (
            lambda: services.collection_move(
                actor=coordinator, collection=collection, resource=draft, direction="up"
            ),
            "is not in",
        ),
        (
            lambda: services.collection_move(
                actor=coordinator, collection=collection, resource=resource, direction="up"
            ),
            "already first",
        ),
        (
            lambda: services.collection_move(
                actor=coordinator, collection=collection, resource=resource, direction="down"
            ),
            "already last",
        ),
        (
            lambda: services.collection_move(
                actor=coordinator, collection=collection, resource=resource, direction="left"
            ),
            "up or down",
        ),
    ]
    for call, message in cases:
        with pytest.raises(RepertoireError, match=message):
            call()
    assert list(CollectionItem.objects.values_list("resource_id", "position")) == [(resource.pk, 1)]


def test_member_who_left_cannot_edit(guild, author):
    resource = make_resource(guild, author)
    author.memberships.update(status="left")
    with pytest.raises(NotPermitted, match="Join"):
        services.resource_update(actor=author, resource=resource, title="x", kind="story")
    assert rules.may_edit(access_for(author, guild), resource) is False


def test_tags_reuse_existing_names_whatever_the_case(guild, author):
    from members.models import Tag

    Tag.objects.create(name="On-call", slug="on-call")
    Tag.objects.create(name="Other", slug="review")
    resource = make_resource(guild, author, tags=["on-call", "Review"])
    assert sorted(resource.tags.values_list("slug", flat=True)) == ["on-call", "review-2"]
