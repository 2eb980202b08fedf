"""The member digest: what is new in a member's communities and what is coming up, built for a whole batch.

One batch of deliveries costs five queries whatever its size or the data's (see `build`). Only active
memberships in communities that are not archived count, so a member sees private communities they belong to and
nothing of communities they left; hidden or deleted posts and draft resources never appear.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, FilteredRelation, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from activities.discussions.models import shown_q
from activities.models import Discussion, Occurrence, Reply, Rsvp
from communities.models import Membership
from insights.deliveries import Mail
from insights.models import Delivery
from members.models import User
from repertoire.models import Resource

TEMPLATE = "insights/member_digest"
# Upcoming activities: those starting in the days after the period (a daily digest looks a week ahead, a
# weekly one a fortnight).
HORIZON = {"daily": timedelta(days=7), "weekly": timedelta(days=14)}
PER_SECTION = 10  # items listed per section; the rest are counted ("and 4 more in …")
PER_COMMUNITY = 5  # items per community within a section, so one busy community does not fill it
SEPARATOR = "\x1f"  # between the names of a resource's authors, as the database joins them (a unit separator)

ANSWER_LABELS = {
    Rsvp.Answer.GOING: "Going",
    Rsvp.Answer.MAYBE: "Maybe",
    Rsvp.Answer.NOT_GOING: "Not going",
}
WAITLISTED_LABEL = "On the waitlist"
UNANSWERED_LABEL = "Not answered yet"


@dataclass(frozen=True)
class Item:
    """One line of a section: a discussion, a resource, a followed discussion's new replies, an activity date."""

    title: str
    url: str  # path; templates prefix SITE_URL
    community_id: int
    community: str
    at: datetime  # when it was posted or published; for an activity, when it starts
    detail: str = ""  # who started it, what kind of resource, who replied
    status: str = ""  # an activity: the member's answer
    needs_answer: bool = False
    count: int = 1  # a followed discussion: its new replies


@dataclass(frozen=True)
class More:
    """Items a section leaves out for one community, with where to see them."""

    community: str
    count: int
    url: str


@dataclass
class Section:
    key: str  # discussions, replies, resources, activities
    heading: str
    items: list[Item]
    more: list[More] = field(default_factory=list)  # left out, per community (with a link)
    more_elsewhere: int = 0  # left out without a page listing them together (followed discussions)

    @property
    def total(self) -> int:
        return len(self.items) + sum(m.count for m in self.more) + self.more_elsewhere


@dataclass(frozen=True)
class _Community:
    pk: int
    name: str
    slug: str


def _item(community: _Community, page: str, pk: int, title: str, at: datetime, detail: str = "") -> Item:
    """A line about object `pk` of `community`, linking to its `page`."""
    return Item(
        title=title,
        url=_path(page, community.slug, pk),
        community_id=community.pk,
        community=community.name,
        at=at,
        detail=detail,
    )


def candidates(community_ids: list[int] | None) -> list[tuple[int, int | None]]:
    """Every active user with an active membership in a community that is not archived (one query)."""
    memberships = Membership.objects.active().in_current().filter(user__is_active=True)
    if community_ids is not None:
        memberships = memberships.filter(community_id__in=community_ids)
    user_ids = memberships.order_by("user_id").values_list("user_id", flat=True).distinct()
    return [(user_id, None) for user_id in user_ids]


def _frequency(delivery: Delivery) -> str:
    return "weekly" if "-W" in delivery.period else "daily"


def build(deliveries: list[Delivery]) -> dict[int, Mail | None]:
    """Each delivery's mail, or None when nothing is new for its member in its period.

    Five queries for the whole batch, each over all its members and communities at once, then shared out in
    Python: (1) the members' active memberships in communities that are not archived, with their time zones;
    (2) visible discussions started in those communities during the batch's periods; (3) resources published
    there during the periods, with their authors; (4) dates of activities there in the coming days, with the
    batch members' answers (a filtered join); (5) visible replies in visible discussions the members follow,
    during the periods, one row per reply and follower.
    """
    if not deliveries:
        return {}
    now = timezone.now()
    user_ids = sorted({d.recipient_id for d in deliveries})

    # (1) Memberships and time zones.
    communities_of: dict[int, list[_Community]] = defaultdict(list)
    zones: dict[int, str] = {}
    for user_id, community_id, name, slug, zone in (
        Membership.objects.active()
        .in_current()
        .filter(user_id__in=user_ids)
        .order_by("community__name", "community_id")
        .values_list(
            "user_id", "community_id", "community__name", "community__slug", "user__profile__time_zone"
        )
    ):
        communities_of[user_id].append(_Community(community_id, name, slug))
        zones[user_id] = zone or settings.TIME_ZONE
    known = {c.pk: c for joined in communities_of.values() for c in joined}
    if not known:
        return {d.pk: None for d in deliveries}
    since = min(d.period_start for d in deliveries)
    until = max(d.period_end for d in deliveries)

    discussions = _new_discussions(known, since, until)
    resources = _new_resources(known, since, until)
    upcoming_from = min(max(now, d.period_end) for d in deliveries)
    upcoming_until = max(d.period_end + HORIZON[_frequency(d)] for d in deliveries)
    occurrences, answers = _upcoming(known, user_ids, upcoming_from, upcoming_until)
    replies = _followed_replies(known, user_ids, since, until)

    mails: dict[int, Mail | None] = {}
    for delivery in deliveries:
        mails[delivery.pk] = _mail_for(
            delivery,
            now=now,
            communities=communities_of.get(delivery.recipient_id, []),
            zone_name=zones.get(delivery.recipient_id, settings.TIME_ZONE),
            discussions=discussions,
            resources=resources,
            occurrences=occurrences,
            answers=answers,
            replies=replies.get(delivery.recipient_id, []),
        )
    return mails


