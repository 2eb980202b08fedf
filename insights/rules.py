"""Who reads a community's insights and who records its value stories: named, pure predicates over a
`CommunityAccess` (who the viewer is to the community, `communities.access`), with the refusal each says.

They run no query: they read the membership and sponsorship the access holds. The access helpers
(`insights.access`) ask them to answer 403, the pages ask them which buttons to show, and the service
(`insights.services.value_story_record`) enforces them with `core.rules.require`, so the 403 page and the
service say the same thing. Nothing else decides.

| who                               | health page, CSV exports | record a value story              |
|-----------------------------------|--------------------------|-----------------------------------|
| coordinator (active)              | yes                      | yes, unless the community is archived |
| core group member (active)        | yes                      | no                                |
| sponsor (member or not)           | yes                      | yes, unless the community is archived |
| staff                             | yes                      | yes, unless the community is archived |
| other members, former members     | no                       | no                                |

An archived community's health stays readable; it records no new stories. Mail previews are for staff.
"""

from communities.access import CommunityAccess
from members.models import User

HEALTH_READERS_ONLY = "Only this community's coordinators, core group and sponsors see its health."
STORY_RECORDERS_ONLY = "Only this community's coordinators, its sponsors and staff record value stories."
PREVIEWS_STAFF_ONLY = "Mail previews are for staff."


def archived_refusal(access: CommunityAccess) -> str:
    """What an archived community answers to a new value story."""
    return (
        f"{access.community.name} is archived: its value stories are kept for reference and no new ones are "
        "recorded."
    )


def may_read_health(access: CommunityAccess) -> bool:
    """A community's active coordinators and core group, its sponsors and staff read its health page and export
    its charts, archived or not."""
    return access.is_staff or access.is_sponsor or access.is_coordinator or access.is_core


def records_stories(access: CommunityAccess) -> bool:
    """Who records a community's value stories: its active coordinators, its sponsors and staff (the core group
    reads the health page but does not record)."""
    return access.is_staff or access.is_sponsor or access.is_coordinator


def may_record_story(access: CommunityAccess) -> bool:
    """Those who record a community's stories (`records_stories`) record one while it is not archived."""
    return records_stories(access) and not access.community.is_archived


def story_refusal(access: CommunityAccess) -> str:
    """Why `may_record_story` does not hold: not one who records (asked first), else the archive."""
    return STORY_RECORDERS_ONLY if not records_stories(access) else archived_refusal(access)


def may_preview_mail(viewer: User) -> bool:
    """Staff preview every digest and report as a recipient would get it."""
    return viewer.is_staff
