"""What the repertoire offers on activities' pages (`activities.page_actions`, registered in
`RepertoireConfig.ready()`): “Harvest into the library” on a solved discussion and on an activity date with notes,
for those who may harvest (`may_harvest`: coordinators and the core group, from the membership the page loaded);
once harvested, a link to the resource it became. An offer runs one query (was it harvested?), and only for them.
"""

from django.urls import reverse

from activities.models import Discussion, Occurrence
from activities.page_actions import PageAction
from communities.access import CommunityAccess
from repertoire import selectors
from repertoire.access import may_harvest_discussion, may_harvest_occurrence
from repertoire.models import Resource

LABEL = "Harvest into the library"
OPEN = "In the library: open the resource"


def _offer(
    access: CommunityAccess, harvested: Resource | None, harvest_url: str, note: str, source: str
) -> PageAction | None:
    """The harvest button; once harvested, a link to the resource, or nothing when the viewer may not open it
    (another harvester's draft: seen only by its authors and the coordinators)."""
    if harvested is None:
        return PageAction(label=LABEL, url=harvest_url, post=True, note=note, fields={"source": source})
    if harvested.is_draft and not (access.is_coordinator or harvested.viewer_is_author):
        return None
    return PageAction(
        label=OPEN, url=reverse("repertoire:resource", args=[access.community.slug, harvested.pk])
    )


def harvest_discussion(access: CommunityAccess, discussion: Discussion) -> PageAction | None:
    if not may_harvest_discussion(access, discussion):
        return None
    return _offer(
        access,
        selectors.harvested_from(access, source_discussion=discussion),
        reverse("repertoire:harvest_discussion", args=[access.community.slug, discussion.pk]),
        "The accepted answer becomes a draft FAQ: you review it, then publish it.",
        "discussions",
    )


def harvest_occurrence(access: CommunityAccess, occurrence: Occurrence) -> PageAction | None:
    if not may_harvest_occurrence(access, occurrence):
        return None
    return _offer(
        access,
        selectors.harvested_from(access, source_occurrence=occurrence),
        reverse("repertoire:harvest_occurrence", args=[access.community.slug, occurrence.pk]),
        "The notes become a draft lesson learned: you review it, then publish it.",
        "notes",
    )
