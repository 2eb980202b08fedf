"""Who may do what in a community's library: named, pure predicates over a `CommunityAccess` (who the viewer is
to the community, `communities.access`) and the resource, with the refusal each says. No queries: they read the
membership the access holds and what the selectors annotated on the resource (`viewer_is_author`,
`viewer_applied`). The services enforce them (`core.rules.require`), the pages and page actions ask them.

| who                          | sees                          | may                                             |
|------------------------------|-------------------------------|-------------------------------------------------|
| whoever sees the content     | published and archived ones   | read, download files                            |
| active member                | + their own drafts            | + add resources, “I applied this”               |
| a resource's authors         | + that draft                  | + edit it                                       |
| core group                   |                               | + harvest, recommend                            |
| coordinator                  | every draft                   | + edit any, restore versions, curate collections|

An archived community's library is read-only. Sponsors and staff read what they see, and change nothing.
What can be harvested: a discussion whose accepted answer is shown (`discussion_harvestable`), an activity date
with notes (`occurrence_harvestable`).
"""

from activities.models import Discussion, Occurrence
from communities.access import CommunityAccess
from repertoire.models import Resource

ARCHIVED = "{name} is archived: its library is kept for reference only."
JOIN = "Join {name} to add to its library and apply what it holds."
EDIT = "Only its authors and the community's coordinators can edit this resource."
CURATE = "Only the community's coordinators curate collections."
RESTORE = "Only the community's coordinators restore versions."
HARVEST = "Only the community's coordinators and core group harvest into the library."
RECOMMEND = "Only the community's coordinators and core group recommend resources."


def refusal(access: CommunityAccess, only: str = "") -> str:
    """Why a change is refused, in the order it is asked: an archived community first, then not being one of
    its members, then `only` (who may)."""
    if access.community.is_archived:
        return ARCHIVED.format(name=access.community.name)
    if not access.is_member or not only:
        return JOIN.format(name=access.community.name)
    return only


def _open(access: CommunityAccess) -> bool:
    return access.is_member and not access.community.is_archived


def may_see(access: CommunityAccess, resource: Resource) -> bool:
    """Whoever sees the community's content sees its published and archived resources; a draft only its authors
    (`viewer_is_author`) and the community's coordinators."""
    if not access.can_see_content:
        return False
    return (
        not resource.is_draft or access.is_coordinator or bool(getattr(resource, "viewer_is_author", False))
    )


def may_add(access: CommunityAccess) -> bool:
    """Active members of a community that is not archived add resources and tell how they applied one."""
    return _open(access)


def may_apply(access: CommunityAccess, resource: Resource) -> bool:
    """A member is offered “I applied this” on a published resource they have not applied yet."""
    return may_add(access) and resource.is_published and not getattr(resource, "viewer_applied", False)


def may_edit(access: CommunityAccess, resource: Resource) -> bool:
    """Coordinators, and the resource's authors while they are members (`viewer_is_author`), edit it."""
    return _open(access) and (access.is_coordinator or bool(getattr(resource, "viewer_is_author", False)))


def may_curate(access: CommunityAccess) -> bool:
    """Coordinators curate collections and restore versions."""
    return _open(access) and access.is_coordinator


def may_restore(access: CommunityAccess, resource: Resource) -> bool:
    """Coordinators bring back an older version of a resource that has versions (a draft has none)."""
    return may_curate(access) and not resource.is_draft


def may_harvest(access: CommunityAccess) -> bool:
    """Coordinators and the core group harvest into the library and recommend resources."""
    return _open(access) and (access.is_coordinator or access.is_core)


def may_recommend(access: CommunityAccess, resource: Resource) -> bool:
    """Those who harvest mark a published resource “recommended”, or take the mark away from one that has it."""
    return may_harvest(access) and (resource.is_published or resource.is_recommended)


def discussion_harvestable(discussion: Discussion) -> bool:
    """It has an accepted answer, and neither it nor the answer is hidden or deleted (reads the accepted reply:
    load it with the discussion)."""
    if discussion.accepted_reply_id is None or discussion.is_hidden or discussion.is_deleted:
        return False
    answer = discussion.accepted_reply
    return not (answer.is_hidden or answer.is_deleted)


def occurrence_harvestable(occurrence: Occurrence) -> bool:
    """It has notes (more than blanks)."""
    return bool(occurrence.notes.strip())


def may_harvest_discussion(access: CommunityAccess, discussion: Discussion) -> bool:
    return may_harvest(access) and discussion_harvestable(discussion)


def may_harvest_occurrence(access: CommunityAccess, occurrence: Occurrence) -> bool:
    return may_harvest(access) and occurrence_harvestable(occurrence)


def library_offers(access: CommunityAccess) -> dict[str, bool]:
    """What every page of a community's library offers the viewer (its sections and buttons)."""
    return {"may_add": may_add(access), "may_curate": may_curate(access), "may_harvest": may_harvest(access)}