_SLUG, _PK = "slug-placeholder", 987654321


@cache
def _path_pattern(name: str, with_pk: bool) -> str:
    """The path of a community's page (by slug, and id), as a format string: reversed once per process."""
    args = [_SLUG, _PK] if with_pk else [_SLUG]
    return reverse(name, args=args).replace(_SLUG, "{slug}").replace(str(_PK), "{pk}")


@cache
def _site_path(name: str) -> str:
    return reverse(name)


def _path(name: str, slug: str, pk: int | None = None) -> str:
    """reverse(name, args=[slug, pk]) for the thousands of links a batch makes, without resolving each."""
    return _path_pattern(name, pk is not None).format(slug=slug, pk=pk)


# --- The batch's queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Posted:
    """A discussion or resource, shared by every member of its community in the batch."""

    item: Item
    owners: frozenset[int]  # who started or wrote it: they are not told about it


@dataclass(frozen=True)
class _Upcoming:
    pk: int
    item: Item
    activity_created_at: datetime


@dataclass(frozen=True)
class _FollowedReply:
    pk: int
    discussion_id: int
    title: str
    community_id: int
    community: str
    url: str
    author_id: int | None
    author: str
    at: datetime


def _author_name() -> Subquery:
    """The author's name, looked up per row by key: cheaper than joining (and hashing) the whole user table."""
    return Subquery(User.objects.filter(pk=OuterRef("author_id")).values("full_name")[:1])


def _new_discussions(
    communities: dict[int, _Community], since: datetime, until: datetime
) -> dict[int, list[_Posted]]:
    """(2) Visible discussions started in the communities during [since, until), newest first, by community."""
    by_community: dict[int, list[_Posted]] = defaultdict(list)
    rows = (
        Discussion.objects.shown()
        .filter(community_id__in=list(communities), created_at__gte=since, created_at__lt=until)
        .annotate(author_name=_author_name())
        .order_by("-created_at", "-pk")
        .values_list("pk", "community_id", "title", "author_id", "author_name", "created_at")
    )
    for pk, community_id, title, author_id, author, created_at in rows:
        community = communities[community_id]
        item = _item(
            community,
            "activities:discussion",
            pk,
            title,
            created_at,
            f"started by {author}" if author else "",
        )
        by_community[community_id].append(_Posted(item, frozenset([author_id]) - {None}))
    return by_community


def _new_resources(
    communities: dict[int, _Community], since: datetime, until: datetime
) -> dict[int, list[_Posted]]:
    """(3) Resources published in the communities during [since, until) (drafts never), newest first."""
    kinds = dict(Resource.Kind.choices)
    by_community: dict[int, list[_Posted]] = defaultdict(list)
    authored = Q(authors__isnull=False)
    rows = (
        Resource.objects.published()
        .filter(
            community_id__in=list(communities),
            published_at__gte=since,  # set when a resource is published (repertoire.services)
            published_at__lt=until,
        )
        .annotate(
            # StringAgg without ORDER BY works on both databases (SQLite before 3.44 orders no aggregate); the
            # names are sorted below.
            author_ids=StringAgg(Cast("authors__id", CharField()), Value(","), filter=authored, default=""),
            author_names=StringAgg("authors__full_name", Value(SEPARATOR), filter=authored, default=""),
        )
        .order_by("-published_at", "-pk")
        .values_list(
            "pk",
            "community_id",
            "title",
            "kind",
            "created_by_id",
            "published_at",
            "author_ids",
            "author_names",
        )
    )
    for pk, community_id, title, kind, created_by, published, id_list, name_list in rows:
        author_ids = [int(author) for author in id_list.split(",") if author]
        names = sorted(name for name in name_list.split(SEPARATOR) if name)
        detail = kinds.get(kind, kind)
        if names:
            detail = f"{detail}, by {', '.join(names)}"
        community = communities[community_id]
        item = _item(community, "repertoire:resource", pk, title, published, detail)
        by_community[community_id].append(_Posted(item, frozenset([created_by, *author_ids]) - {None}))
    return by_community


