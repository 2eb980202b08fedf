"""Who may do what in a community's library, answered from the viewer's membership (no extra query).

| who                          | sees                          | may                                             |
|------------------------------|-------------------------------|-------------------------------------------------|
| whoever sees the content     | published and archived ones   | read, download files                            |
| active member                | + their own drafts            | + add resources, “I applied this”               |
| a resource's authors         | + that draft                  | + edit it                                       |
| core group                   |                               | + harvest, recommend                            |
| coordinator                  | every draft                   | + edit any, restore versions, curate collections|

An archived community's library is read-only. What can be harvested: a discussion whose accepted answer is
visible (`discussion_harvestable`), an activity date with notes (`occurrence_harvestable`).
"""

from django.core.exceptions import PermissionDenied

from activities.models import Discussion, Occurrence
from communities.access import CommunityAccess, get_community_for
from communities.models import Level
from members.models import User
from repertoire.models import Resource


def _open(access: CommunityAccess) -> bool:
    return access.is_member and not access.community.is_archived


def may_add(access: CommunityAccess) -> bool:
    return _open(access)


def may_curate(access: CommunityAccess) -> bool:
    """Coordinators restore versions and curate collections."""
    return _open(access) and access.is_coordinator


def may_harvest(access: CommunityAccess) -> bool:
    """Coordinators and the core group harvest and recommend."""
    return _open(access) and (access.is_coordinator or access.membership.level == Level.CORE)


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


def may_edit(access: CommunityAccess, resource: Resource) -> bool:
    """Coordinators, and the resource's authors (from `selectors.resource_for`), edit it."""
    return _open(access) and (access.is_coordinator or bool(getattr(resource, "viewer_is_author", False)))


def may_apply(access: CommunityAccess, resource: Resource) -> bool:
    return _open(access) and resource.is_published and not getattr(resource, "viewer_applied", False)


def library_access(viewer: User, slug: str, *, need=None, refusal: str = "") -> CommunityAccess:
    """The community whose library the viewer opens (404 for outsiders of a private one); with `need`, 403
    unless `need(access)` holds."""
    access = get_community_for(viewer, slug, content=True)
    if need is not None and not need(access):
        raise PermissionDenied(refusal or "You cannot do that in this library.")
    return access
