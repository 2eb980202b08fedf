"""Reads for discussions: lists with filters, the thread, the latest for a community home, recent activity.

Hidden posts and discussions of archived communities stay out of lists and counts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, Func, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from activities.discussions import rules
from activities.discussions.models import POST_TEXTS, Discussion, Follow, Reply, Report
from communities.access import CommunityAccess
from communities.models import Community, Membership, readers_q, texts_of
from core import versions
from core.fragments import kept
from members.models import User
from members.selectors import PEOPLE_VERSION

UNANSWERED_AFTER = timedelta(hours=48)
FILTERS = ("all", "unanswered", "unsolved", "mine")


def community_discussions(
    *, community: Community, viewer: User, filter_by: str = "all"
) -> QuerySet[Discussion]:
    """A community's discussions, newest activity first (pinned on top), without hidden ones; a discussion its
    author deleted keeps its place in the list, but waits for no answer."""
    discussions = Discussion.objects.filter(community=community)
    discussions = (
        discussions.shown() if filter_by in ("unanswered", "unsolved") else discussions.not_hidden()
    ).select_related("author", "accepted_reply")
    discussions = discussions.annotate(
        viewer_follows=Exists(Follow.objects.filter(discussion=OuterRef("pk"), user=viewer))
    )
    if filter_by == "unanswered":
        discussions = discussions.filter(
            first_answer_at__isnull=True, created_at__lte=timezone.now() - UNANSWERED_AFTER
        )
    elif filter_by == "unsolved":
        discussions = discussions.filter(accepted_reply__isnull=True)
    elif filter_by == "mine":
        replied = Reply.objects.filter(discussion=OuterRef("pk"), author=viewer, deleted_at__isnull=True)
        discussions = discussions.filter(Exists(replied) | Q(author=viewer))
    return discussions.order_by("-pinned", "-last_activity_at", "-pk")


def discussion_for(access: CommunityAccess, pk: int) -> Discussion:
    """One discussion of this community with what its page needs (404 if elsewhere, or hidden from the viewer:
    `rules.may_see_post`), in the community `access` loaded; `thread_size` is how many of its replies the viewer
    sees (`thread_replies`), counted in the same query. Who hid it is read when it is hidden, by a query of its
    own: few see a hidden discussion, and each join costs every other page of a thread its planning."""
    seen = _seen_replies(access, Reply.objects.filter(discussion=OuterRef("pk")))
    try:
        discussion = (
            Discussion.objects.filter(pk=pk, community=access.community)
            .select_related("author", "accepted_reply__author")
            .annotate(
                viewer_follows=Exists(Follow.objects.filter(discussion=OuterRef("pk"), user=access.viewer)),
                thread_size=Subquery(seen.order_by().annotate(n=Func("pk", function="COUNT")).values("n")),
            )
            .get()
        )
    except Discussion.DoesNotExist:
        raise Http404("No such discussion") from None
    return _shown(access, discussion)


def _shown(access: CommunityAccess, discussion: Discussion) -> Discussion:
    """`discussion` in the community `access` loaded, or 404 when the viewer may not see it."""
    if not rules.may_see_post(access, discussion):
        raise Http404("No such discussion")
    discussion.community = access.community
    return discussion


def thread_version_name(discussion_id: int) -> str:
    """The version (`core.versions`) of what is kept of a thread for its readers (`thread_discussion`,
    `thread_page`): bumped by every save or deletion of the discussion or of one of its replies."""
    return f"thread:{discussion_id}"


# What a thread's page asks about its viewer alone: whether they follow it, and whether they wrote a reply a
# coordinator hid (they see it; other readers do not). Written out: one short read a page.
_VIEWER_SQL = (
    f'SELECT EXISTS(SELECT 1 FROM "{Follow._meta.db_table}" WHERE discussion_id = %s AND user_id = %s), '  # noqa: S608
    f'EXISTS(SELECT 1 FROM "{Reply._meta.db_table}" '
    "WHERE discussion_id = %s AND author_id = %s AND hidden_at IS NOT NULL)"
)


def _readers_discussion(access: CommunityAccess, pk: int, sees_hidden: bool) -> Discussion | None:
    """The discussion as every reader of a class sees it (`thread_discussion`): with its author, accepted answer
    and `thread_size`, the replies that class sees (all of them for coordinators, those nobody hid for others);
    and, for this viewer alone, `viewer_follows` and `viewer_hidden` (`_VIEWER_SQL`'s answers, in the same read)."""
    replies = Reply.objects.filter(discussion=OuterRef("pk"))
    if not sees_hidden:
        replies = replies.filter(hidden_at__isnull=True)
    own_hidden = Reply.objects.filter(
        discussion=OuterRef("pk"), author=access.viewer, hidden_at__isnull=False
    )
    return (
        Discussion.objects.filter(pk=pk, community=access.community)
        .select_related("author", "accepted_reply__author")
        .defer("search_vector", "accepted_reply__search_vector")
        .annotate(
            thread_size=Subquery(replies.order_by().annotate(n=Func("pk", function="COUNT")).values("n")),
            viewer_follows=Exists(Follow.objects.filter(discussion=OuterRef("pk"), user=access.viewer)),
            viewer_hidden=Exists(own_hidden),
        )
        .first()
    )


def thread_discussion(access: CommunityAccess, pk: int) -> Discussion:
    """`discussion_for` for a thread's page, read mostly from the cache: what every reader of the same class sees
    (coordinators, who see hidden replies, or everyone else) is kept under the thread's version and the people's
    (`core.fragments.kept`); only whether the viewer follows it, and whether they wrote a reply a coordinator hid,
    are read for them (`_VIEWER_SQL`, or with the discussion when it was not kept). A reader with hidden replies of
    their own sees a thread nobody else sees: theirs is read afresh (`discussion_for`). The result's
    `thread_version` says its replies may be kept too (`page_replies`)."""
    sees_hidden = rules.sees_hidden_posts(access)
    community_id = access.community.pk
    version = versions.current(thread_version_name(pk), PEOPLE_VERSION)
    viewer: dict[str, bool] = {}

    def read() -> Discussion | None:
        found = _readers_discussion(access, pk, sees_hidden)
        if found is not None:  # the viewer's answers are theirs: used now, not kept
            viewer.update(follows=found.viewer_follows, hidden=found.viewer_hidden)
            del found.viewer_follows, found.viewer_hidden
        return found

    discussion = kept("thread", f"{community_id}-{pk}-{int(sees_hidden)}", version, read)
    if discussion is None or discussion.community_id != community_id:
        raise Http404("No such discussion")
    if not viewer:
        with connection.cursor() as cursor:
            cursor.execute(_VIEWER_SQL, [pk, access.viewer.pk, pk, access.viewer.pk])
            follows, own_hidden = cursor.fetchone()
        viewer.update(follows=bool(follows), hidden=bool(own_hidden))
    if viewer["hidden"] and not sees_hidden:
        return discussion_for(access, pk)
    discussion.viewer_follows = viewer["follows"]
    discussion.thread_version = version
    return _shown(access, discussion)


def thread_page_size() -> int:
    """Replies on one page of a thread."""
    return settings.PAGE_SIZE * 2


def _seen_replies(access: CommunityAccess, replies: QuerySet[Reply]) -> QuerySet[Reply]:
    """Those of `replies` the viewer may see (`rules.may_see_post`, as a query: a hidden one shows only to
    coordinators and its author, with why)."""
    if rules.sees_hidden_posts(access):
        return replies
    return replies.filter(Q(hidden_at__isnull=True) | Q(author=access.viewer))


def thread_replies(access: CommunityAccess, discussion: Discussion) -> QuerySet[Reply]:
    """The replies of a thread in order, those the viewer may see (`_seen_replies`). Each reply's `discussion` is
    left unset (the related manager would set it, at a cost no page of the thread needs: `thread_post` sets it)."""
    replies = Reply.objects.filter(discussion_id=discussion.pk)
    return _seen_replies(access, replies.select_related("author", "hidden_by").order_by("created_at", "pk"))


# What a thread's page shows of a reply and of the people who wrote or hid it (`thread_pages`): not its search
# vector, nor the people's other columns (their initials are made of the name, or else the address).
THREAD_COLUMNS = (
    "discussion_id",
    "author_id",
    "body",
    "body_html",
    "created_at",
    "edited_at",
    "deleted_at",
    "hidden_at",
    "hidden_by_id",
    "hidden_reason",
    "author__full_name",
    "author__email",
    "hidden_by__full_name",
    "hidden_by__email",
)


class _Deferred:
    """A sequence of replies for the paginator that makes its QuerySet only when a page's replies are read: a page
    kept for its readers (`page_replies`) needs its number alone, and making the QuerySet costs more than that."""

    def __init__(self, make: Callable[[], QuerySet[Reply]], window: slice | None = None):
        self._make, self._window = make, window
        self._read: list[Reply] | None = None

    def __getitem__(self, window: slice) -> "_Deferred":
        return _Deferred(self._make, window)

    def __iter__(self):
        if self._read is None:  # read once, as a QuerySet keeps what it read
            replies = self._make()
            self._read = list(replies if self._window is None else replies[self._window])
        return iter(self._read)

    def __len__(self) -> int:
        return len(list(iter(self)))


def thread_pages(access: CommunityAccess, discussion: Discussion) -> Paginator:
    """The replies of a thread (`thread_replies`, with the columns its page shows: `THREAD_COLUMNS`) in pages,
    their number as `discussion_for` counted them."""
    replies = _Deferred(lambda: thread_replies(access, discussion).only(*THREAD_COLUMNS))
    paginator = Paginator(replies, thread_page_size())
    paginator.count = discussion.thread_size
    return paginator


def thread_page(access: CommunityAccess, discussion: Discussion, number: int | str | None) -> Page:
    """Page `number` of a thread ("last" for the last; out of range: the nearest) of `thread_pages`; its replies
    are read by `page_replies`."""
    paginator = thread_pages(access, discussion)
    return paginator.get_page(paginator.num_pages if number == "last" else number)


def page_replies(access: CommunityAccess, discussion: Discussion, page: Page) -> list[Reply]:
    """The replies of a page of a thread (`thread_page`); when `discussion` came from `thread_discussion` with a
    `thread_version`, kept under it for every reader of the viewer's class."""
    version = getattr(discussion, "thread_version", None)
    if version is None:
        return list(page.object_list)
    row_key = f"{discussion.pk}-{int(rules.sees_hidden_posts(access))}-{page.number}"
    return kept("thread-page", row_key, version, lambda: list(page.object_list))


def thread_post(access: CommunityAccess, discussion: Discussion, reply: int | None) -> Discussion | Reply:
    """The discussion itself, or one of its replies the viewer may see (404 otherwise)."""
    if reply is None:
        return discussion
    found = thread_replies(access, discussion).filter(pk=reply).first()
    if found is None:
        raise Http404("No such reply")
    found.discussion = discussion
    return found


def page_of_reply(access: CommunityAccess, discussion: Discussion, wanted: str) -> int | None:
    """The page of the thread that shows reply `wanted` (a pk as typed in a link; links to a reply from mail and
    after posting), or None when there is no such reply the viewer may see."""
    if not wanted.isdigit():
        return None
    replies = thread_replies(access, discussion)
    found = replies.filter(pk=int(wanted)).values("pk", "created_at").first()
    if found is None:
        return None
    before = replies.filter(
        Q(created_at__lt=found["created_at"]) | Q(created_at=found["created_at"], pk__lt=found["pk"])
    ).count()
    return before // thread_page_size() + 1


def community_reply(access: CommunityAccess, pk: int | None) -> Reply | None:
    """A reply of any discussion of this community, or None (the service says when it belongs to another
    discussion)."""
    if pk is None:
        return None
    return Reply.objects.filter(pk=pk, discussion__community=access.community).first()


def report_for(access: CommunityAccess, pk: int) -> Report:
    """A report about a post of this community (404 if elsewhere)."""
    report = Report.objects.filter(pk=pk, discussion__community=access.community).first()
    if report is None:
        raise Http404("No such report")
    return report


def open_reports(*, community: Community) -> QuerySet[Report]:
    """Reports the coordinators have not dealt with yet."""
    return (
        Report.objects.filter(discussion__community=community, resolved_at__isnull=True)
        .select_related("discussion", "reply", "reporter", "reply__author", "discussion__author")
        .order_by("-created_at")
    )


def open_report_count(*, community: Community) -> int:
    """How many reports the coordinators have not dealt with yet."""
    return Report.objects.filter(discussion__community=community, resolved_at__isnull=True).count()


def latest_for_community(*, community: Community, limit: int = 5) -> list[Discussion]:
    """The latest discussions of a community (for its home), with reply counts."""
    return list(
        Discussion.objects.shown()
        .filter(community=community)
        .select_related("author")
        .defer(*POST_TEXTS)
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
    mine = Membership.objects.active().in_current().filter(user=user).values("community_id")
    discussions = list(
        Discussion.objects.shown()
        .filter(community_id__in=mine)
        .select_related("author", "community")
        .defer(*POST_TEXTS, *texts_of("community"))
        .order_by("-created_at")[:limit]
    )
    replies = list(
        Reply.objects.shown()
        .in_discussions_not_hidden()
        .filter(discussion__community_id__in=mine)
        .select_related("author", "discussion__community")
        .defer(*POST_TEXTS, *texts_of("discussion", POST_TEXTS), *texts_of("discussion__community"))
        .order_by("-created_at")[:limit]
    )
    items = [ActivityItem("discussion", d.created_at, d, d.author) for d in discussions]
    items += [ActivityItem("reply", r.created_at, r.discussion, r.author) for r in replies]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]


def readers_among(users: Iterable[User], community: Community) -> list[User]:
    """Those of `users` who may read `community`'s discussions, by the one who-sees-what rule seen from the
    people's side (`communities.models.readers_q`), in one query whatever their number: someone who left a
    private community keeps their follow but is not mailed its posts, and nobody is told of a mention they
    could not read."""
    users = list(users)
    if not users:
        return []
    readers = set(
        User.objects.filter(readers_q(community), pk__in=[user.pk for user in users]).values_list(
            "pk", flat=True
        )
    )
    return [user for user in users if user.pk in readers]
