"""Writes for the repertoire: add and edit resources (with files and revisions), restore a version, “I applied
this”, recommend, harvest from discussions and activity notes, and curate collections.

Each function is atomic, enforces who may do it with the rules of `repertoire.rules` (`NotPermitted`, saying the
rule's refusal), refuses bad input with a `RepertoireError` keyed by the form field it is about (nothing is stored
then), validates with `full_clean()`, records participation in the ledger (adding a
resource, applying one), and mails through tasks enqueued on commit. The keyword-only `at` of the writes that keep
a time is when it happened (None: now); only demo data and tests pass it, to back-date history.

Who may do what (`repertoire.rules`): active members add resources and apply them; a resource's authors and the
community's coordinators edit it (and only they see it while it is a draft); coordinators restore versions and
curate collections; coordinators and the core group harvest and recommend. An archived community no longer
changes.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import Truncator

from activities.models import Discussion, Occurrence
from communities.access import CommunityAccess, access_for
from communities.models import Community, Participation
from communities.services import participation_record
from core import versions
from core.rules import Refused, require
from members.models import Tag, User
from members.services import tag_named
from repertoire import rules, tasks
from repertoire.files import MAX_FILES_PER_RESOURCE, FileRefused, check_upload, display_name
from repertoire.models import Application, Collection, CollectionItem, Resource, ResourceFile, Revision
from repertoire.search import RESOURCES_VERSION

Status = Resource.Status
MAX_BODY = 100_000
MAX_STORY = 2_000
MAX_TAGS = 12
CONTENT_FIELDS = ("kind", "title", "summary", "body", "external_url")


class RepertoireError(Refused):
    """Bad input refused with a message for the person who tried, keyed by the form field it is about where it is
    about one (`RepertoireError({"title": "…"})`); nothing was changed."""


def _acting(
    actor: User, community: Community, rule: Callable[[CommunityAccess], bool], only: str = ""
) -> CommunityAccess:
    """Who `actor` is to `community`, once a rule of `repertoire.rules` lets them act; else `NotPermitted`,
    saying why (`rules.refusal(access, only)`)."""
    access = access_for(actor, community)
    require(rule(access), lambda: rules.refusal(access, only))
    return access


def _locked_for(
    actor: User, resource: Resource, rule: Callable[[CommunityAccess], bool], only: str = ""
) -> Resource:
    """The resource re-read under a row lock (with its community), once `rule` lets `actor` act on it."""
    resource = Resource.objects.select_for_update().select_related("community").get(pk=resource.pk)
    _acting(actor, resource.community, rule, only)
    return resource


# --- Cleaning -------------------------------------------------------------------------------------------


def _clean_text(*, title: str, body: str, summary: str) -> tuple[str, str, str]:
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        raise RepertoireError({"title": "Give the resource a title: what is it, in a few words?"})
    if len(title) > 200:
        raise RepertoireError({"title": "Keep the title under 200 characters."})
    if len(summary) > 300:
        raise RepertoireError({"summary": "Keep the summary under 300 characters."})
    if len(body or "") > MAX_BODY:
        raise RepertoireError(
            {"body": f"The text is too long ({len(body):,} characters); keep it under {MAX_BODY:,}."}
        )
    return title, (body or "").strip(), summary


def _tags(names: Iterable[str]) -> list[Tag]:
    unique: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            unique.setdefault(name.lower(), name)
    if any(len(name) > 60 for name in unique.values()):
        raise RepertoireError({"tags": "Keep each tag under 60 characters."})
    if len(unique) > MAX_TAGS:
        raise RepertoireError({"tags": f"Choose at most {MAX_TAGS} tags."})
    return [tag_named(name) for name in unique.values()]


def _check_authors(community: Community, people: Sequence[User]) -> None:
    members = set(community.memberships.active().filter(user__in=people).values_list("user_id", flat=True))
    outsiders = [person for person in people if person.pk not in members]
    if outsiders:
        names = ", ".join(str(person) for person in outsiders)
        raise RepertoireError(
            {"co_authors": f"Co-authors must be members of {community.name}: {names} is not."}
        )


def _check_uploads(resource_files: int, uploads: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if resource_files + len(uploads) > MAX_FILES_PER_RESOURCE:
        raise RepertoireError({"files": f"A resource can hold at most {MAX_FILES_PER_RESOURCE} files."})
    checked = []
    for upload in uploads:
        try:
            file_type = check_upload(upload)
        except FileRefused as refused:
            raise RepertoireError({"files": refused.message}) from None
        checked.append((upload, file_type.content_type))
    return checked


def _store(resource: Resource, checked: list[tuple[UploadedFile, str]], actor: User, now) -> None:
    """Save the files through the storage API; if the transaction then fails, remove what was written."""
    stored: list[str] = []
    try:
        for upload, content_type in checked:
            attachment = ResourceFile(
                resource=resource,
                name=display_name(upload.name),
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
                uploaded_at=now,
            )
            attachment.file.save(upload.name, upload, save=False)
            stored.append(attachment.file.name)
            attachment.full_clean()
            attachment.save()
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


def _tag_names(resource: Resource) -> str:
    return ", ".join(sorted(tag.name for tag in resource.tags.all()))


def _add_revision(resource: Resource, *, actor: User, note: str, now, restored_from: int | None = None):
    number = (resource.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    revision = Revision(
        resource=resource,
        number=number,
        kind=resource.kind,
        title=resource.title,
        summary=resource.summary,
        body=resource.body,
        external_url=resource.external_url,
        tags=_tag_names(resource),
        edited_by=actor,
        created_at=now,
        note=note.strip()[:300],
        restored_from=restored_from,
    )
    revision.full_clean()
    revision.save()
    return revision


# --- Resources ------------------------------------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str = Resource.Kind.PRACTICE,
    summary: str = "",
    body: str = "",
    tags: Sequence[str] = (),
    external_url: str = "",
    status: str = Status.PUBLISHED,
    co_authors: Sequence[User] = (),
    uploads: Sequence[UploadedFile] = (),
    source_discussion: Discussion | None = None,
    source_occurrence: Occurrence | None = None,
    at: datetime | None = None,
) -> Resource:
    """A member adds a resource (published at once, or a draft only its authors and coordinators see)."""
    _acting(actor, community, rules.may_add)
    title, body, summary = _clean_text(title=title, body=body, summary=summary)
    if status not in (Status.DRAFT, Status.PUBLISHED):
        raise RepertoireError({"status": "A new resource is either a draft or published."})
    co_authors = [person for person in co_authors if person.pk != actor.pk]
    _check_authors(community, co_authors)
    checked = _check_uploads(0, uploads)
    now = at or timezone.now()
    resource = Resource(
        community=community,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        external_url=(external_url or "").strip(),
        status=status,
        created_by=actor,
        created_at=now,
        updated_at=now,
        published_at=now if status == Status.PUBLISHED else None,
        source_discussion=source_discussion,
        source_occurrence=source_occurrence,
    )
    _full_clean(resource)
    resource.save()
    resource.tags.set(_tags(tags))
    resource.authors.set([actor, *co_authors])
    _store(resource, checked, actor, now)
    if status == Status.PUBLISHED:
        _add_revision(resource, actor=actor, note="First published", now=now)
        _record_added(resource, actor, now)
    return resource


def _record_added(resource: Resource, actor: User, now) -> None:
    """The ledger's "added a resource" is recorded when it is published (a draft adds nothing to the repertoire)."""
    participation_record(
        community=resource.community,
        user=actor,
        kind=Participation.Kind.RESOURCE_ADDED,
        source=f"resource:{resource.pk}",
        at=now,
    )