def _upcoming(
    communities: dict[int, _Community], user_ids: list[int], since: datetime, until: datetime
) -> tuple[dict[int, list[_Upcoming]], dict[tuple[int, int], tuple[str, bool]]]:
    """(4) Dates of activities that are not cancelled, starting in [since, until), soonest first, by community;
    and the batch members' answers {(occurrence id, user id): (answer, waitlisted)} from the same query."""
    by_community: dict[int, list[_Upcoming]] = defaultdict(list)
    answers: dict[tuple[int, int], tuple[str, bool]] = {}
    seen: set[int] = set()
    rows = (
        Occurrence.objects.filter(
            community_id__in=list(communities), cancelled=False, start__gte=since, start__lt=until
        )
        .annotate(batch_rsvp=FilteredRelation("rsvps", condition=Q(rsvps__user_id__in=user_ids)))
        .order_by("start", "pk")
        .values_list(
            "pk",
            "community_id",
            "activity__title",
            "activity__created_at",
            "start",
            "batch_rsvp__user_id",
            "batch_rsvp__answer",
            "batch_rsvp__waitlisted",
        )
    )
    for pk, community_id, title, created_at, start, user_id, answer, waitlisted in rows:
        if user_id is not None:
            answers[(pk, user_id)] = (answer, waitlisted)
        if pk in seen:
            continue
        seen.add(pk)
        community = communities[community_id]
        item = _item(community, "activities:occurrence", pk, title, start)
        by_community[community_id].append(_Upcoming(pk, item, created_at))
    return by_community, answers


