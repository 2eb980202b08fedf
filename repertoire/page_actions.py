"""What the repertoire offers on activities' pages (`activities.page_actions`, registered in
`RepertoireConfig.ready()`): “Harvest into the library” on a solved discussion and on an activity date with notes,
for those who may harvest (`may_harvest`: coordinators and the core group, from the membership the page loaded);
once harvested, a link to the resource it became. An offer runs one query (was it harvested?), and only for them.
"""

from django.urls import reverse

from activities.models import Discussion, Occurrence
from activities.page_actions import PageAction
from communities.access import CommunityAccess
from repertoire import rules, selectors

LABEL = "Harvest into the library"
OPEN = "In the library: open the resource"
FAQ_NOTE = "The accepted answer becomes a draft FAQ: you review it, then publish it."
LESSON_NOTE = "The notes become a draft lesson learned: you review it, then publish it."


def _offer(
    access: CommunityAccess, allowed: bool, obj: Discussion | Occurrence, source: str, note: str
) -> PageAction | None:
    """For those `allowed`, the harvest button; once harvested, a link to the resource, or nothing when the
    viewer may not open it (another harvester's draft: seen only by its authors and the coordinators)."""
    if not allowed:
        return None
    field = "source_discussion" if source == "discussions" else "source_occurrence"
    harvested = selectors.harvested_from(access, **{field: obj})
    if harvested is None:
        name = "harvest_discussion" if source == "discussions" else "harvest_occurrence"
        url = reverse(f"repertoire:{name}", args=[access.community.slug, obj.pk])
        return PageAction(label=LABEL, url=url, post=True, note=note, fields={"source": source})
    if not rules.may_see(access, harvested):
        return None
    return PageAction(
        label=OPEN, url=reverse("repertoire:resource", args=[access.community.slug, harvested.pk])
    )


def harvest_discussion(access: CommunityAccess, discussion: Discussion) -> PageAction | None:
    allowed = rules.may_harvest_discussion(access, discussion)
    return _offer(access, allowed, discussion, "discussions", FAQ_NOTE)


def harvest_occurrence(access: CommunityAccess, occurrence: Occurrence) -> PageAction | None:
    allowed = rules.may_harvest_occurrence(access, occurrence)
    return _offer(access, allowed, occurrence, "notes", LESSON_NOTE)