def _full_clean(resource: Resource) -> None:
    """The model's own checks, each message next to its field and saying which field it is about."""
    try:
        resource.full_clean()
    except ValidationError as error:
        raise RepertoireError(
            {
                field: [
                    f"{'Link' if field == 'external_url' else field.replace('_', ' ').capitalize()}: {m}"
                    for m in messages
                ]
                for field, messages in error.message_dict.items()
            }
        ) from None


@transaction.atomic
def resource_update(
    *,
    actor: User,
    resource: Resource,
    title: str,
    kind: str,
    summary: str = "",
    body: str = "",
    tags: Sequence[str] = (),
    external_url: str = "",
    status: str | None = None,
    note: str = "",
    co_authors: Sequence[User] | None = None,
    uploads: Sequence[UploadedFile] = (),
    remove_files: Sequence[ResourceFile] = (),
    at: datetime | None = None,
) -> Resource:
    """Its authors or a coordinator edit a resource. Editing a published (or archived) resource keeps a new
    version with who, when and the change note; publishing a draft keeps its first version."""
    resource = (
        Resource.objects.select_for_update()
        .select_related("community")
        .with_viewer_is_author(actor)
        .get(pk=resource.pk)
    )
    community = resource.community
    access = _acting(actor, community, lambda access: rules.may_edit(access, resource), rules.EDIT)
    title, body, summary = _clean_text(title=title, body=body, summary=summary)
    status = status or resource.status
    if status == Status.DRAFT and not resource.is_draft:
        raise RepertoireError(
            {"status": "A published resource cannot go back to being a draft; archive it instead."}
        )
    removing = [f for f in remove_files if f.resource_id == resource.pk]
    checked = _check_uploads(resource.files.count() - len(removing), uploads)
    if co_authors is not None:
        co_authors = [person for person in co_authors if person.pk != actor.pk]
        _check_authors(community, co_authors)
    before_tags = _tag_names(resource)
    before = {field: getattr(resource, field) for field in CONTENT_FIELDS}
    was_draft = resource.is_draft
    now = at or timezone.now()
    resource.title, resource.kind, resource.summary, resource.body = title, kind, summary, body
    resource.external_url = (external_url or "").strip()
    resource.status = status
    resource.updated_at = now
    first_publication = status == Status.PUBLISHED and resource.published_at is None
    if first_publication:
        resource.published_at = now
    _full_clean(resource)
    resource.save()
    resource.tags.set(_tags(tags))
    if co_authors is not None:
        kept = list(resource.authors.filter(pk__in=[resource.created_by_id, actor.pk]))
        if not access.is_coordinator and actor not in kept:
            kept.append(actor)
        resource.authors.set([*kept, *co_authors])
    for attachment in removing:
        name = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda name=name: default_storage.delete(name))
    _store(resource, checked, actor, now)
    if first_publication:
        _record_added(resource, actor, now)
    changed = before != {field: getattr(resource, field) for field in CONTENT_FIELDS} or (
        before_tags != _tag_names(resource)
    )
    if was_draft and status != Status.DRAFT:
        _add_revision(resource, actor=actor, note=note or "First published", now=now)
    elif not was_draft and changed:
        _add_revision(resource, actor=actor, note=note, now=now)
    return resource


