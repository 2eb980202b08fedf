"""Who sees which insights: sponsors what they sponsor, coordinators and the core group their community, staff all.

| page                           | sponsor            | coordinator, core group | other member | staff |
|--------------------------------|--------------------|-------------------------|--------------|-------|
| dashboard (cards)              | their communities  | (no entry)              | (no entry)   | all   |
| community health, CSV exports  | their communities  | their communities       | 403          | all   |
| record a value story           | their communities  | coordinators            | 403          | all   |
| constellation                  | what they may see  | what they may see       | what they may see | all |
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from communities.access import CommunityAccess, get_community_for
from communities.models import Community, Sponsorship
from members.models import User


def dashboard_communities(viewer: User) -> QuerySet[Community]:
    """The communities on the viewer's dashboard: those they sponsor, or every community for staff."""
    if viewer.is_staff:
        return Community.objects.all()
    return Community.objects.filter(
        Exists(Sponsorship.objects.filter(community=OuterRef("pk"), sponsor=viewer))
    )


def dashboard_q(viewer: User) -> Q:
    """The same as a condition, for queries that start elsewhere."""
    if viewer.is_staff:
        return Q()
    return Q(Exists(Sponsorship.objects.filter(community=OuterRef("pk"), sponsor=viewer)))


def may_read_health(access: CommunityAccess) -> bool:
    return access.is_staff or access.is_sponsor or access.is_coordinator or access.is_core


def may_record_story(access: CommunityAccess) -> bool:
    return access.is_staff or access.is_sponsor or access.is_coordinator


def get_health_access(viewer: User, slug: str, *, record: bool = False) -> CommunityAccess:
    """The community's health page and its exports: 404 for who may not see the community, 403 for members
    without the right (only coordinators, the core group, its sponsors and staff read it)."""
    access = get_community_for(viewer, slug, content=True)
    if not may_read_health(access):
        raise PermissionDenied("Only this community's coordinators, core group and sponsors see its health.")
    if record and not may_record_story(access):
        raise PermissionDenied("Only coordinators and sponsors record value stories.")
    return access
