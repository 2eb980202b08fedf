"""The matrix's rows for the repertoire: the libraries, a resource (and someone else's draft), its files, "I applied
this", recommending, history and restore, collections and harvest.

The rules are those of `repertoire/rules.py`: whoever sees a community's content reads its library (published
and archived resources) and downloads files; active members add resources and apply them; a resource's authors
and the community's coordinators edit it, and only they see it while it is a draft (not staff, not sponsors);
the core group and coordinators harvest and recommend; coordinators restore versions and curate collections.
An archived community's library is read-only (403 for every change). As everywhere, outsiders of the private
community get 404 and people who see the content without the right get 403.

None of the requesting roles wrote `place.resource` or `place.draft` (the author did), so `edit` is tried on
someone else's resource and someone else's draft.
"""

from tests.authz.matrix import Row, grid
from tests.authz.rules import CONTENT, CORE_GROUP, MANAGE, MEMBERS_WRITE, NOT_ALLOWED_SIGNED_IN, SIGNED_IN


def slug(c):
    return {"slug": c.slug}


def resource(c):
    return {"slug": c.slug, "pk": c.place.resource.pk}


def draft(c):
    return {"slug": c.slug, "pk": c.place.draft.pk}


def collection(c):
    return {"slug": c.slug, "pk": c.place.collection.pk}


# Someone else's draft: only its authors and the coordinators see it (404 for everyone else, staff and sponsors
# included; outsiders of the private community get 404 anyway).
DRAFT_READ = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 404      404        404  ok          404         404     404     404
private  login 404      404        404  ok          404         404     404     404
archived login 404      404        404  ok          404         404     404     404
""")

# Editing someone else's draft: the coordinators, while the community is not archived (then 403: they still see
# it); everyone else gets 404, as the draft is hidden from them.
DRAFT_EDIT = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 404      404        404  ok          404         404     404     404
private  login 404      404        404  ok          404         404     404     404
archived login 404      404        404  403         404         404     404     404
""")


# The same for the core group's and coordinators' harvest; CORE_GROUP otherwise.
CORE_BUT_REFUSED = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        no   no          403         403     403     403
private  login 404      403        no   no          404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

RESOURCE_FIELDS = {
    "title": "Matrix checklist",
    "kind": "practice",
    "summary": "Who may do what.",
    "body": "1. Walk every route.",
    "tags": "testing",
    "status": "published",
}

ROWS = [
    # The organization-wide library: every signed-in person, showing the communities each may see.
    Row("repertoire:library", GET=SIGNED_IN, POST=NOT_ALLOWED_SIGNED_IN, in_community=False),
    # A community's library, a resource, its history and its files: whoever sees the community's content.
    Row("repertoire:community_library", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row("repertoire:resource", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=resource),
    Row("repertoire:resource", GET=DRAFT_READ, POST=NOT_ALLOWED_SIGNED_IN, params=draft, target="draft"),
    Row("repertoire:history", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=resource),
    Row("repertoire:history", GET=DRAFT_READ, POST=NOT_ALLOWED_SIGNED_IN, params=draft, target="draft"),
    Row(
        "repertoire:download",
        GET=CONTENT,
        POST=NOT_ALLOWED_SIGNED_IN,
        params=lambda c: {"slug": c.slug, "pk": c.place.resource.pk, "file_pk": c.place.file.pk},
    ),
    # Adding a resource: active members of a community that is not archived (the form too).
    Row(
        "repertoire:add",
        GET=MEMBERS_WRITE,
        POST=MEMBERS_WRITE,
        params=slug,
        body=RESOURCE_FIELDS,
        writes=("repertoire_resource", "repertoire_revision"),
    ),
    # Editing someone else's resource: its authors (none of the roles) and the coordinators.
    Row(
        "repertoire:edit",
        GET=MANAGE,
        POST=MANAGE,
        params=resource,
        body=lambda c: {**RESOURCE_FIELDS, "note": "Tightened."},
        writes=("repertoire_resource", "repertoire_revision"),
    ),
    Row(
        "repertoire:edit",
        GET=DRAFT_EDIT,
        POST=DRAFT_EDIT,
        params=draft,
        body={**RESOURCE_FIELDS, "status": "draft"},
        writes=("repertoire_resource",),
        target="draft",
    ),
    # "I applied this": active members of a community that is not archived. The page offers the form only to
    # them (others see "join to add your story"), so a crafted POST by anyone else is a 403, as adding is.
    Row(
        "repertoire:apply",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MEMBERS_WRITE,
        params=resource,
        body={"story": "We used it in our last review."},
        writes=("repertoire_application",),
    ),
    # Recommending: the core group and the coordinators.
    Row(
        "repertoire:recommend",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CORE_GROUP,
        params=resource,
        body={"recommended": "on"},
        writes=("repertoire_resource",),
    ),
    # Restoring a version: the coordinators. The world's resource has one version only, which is the current one,
    # so the coordinator is answered "no" (a message: already the current version).
    Row(
        "repertoire:restore",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=resource,
        body=lambda c: {"revision": c.place.resource.revisions.get(number=1).pk, "note": "Back."},
        writes=("repertoire_resource", "repertoire_revision"),
    ),
    # Collections: seen by whoever sees the content; started, renamed, deleted and filled by the coordinators.
    Row(
        "repertoire:collections",
        GET=CONTENT,
        POST=MANAGE,
        params=slug,
        body={"title": "Start here", "description": "Read these first."},
        writes=("repertoire_collection",),
    ),
    Row("repertoire:collection", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=collection),
    Row(
        "repertoire:collection_rename",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=collection,
        body={"title": "Begin here", "description": "Renamed."},
        writes=("repertoire_collection",),
    ),
    Row(
        "repertoire:collection_delete",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=collection,
        writes=("repertoire_collection",),
    ),
    Row(
        "repertoire:collection_remove",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=collection,
        body=lambda c: {"resource": c.place.resource.pk},
        writes=("repertoire_collectionitem",),
    ),
    # The world's collection holds one resource, so moving it is answered "no" (already last).
    Row(
        "repertoire:collection_move",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=collection,
        body=lambda c: {"resource": c.place.resource.pk, "direction": "down"},
        writes=("repertoire_collectionitem",),
    ),
    Row(
        "repertoire:add_to_collection",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MANAGE,
        params=resource,
        body=lambda c: {"collection": c.place.empty_collection.pk},
        writes=("repertoire_collectionitem",),
    ),
    # Harvest: the core group and the coordinators.
    Row("repertoire:harvest", GET=CORE_GROUP, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    # Harvesting a solved discussion into a resource; one without an accepted answer is answered "no".
    Row(
        "repertoire:harvest_discussion",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CORE_GROUP,
        params=lambda c: {"slug": c.slug, "pk": c.place.solved_discussion.pk},
        writes=("repertoire_resource",),
    ),
    Row(
        "repertoire:harvest_discussion",
        target="unsolved",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CORE_BUT_REFUSED,
        params=lambda c: {"slug": c.slug, "pk": c.place.discussion.pk},
        writes=("repertoire_resource",),
    ),
    Row(
        "repertoire:harvest_occurrence",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CORE_GROUP,
        params=lambda c: {"slug": c.slug, "pk": c.place.past_occurrence.pk},
        writes=("repertoire_resource",),
    ),
]