@transaction.atomic
def revision_restore(
    *, actor: User, resource: Resource, revision: Revision, note: str = "", at: datetime | None = None
) -> Revision:
    """A coordinator brings back an older version: the restore is itself a new version."""
    resource = _locked_for(actor, resource, rules.may_curate, rules.RESTORE)
    if revision.resource_id != resource.pk:
        raise RepertoireError(
            {
                "revision": "That version belongs to another resource: only this resource's versions can be restored."
            }
        )
    if resource.is_draft:
        raise RepertoireError("A draft has no versions to restore.")
    latest = resource.revisions.order_by("-number").first()
    if latest is not None and latest.pk == revision.pk:
        raise RepertoireError({"revision": f"Version {revision.number} is already the current one."})
    now = at or timezone.now()
    resource.kind, resource.title, resource.summary = revision.kind, revision.title, revision.summary
    resource.body, resource.external_url = revision.body, revision.external_url
    resource.updated_at = now
    resource.full_clean()
    resource.save()
    resource.tags.set(_tags(revision.tags.split(",")))
    return _add_revision(
        resource,
        actor=actor,
        note=note or f"Restored version {revision.number}",
        now=now,
        restored_from=revision.number,
    )


@transaction.atomic
def resource_apply(*, actor: User, resource: Resource, story: str, at: datetime | None = None) -> Application:
    """“I applied this”: a member tells how they used a published resource and what came of it."""
    resource = _locked_for(actor, resource, rules.may_add)
    if resource.is_draft:
        raise RepertoireError("This resource is still a draft: it can be applied once it is published.")
    if resource.status == Status.ARCHIVED:
        raise RepertoireError(
            "This resource is archived: it is kept for reference and no longer collects stories."
        )
    story = (story or "").strip()
    if not story:
        raise RepertoireError({"story": "Tell in a few words how you used it and what came of it."})
    if len(story) > MAX_STORY:
        raise RepertoireError({"story": f"Keep the story under {MAX_STORY:,} characters."})
    if Application.objects.filter(resource=resource, user=actor).exists():
        raise RepertoireError({"story": "You already told how you applied this resource."})
    now = at or timezone.now()
    application = Application(resource=resource, user=actor, story=story, created_at=now)
    application.full_clean()
    application.save()
    Resource.objects.filter(pk=resource.pk).update(applied_count=F("applied_count") + 1)
    versions.bump(RESOURCES_VERSION)  # an update sends no signal: what shows the count is kept under it
    resource.applied_count += 1
    participation_record(
        community=resource.community,
        user=actor,
        kind=Participation.Kind.APPLIED,
        source=f"resource:{resource.pk}",
        at=now,
    )
    transaction.on_commit(lambda: tasks.send_applied_mail.delay(application.pk))
    return application