def _followed_replies(
    communities: dict[int, _Community], user_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[_FollowedReply]]:
    """(5) Visible replies posted during [since, until) in visible discussions the batch members follow, by
    follower (a reply followed by three members of the batch is three rows)."""
    by_follower: dict[int, list[_FollowedReply]] = defaultdict(list)
    rows = (
        Reply.objects.filter(
            shown_q(),
            shown_q("discussion__"),
            discussion__follows__user_id__in=user_ids,
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(author_name=_author_name())
        .order_by("created_at", "pk")
        .values_list(
            "discussion__follows__user_id",
            "pk",
            "discussion_id",
            "discussion__title",
            "discussion__community_id",
            "author_id",
            "author_name",
            "created_at",
        )
    )
    for follower, pk, discussion_id, title, community_id, author_id, author, at in rows:
        community = communities.get(community_id)
        if community is None:  # no follower in the batch is an active member there (left, or archived)
            continue
        url = _path("activities:discussion", community.slug, discussion_id)
        by_follower[follower].append(
            _FollowedReply(
                pk, discussion_id, title, community_id, community.name, url, author_id, author or "", at
            )
        )
    return by_follower


# --- One member's digest ----------------------------------------------------------------------------------


def _mail_for(
    delivery: Delivery,
    *,
    now: datetime,
    communities: list[_Community],
    zone_name: str,
    discussions: dict[int, list[_Posted]],
    resources: dict[int, list[_Posted]],
    occurrences: dict[int, list[_Upcoming]],
    answers: dict[tuple[int, int], tuple[str, bool]],
    replies: list[_FollowedReply],
) -> Mail | None:
    if not communities:
        return None
    user_id = delivery.recipient_id
    start, end = delivery.period_start, delivery.period_end
    frequency = _frequency(delivery)
    horizon = HORIZON[frequency]
    member_of = {c.pk for c in communities}
    by_pk = {c.pk: c for c in communities}

    def posted(source: dict[int, list[_Posted]]) -> list[Item]:
        found = [
            p.item
            for c in communities
            for p in source.get(c.pk, ())
            if start <= p.item.at < end and user_id not in p.owners
        ]
        return sorted(found, key=lambda item: item.at, reverse=True)

    new_discussions = posted(discussions)
    new_resources = posted(resources)
    followed = _followed_items(
        r for r in replies if start <= r.at < end and r.community_id in member_of and r.author_id != user_id
    )

    # Upcoming dates. They are listed whenever the digest goes out, but make it go out on their own only when
    # the member has not answered one yet AND it is news since the last digest: its activity was scheduled in
    # the period, or the date has come within the horizon since then (the previous digest looked ahead from
    # this period's start). Otherwise a daily digest would repeat the same unanswered meeting every day.
    upcoming: list[Item] = []
    news_to_answer = 0
    for c in communities:
        for entry in occurrences.get(c.pk, ()):
            item = entry.item
            if not (max(now, end) <= item.at < end + horizon):
                continue
            answer = answers.get((entry.pk, user_id))
            if answer is None:
                status, needs_answer = UNANSWERED_LABEL, True
                if start <= entry.activity_created_at < end or item.at >= start + horizon:
                    news_to_answer += 1
            else:
                status = WAITLISTED_LABEL if answer[1] else ANSWER_LABELS.get(answer[0], answer[0])
                needs_answer = False
            upcoming.append(replace(item, status=status, needs_answer=needs_answer))
    upcoming.sort(key=lambda item: (item.at, item.url))

    if not (new_discussions or new_resources or followed or news_to_answer):
        return None

    sections = [
        _section("discussions", "New discussions", new_discussions, by_pk, "activities:discussions"),
        _section("replies", "New replies to discussions you follow", followed, by_pk, None),
        _section("resources", "New in the library", new_resources, by_pk, "repertoire:community_library"),
        _section(
            "activities",
            f"Coming up in the next {horizon.days} days",
            upcoming,
            by_pk,
            "activities:community_calendar",
        ),
    ]
    zone = _zone(zone_name)
    first_day = timezone.localtime(start, zone).date()
    last_day = timezone.localtime(end, zone).date() - timedelta(days=1)
    return Mail(
        template=TEMPLATE,
        context={
            "frequency": frequency,
            "weekly": frequency == "weekly",
            "first_day": first_day,
            "last_day": last_day,
            "time_zone": zone.key,
            "sections": [s for s in sections if s.items],
            "summary": _summary(new_discussions, followed, new_resources, upcoming),
            "communities": [c.name for c in communities],
            "communities_phrase": _communities_phrase([c.name for c in communities]),
            "action_url": _site_path("home"),
            "notifications_url": _site_path("members:notifications"),
        },
    )


def _followed_items(replies: Iterable[_FollowedReply]) -> list[Item]:
    """One item per followed discussion: how many new replies, from whom, linking to the first new one."""
    grouped: dict[int, list[_FollowedReply]] = {}
    for reply in replies:
        grouped.setdefault(reply.discussion_id, []).append(reply)
    items = []
    for group in grouped.values():
        first, last = group[0], group[-1]
        names = list(dict.fromkeys(r.author for r in group if r.author))
        who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        count = len(group)
        detail = f"{count} new repl{'y' if count == 1 else 'ies'}" + (f" from {who}" if who else "")
        items.append(
            Item(
                title=first.title,
                url=f"{first.url}#reply-{first.pk}",
                community_id=first.community_id,
                community=first.community,
                at=last.at,
                detail=detail,
                count=count,
            )
        )
    return sorted(items, key=lambda item: item.at, reverse=True)


def _section(
    key: str, heading: str, items: list[Item], communities: dict[int, _Community], list_view: str | None
) -> Section:
    """At most PER_SECTION items, PER_COMMUNITY of any one community; the rest counted per community."""
    shown: list[Item] = []
    per_community: Counter[int] = Counter()
    left: Counter[int] = Counter()
    for item in items:
        if len(shown) < PER_SECTION and per_community[item.community_id] < PER_COMMUNITY:
            shown.append(item)
            per_community[item.community_id] += 1
        else:
            left[item.community_id] += 1
    section = Section(key=key, heading=heading, items=shown)
    if list_view is None:
        section.more_elsewhere = sum(left.values())
    else:
        section.more = [
            More(communities[pk].name, count, _path(list_view, communities[pk].slug))
            for pk, count in sorted(left.items(), key=lambda pair: communities[pair[0]].name)
        ]
    return section


def _summary(
    discussions: list[Item], replies: list[Item], resources: list[Item], upcoming: list[Item]
) -> list[str]:
    """The subject's and the intro's short list, e.g. ["3 new discussions", "2 new resources"]."""
    parts = []
    if discussions:
        n = len(discussions)
        parts.append(f"{n} new discussion{'' if n == 1 else 's'}")
    if replies:
        n = sum(item.count for item in replies)
        parts.append(f"{n} repl{'y' if n == 1 else 'ies'} to discussions you follow")
    if resources:
        n = len(resources)
        parts.append(f"{n} new resource{'' if n == 1 else 's'}")
    to_answer = sum(1 for item in upcoming if item.needs_answer)
    if to_answer:
        parts.append(f"{to_answer} upcoming activit{'y' if to_answer == 1 else 'ies'} to answer")
    return parts


def _communities_phrase(names: list[str]) -> str:
    """ "Guild", "Guild and Vault", "Guild, Ops and Vault"; beyond three, "7 communities"."""
    if len(names) > 3:
        return f"{len(names)} communities"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)
