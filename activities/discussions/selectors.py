"""Reads for discussions: lists with filters, the thread, the latest for a community home, recent activity.

Hidden posts and discussions of archived communities stay out of lists and counts.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from activities.discussions.models import Discussion, Follow, Reply, Report
from communities.access import CommunityAccess, visible_communities_q
from communities.models import Community, Membership
from members.models import User

UNANSWERED_AFTER = timedelta(hours=48)
FILTERS = ("all", "unanswered", "unsolved", "mine")


def community_discussions(
    *, community: Community, viewer: User, filter_by: str = "all"
) -> QuerySet[Discussion]:
    """A community's discussions, newest activity first (pinned on top), without hidden ones."""
    discussions = (
        Discussion.objects.filter(community=community, hidden_at__isnull=True)
        .select_related("author", "accepted_reply")
        .annotate(viewer_follows=Exists(Follow.objects.filter(discussion=OuterRef("pk"), user=viewer)))
    )
    if filter_by == "unanswered":
        discussions = discussions.filter(
            first_answer_at__isnull=True,
            deleted_at__isnull=True,
            created_at__lte=timezone.now() - UNANSWERED_AFTER,
        )
    elif filter_by == "unsolved":
        discussions = discussions.filter(accepted_reply__isnull=True, deleted_at__isnull=True)
    elif filter_by == "mine":
        replied = Reply.objects.filter(discussion=OuterRef("pk"), author=viewer, deleted_at__isnull=True)
        discussions = discussions.filter(Exists(replied) | Q(author=viewer))
    return discussions.order_by("-pinned", "-last_activity_at", "-pk")


def discussion_for(access: CommunityAccess, pk: int, viewer: User) -> Discussion:
    """One discussion of this community with what its page needs (404 if elsewhere, or hidden from the viewer:
    a hidden discussion is seen only by its author and the coordinators)."""
    discussion = (
        Discussion.objects.filter(pk=pk, community=access.community)
        .select_related("author", "author__profile", "accepted_reply__author", "hidden_by", "community")
        .annotate(viewer_follows=Exists(Follow.objects.filter(discussion=OuterRef("pk"), user=viewer)))
        .first()
    )
    if discussion is None:
        raise Http404("No such discussion")
    if discussion.is_hidden and not (access.is_coordinator or discussion.author_id == viewer.pk):
        raise Http404("No such discussion")
    return discussion


def thread_replies(*, discussion: Discussion, viewer: User, is_coordinator: bool) -> QuerySet[Reply]:
    """The replies of a thread in order. Hidden ones show only to coordinators and their authors (with why)."""
    replies = discussion.replies.select_related("author", "hidden_by").order_by("created_at", "pk")
    if not is_coordinator:
        replies = replies.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    return replies


def open_reports(*, community: Community) -> QuerySet[Report]:
    """Reports the coordinators have not dealt with yet."""
    return (
        Report.objects.filter(discussion__community=community, resolved_at__isnull=True)
        .select_related("discussion", "reply", "reporter", "reply__author", "discussion__author")
        .order_by("-created_at")
    )


def latest_for_community(*, community: Community, limit: int = 5) -> list[Discussion]:
    """The latest discussions of a community (for its home), with reply counts."""
    return list(
        Discussion.objects.filter(community=community, hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author")
        .order_by("-last_activity_at", "-pk")[:limit]
    )


@dataclass
class ActivityItem:
    """One line of "recent activity": a new discussion or a reply, in one of my communities."""

    kind: str  # "discussion" or "reply"
    at: object
    discussion: Discussion
    author: User | None


def recent_activity_for(*, user: User, limit: int = 8) -> list[ActivityItem]:
    """New discussions and replies in my communities (not hidden, not deleted, not archived): two queries."""
    mine = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, community__archived_at__isnull=True
    ).values("community_id")
    discussions = list(
        Discussion.objects.filter(community_id__in=mine, hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("author", "community")
        .order_by("-created_at")[:limit]
    )
    replies = list(
        Reply.objects.filter(
            discussion__community_id__in=mine,
            hidden_at__isnull=True,
            deleted_at__isnull=True,
            discussion__hidden_at__isnull=True,
        )
        .select_related("author", "discussion__community")
        .order_by("-created_at")[:limit]
    )
    items = [ActivityItem("discussion", d.created_at, d, d.author) for d in discussions]
    items += [ActivityItem("reply", r.created_at, r.discussion, r.author) for r in replies]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]


def visible_discussions(*, viewer: User) -> QuerySet[Discussion]:
    """Discussions the viewer may read anywhere (for search): visible communities, not archived, not hidden."""
    communities = Community.objects.filter(visible_communities_q(viewer), archived_at__isnull=True).values(
        "pk"
    )
    return Discussion.objects.filter(
        community_id__in=communities, hidden_at__isnull=True, deleted_at__isnull=True
    )