@transaction.atomic
def resource_recommend(
    *, actor: User, resource: Resource, recommended: bool = True, at: datetime | None = None
) -> Resource:
    """The core group (and coordinators) mark a published resource “recommended”, or take the mark away."""
    resource = _locked_for(actor, resource, rules.may_harvest, rules.RECOMMEND)
    if recommended and not resource.is_published:
        raise RepertoireError("Only a published resource can be recommended.")
    resource.recommended_at = (at or timezone.now()) if recommended else None
    resource.recommended_by = actor if recommended else None
    resource.save(update_fields=["recommended_at", "recommended_by"])
    return resource


# --- Harvest --------------------------------------------------------------------------------------------


def _already_harvested(**source) -> None:
    existing = Resource.objects.filter(**source).first()
    if existing is not None:
        raise RepertoireError(f"Already harvested into the library: “{existing.title}”.")


def _plain(text: str, length: int) -> str:
    return Truncator(" ".join(text.replace("#", " ").replace("*", " ").split())).chars(length)


@transaction.atomic
def resource_harvest_discussion(
    *, actor: User, discussion: Discussion, at: datetime | None = None
) -> Resource:
    """A coordinator or core member turns a discussion's accepted answer into a draft FAQ resource, linked back
    to the discussion; the answer's author is its co-author."""
    discussion = Discussion.objects.select_related("community", "author", "accepted_reply__author").get(
        pk=discussion.pk
    )
    community = discussion.community
    _acting(actor, community, rules.may_harvest, rules.HARVEST)
    if not rules.discussion_harvestable(discussion):
        raise RepertoireError("Only a discussion with an accepted answer can be harvested.")
    answer = discussion.accepted_reply
    _already_harvested(source_discussion=discussion)
    asker = discussion.author.full_name if discussion.author else "a former member"
    answerer = answer.author.full_name if answer.author else "a former member"
    body = (
        f"## The question\n\n{discussion.body}\n\n*Asked by {asker}.*\n\n"
        f"## The accepted answer\n\n{answer.body}\n\n*Answered by {answerer}.*"
    )
    co_authors = []
    if answer.author and community.memberships.active().filter(user=answer.author).exists():
        co_authors.append(answer.author)
    return resource_create(
        actor=actor,
        community=community,
        title=discussion.title,
        kind=Resource.Kind.FAQ,
        summary=_plain(answer.body, 300),
        body=body,
        status=Status.DRAFT,
        co_authors=co_authors,
        source_discussion=discussion,
        at=at,
    )


@transaction.atomic
def resource_harvest_occurrence(
    *, actor: User, occurrence: Occurrence, at: datetime | None = None
) -> Resource:
    """A coordinator or core member turns an activity's notes into a draft lesson, linked back to the date."""
    occurrence = Occurrence.objects.select_related("community", "activity").get(pk=occurrence.pk)
    community = occurrence.community
    _acting(actor, community, rules.may_harvest, rules.HARVEST)
    if not rules.occurrence_harvestable(occurrence):
        raise RepertoireError("This activity has no notes to harvest.")
    _already_harvested(source_occurrence=occurrence)
    day = timezone.localtime(occurrence.start).strftime("%-d %B %Y")
    return resource_create(
        actor=actor,
        community=community,
        title=Truncator(f"{occurrence.activity.title}: what we learned on {day}").chars(200),
        kind=Resource.Kind.LESSON,
        summary=_plain(occurrence.notes, 300),
        body=occurrence.notes,
        status=Status.DRAFT,
        source_occurrence=occurrence,
        at=at,
    )


