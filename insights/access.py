"""Access helpers for insights pages: load a community for a view and answer 404 or 403 by `insights.rules`.

| page                           | sponsor            | coordinator, core group | other member | staff |
|--------------------------------|--------------------|-------------------------|--------------|-------|
| dashboard (cards)              | their communities  | (no entry)              | (no entry)   | all   |
| community health, CSV exports  | their communities  | their communities       | 403          | all   |
| record a value story           | their communities  | coordinators            | 403          | all   |
| constellation                  | what they may see  | what they may see       | what they may see | all |
| mail previews                  | 403                | 403                     | 403          | all   |

The dashboard's communities are `Community.objects.sponsored_by(viewer)`; the constellation's are
`Community.objects.visible_to(viewer)`.
"""

from django.core.exceptions import PermissionDenied

from communities.access import CommunityAccess, get_community_for
from insights import rules
from members.models import User


def get_health_access(viewer: User, slug: str, *, record: bool = False) -> CommunityAccess:
    """The community's health page and its exports: 404 for who may not see the community, 403 for members
    without the right (`rules.may_read_health`). With `record`, 403 also for who does not record value stories
    (`rules.records_stories`); an archived community is the page's to answer (`rules.may_record_story`)."""
    access = get_community_for(viewer, slug, content=True)
    if not rules.may_read_health(access):
        raise PermissionDenied(rules.HEALTH_READERS_ONLY)
    if record and not rules.records_stories(access):
        raise PermissionDenied(rules.STORY_RECORDERS_ONLY)
    return access


def require_previewer(viewer: User) -> None:
    """403 for anyone but staff (`rules.may_preview_mail`)."""
    if not rules.may_preview_mail(viewer):
        raise PermissionDenied(rules.PREVIEWS_STAFF_ONLY)
