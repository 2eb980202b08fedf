"""Back-dated history (`at=`, used by demo data and tests): every timestamp the repertoire's services write is the
given moment (the resource, its files, versions, stories, recommendation, collections and ledger rows), and
without `at` they write now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Participation
from repertoire import services
from repertoire.models import Resource
from tests.repertoire.conftest import make_resource, pdf_upload
from tests.repertoire.test_services import occurrence_with_notes, solved_discussion

pytestmark = pytest.mark.django_db


def ledger(user, kind: str) -> list[tuple[str, object]]:
    return list(Participation.objects.filter(user=user, kind=kind).values_list("source", "at"))


def test_resource_create_writes_every_timestamp_at_the_given_moment(guild, author):
    at = timezone.now() - timedelta(days=90)
    resource = make_resource(guild, author, uploads=[pdf_upload()], at=at)
    resource.refresh_from_db()
    assert resource.created_at == resource.updated_at == resource.published_at == at
    assert resource.files.get().uploaded_at == at
    assert resource.revisions.get().created_at == at
    assert ledger(author, "resource_added") == [(f"resource:{resource.pk}", at)]


def test_a_back_dated_draft_is_published_and_edited_later(guild, author, coordinator):
    created, published, edited = (timezone.now() - timedelta(days=d) for d in (60, 50, 40))
    draft = make_resource(guild, author, status=Resource.Status.DRAFT, at=created)
    fields = {"title": draft.title, "kind": draft.kind, "summary": draft.summary, "body": draft.body}
    services.resource_update(
        actor=author,
        resource=draft,
        **fields,
        status=Resource.Status.PUBLISHED,
        uploads=[pdf_upload()],
        at=published,
    )
    services.resource_update(
        actor=coordinator, resource=draft, **{**fields, "body": "Revised."}, note="Tips", at=edited
    )
    draft.refresh_from_db()
    assert (draft.created_at, draft.published_at, draft.updated_at) == (created, published, edited)
    assert draft.files.get().uploaded_at == published
    assert list(draft.revisions.order_by("number").values_list("created_at", "edited_by")) == [
        (published, author.pk),
        (edited, coordinator.pk),
    ]
    assert ledger(author, "resource_added") == [(f"resource:{draft.pk}", published)]


def test_restore_apply_and_recommend_at_the_given_moment(guild, author, coordinator, core_member, reader):
    resource = make_resource(guild, author, at=timezone.now() - timedelta(days=30))
    first = resource.revisions.get()
    fields = {"title": "Renamed", "kind": resource.kind, "summary": resource.summary, "body": resource.body}
    services.resource_update(
        actor=author, resource=resource, **fields, at=timezone.now() - timedelta(days=25)
    )
    restored_at, applied_at, recommended_at = (timezone.now() - timedelta(days=d) for d in (20, 15, 10))
    restored = services.revision_restore(actor=coordinator, resource=resource, revision=first, at=restored_at)
    story = services.resource_apply(actor=reader, resource=resource, story="It helped.", at=applied_at)
    services.resource_recommend(actor=core_member, resource=resource, at=recommended_at)
    resource.refresh_from_db()
    assert restored.created_at == resource.updated_at == restored_at
    assert story.created_at == applied_at
    assert ledger(reader, "applied") == [(f"resource:{resource.pk}", applied_at)]
    assert resource.recommended_at == recommended_at and resource.applied_count == 1


def test_harvest_and_collections_at_the_given_moment(guild, coordinator, core_member, author, reader):
    at = timezone.now() - timedelta(days=2)
    faq = services.resource_harvest_discussion(
        actor=core_member, discussion=solved_discussion(guild, reader, author), at=at
    )
    lesson = services.resource_harvest_occurrence(
        actor=coordinator, occurrence=occurrence_with_notes(guild), at=at
    )
    assert faq.created_at == faq.updated_at == lesson.created_at == at
    assert faq.published_at is None and faq.is_draft
    collection = services.collection_create(actor=coordinator, community=guild, title="Start here", at=at)
    assert collection.created_at == at


def test_without_at_the_services_write_now(guild, author, coordinator, reader):
    before = timezone.now()
    resource = make_resource(guild, author)
    story = services.resource_apply(actor=reader, resource=resource, story="It helped.")
    collection = services.collection_create(actor=coordinator, community=guild, title="Start here")
    after = timezone.now()
    for moment in (resource.created_at, resource.published_at, story.created_at, collection.created_at):
        assert before <= moment <= after
    assert before <= ledger(author, "resource_added")[0][1] <= after