# --- Collections ----------------------------------------------------------------------------------------


def _clean_collection(community: Community, title: str, description: str, *, exclude: int | None = None):
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        raise RepertoireError({"title": "Give the collection a title, e.g. “Start here”."})
    if len(title) > 120:
        raise RepertoireError({"title": "Keep the title under 120 characters."})
    if len(description) > 300:
        raise RepertoireError({"description": "Keep the description under 300 characters."})
    if Collection.objects.filter(community=community, title__iexact=title).exclude(pk=exclude).exists():
        raise RepertoireError({"title": f"There is already a collection called “{title}”."})
    return title, description


@transaction.atomic
def collection_create(
    *, actor: User, community: Community, title: str, description: str = "", at: datetime | None = None
) -> Collection:
    """A coordinator starts a collection."""
    _acting(actor, community, rules.may_curate, rules.CURATE)
    title, description = _clean_collection(community, title, description)
    collection = Collection(
        community=community,
        title=title,
        description=description,
        created_by=actor,
        created_at=at or timezone.now(),
    )
    collection.full_clean()
    collection.save()
    return collection


@transaction.atomic
def collection_rename(
    *, actor: User, collection: Collection, title: str, description: str = ""
) -> Collection:
    """A coordinator renames a collection or changes its description."""
    _acting(actor, collection.community, rules.may_curate, rules.CURATE)
    collection.title, collection.description = _clean_collection(
        collection.community, title, description, exclude=collection.pk
    )
    collection.full_clean()
    collection.save(update_fields=["title", "description"])
    return collection


@transaction.atomic
def collection_delete(*, actor: User, collection: Collection) -> None:
    """A coordinator removes a collection (its resources stay in the library)."""
    _acting(actor, collection.community, rules.may_curate, rules.CURATE)
    collection.delete()


def _locked_items(collection: Collection) -> list[CollectionItem]:
    return list(
        CollectionItem.objects.select_for_update().filter(collection=collection).order_by("position", "pk")
    )


@transaction.atomic
def collection_add(*, actor: User, collection: Collection, resource: Resource) -> CollectionItem:
    """A coordinator adds a published resource of the same community at the end of a collection."""
    _acting(actor, collection.community, rules.may_curate, rules.CURATE)
    if resource.community_id != collection.community_id:
        raise RepertoireError("Only resources of this community can go into its collections.")
    if not resource.is_published:
        raise RepertoireError("Only published resources can go into a collection.")
    items = _locked_items(collection)
    if any(item.resource_id == resource.pk for item in items):
        raise RepertoireError(f"“{resource.title}” is already in “{collection.title}”.")
    item = CollectionItem(collection=collection, resource=resource, position=len(items) + 1)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def collection_remove(*, actor: User, collection: Collection, resource: Resource) -> None:
    """A coordinator takes a resource out of a collection; the others close the gap."""
    _acting(actor, collection.community, rules.may_curate, rules.CURATE)
    items = _locked_items(collection)
    kept = [item for item in items if item.resource_id != resource.pk]
    if len(kept) == len(items):
        raise RepertoireError(f"“{resource.title}” is not in “{collection.title}”.")
    CollectionItem.objects.filter(collection=collection, resource=resource).delete()
    _renumber(kept)


def _renumber(items: list[CollectionItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    CollectionItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def collection_move(*, actor: User, collection: Collection, resource: Resource, direction: str) -> None:
    """A coordinator moves a resource one place up or down in a collection."""
    _acting(actor, collection.community, rules.may_curate, rules.CURATE)
    if direction not in ("up", "down"):
        raise RepertoireError({"direction": "Move a resource up or down."})
    items = _locked_items(collection)
    index = next((n for n, item in enumerate(items) if item.resource_id == resource.pk), None)
    if index is None:
        raise RepertoireError(f"“{resource.title}” is not in “{collection.title}”.")
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        raise RepertoireError(f"“{resource.title}” is already {'first' if direction == 'up' else 'last'}.")
    items[index], items[other] = items[other], items[index]
    _renumber(items)
