"""The coordinator digest: for each community a person coordinates, one mail per period with what needs them.

In this order: requests and invitations waiting for a decision; who joined, left or changed level; upcoming
activities; the period's attendance; discussions unanswered for 48 hours and open reports; new resources and
"I applied this" stories; the stage-aware health checks that are not green. Every item links (absolutely, to
SITE_URL) to the page where the coordinator acts on it. Nothing at all to tell: no mail.

`build` serves a whole batch with a fixed number of queries (`_gather`: each query covers every community of the
batch and the union of their periods); `coordinator_digest_context` then picks one delivery's rows without
touching the database.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from activities.discussions.models import shown_q
from activities.discussions.selectors import UNANSWERED_AFTER
from activities.models import Discussion, Occurrence, Report, Rsvp
from communities.models import Community, EmailInvitation, Level, Membership, MembershipEvent
from core.viewer_zone import viewer_zone_name
from insights.deliveries import Mail
from insights.health import Check, health_checks
from insights.models import Delivery
from repertoire.models import Application, Resource

TEMPLATE = "insights/coordinator_digest"
UPCOMING_WINDOW = timedelta(days=14)
SHOWN = 10  # items listed per section; its heading counts them all and links to the rest
Event = MembershipEvent.Kind
JOINED = MembershipEvent.JOINS
LEFT = {Event.LEFT: "left", Event.REMOVED: "was removed", Event.DEACTIVATED: "left the organization"}
DAY_FORMAT = "D j M"
TIME_FORMAT = "D j M, H:i T"


def candidates(community_ids: list[int] | None) -> list[tuple[int, int | None]]:
    """(coordinator, community) for every active coordinator of every community not archived (one query)."""
    coordinators = Membership.objects.coordinators().in_current()
    if community_ids is not None:
        coordinators = coordinators.filter(community_id__in=community_ids)
    return list(coordinators.order_by("community_id", "user_id").values_list("user_id", "community_id"))


# --- What one community's rows are, for the whole batch ------------------------------------------------


@dataclass
class CommunityRows:
    """What the batch's queries found for one community (periods are filtered per delivery afterwards)."""

    community: Community
    requests: list[Membership] = field(default_factory=list)
    invited: list[Membership] = field(default_factory=list)
    email_invitations: list[EmailInvitation] = field(default_factory=list)
    events: list[MembershipEvent] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)  # annotated going, waitlisted, attended
    unanswered: list[Discussion] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


def _gather(
    communities: list[Community], *, since: datetime, until: datetime, now: datetime
) -> dict[int, CommunityRows]:
    """Every community's rows for [since, until) and what waits now, in a fixed number of queries:

    1. memberships requested or invited, with the person
    2. open email invitations
    3. membership events (joined, left, level changed) in the periods, with the person
    4. occurrences held in the periods or starting in the next 14 days, with the activity and the going,
       waitlist and attended counts
    5. unanswered visible discussions older than 48 hours, with the author
    6. open reports on visible posts, with the discussion
    7. resources published in the periods
    8. "I applied this" stories of the periods, with the resource and the person
    then the health checks (insights.health.health_checks: 3 queries for the member figures, 5 per trailing
    window the batch's stages need (at most 3 windows), 1 for reframing stories when a community is transforming).
    """
    ids = [community.pk for community in communities]
    rows = {community.pk: CommunityRows(community=community) for community in communities}
    Status = Membership.Status
    for membership in (
        Membership.objects.filter(
            Q(status=Status.REQUESTED) | (Q(status=Status.INVITED) & ~Q(invitation_expires_at__lte=now)),
            community_id__in=ids,
        )
        .select_related("user")
        .order_by("created_at", "pk")
    ):
        target = rows[membership.community_id]
        (target.requests if membership.status == Status.REQUESTED else target.invited).append(membership)
    for invitation in EmailInvitation.objects.filter(
        community_id__in=ids, accepted_at__isnull=True, expires_at__gt=now
    ).order_by("created_at", "pk"):
        rows[invitation.community_id].email_invitations.append(invitation)
    for event in (
        MembershipEvent.objects.filter(
            community_id__in=ids,
            kind__in=[*JOINED, *LEFT, Event.LEVEL_CHANGED],
            at__gte=since,
            at__lt=until,
        )
        .select_related("user")
        .order_by("at", "pk")
    ):
        rows[event.community_id].events.append(event)
    Answer = Rsvp.Answer
    for occurrence in (
        Occurrence.objects.filter(
            community_id__in=ids,
            cancelled=False,
            start__gte=since,
            start__lt=max(until, now + UPCOMING_WINDOW),
        )
        .select_related("activity")
        .annotate(
            going=Count("rsvps", filter=Q(rsvps__answer=Answer.GOING, rsvps__waitlisted=False)),
            waitlisted=Count("rsvps", filter=Q(rsvps__answer=Answer.GOING, rsvps__waitlisted=True)),
            attended=Count("rsvps", filter=Q(rsvps__attended=True)),
        )
        .order_by("start", "pk")
    ):
        rows[occurrence.community_id].occurrences.append(occurrence)
    for discussion in (
        Discussion.objects.shown()
        .filter(
            community_id__in=ids,
            first_answer_at__isnull=True,
            created_at__lt=until - UNANSWERED_AFTER,
        )
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        rows[discussion.community_id].unanswered.append(discussion)
    for report in (
        Report.objects.filter(
            Q(reply__isnull=True) | shown_q("reply__"),
            shown_q("discussion__"),
            discussion__community_id__in=ids,
            resolved_at__isnull=True,
        )
        .select_related("discussion")
        .order_by("created_at", "pk")
    ):
        rows[report.discussion.community_id].reports.append(report)
    for resource in (
        Resource.objects.published()
        .filter(
            community_id__in=ids,
            published_at__gte=since,
            published_at__lt=until,
        )
        .order_by("published_at", "pk")
    ):
        rows[resource.community_id].resources.append(resource)
    for application in (
        Application.objects.filter(
            resource__community_id__in=ids,
            resource__status=Resource.Status.PUBLISHED,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related("resource", "user")
        .order_by("created_at", "pk")
    ):
        rows[application.resource.community_id].applications.append(application)
    for community_id, checks in health_checks(communities, now=now).items():
        rows[community_id].checks = [check for check in checks if check.needs_action]
    return rows


# --- One delivery's digest (no queries) ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a section: what, where to act on it (absolute), when, and a detail or note."""

    title: str
    url: str
    at: datetime | None = None
    detail: str = ""
    note: str = ""


@dataclass
class Section:
    key: str
    heading: str
    url: str  # the page for all of it
    link_label: str
    items: list[Item]
    summary: str = ""
    date_format: str = DAY_FORMAT

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def shown(self) -> list[Item]:
        return self.items[:SHOWN]

    @property
    def more(self) -> int:
        return max(0, self.count - SHOWN)


def _url(name: str, *args, query: dict | None = None) -> str:
    path = reverse(name, args=args)
    return f"{settings.SITE_URL}{path}{'?' + urlencode(query) if query else ''}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _level(value: str) -> str:
    return Level(value).label if value in Level.values else value


def _excerpt(text: str, length: int = 200) -> str:
    return Truncator(" ".join(text.split())).chars(length)


def _name(user) -> str:
    return str(user) if user is not None else "Someone"


def _decisions(rows: CommunityRows, manage: str) -> Section:
    items = [
        Item(
            title=_name(m.user),
            url=manage,
            at=m.created_at,
            detail="asks to join",
            note=f"“{_excerpt(m.message)}”" if m.message.strip() else "",
        )
        for m in rows.requests
    ]
    items += [
        Item(title=_name(m.user), url=manage, at=m.updated_at, detail="invited, has not answered yet")
        for m in rows.invited
    ]
    items += [
        Item(title=i.email, url=manage, at=i.created_at, detail="invited by email, has not signed up yet")
        for i in rows.email_invitations
    ]
    invitations = len(rows.invited) + len(rows.email_invitations)
    parts = [_plural(len(rows.requests), "request")] if rows.requests else []
    parts += [_plural(invitations, "invitation") + " not answered yet"] if invitations else []
    return Section(
        key="decisions",
        heading="Waiting for a decision",
        url=manage,
        link_label="Decide on the members page",
        items=items,
        summary=", ".join(parts),
    )


def _changes(events: list[MembershipEvent], manage: str) -> Section:
    items, joined, left, moved = [], 0, 0, 0
    for event in events:
        url = f"{manage}?{urlencode({'q': event.user.email})}"
        if event.kind in JOINED:
            joined += 1
            verb = "returned to the organization" if event.kind == Event.REACTIVATED else "joined"
            detail = f"{verb} ({_level(event.to_value)})" if event.to_value else verb
        elif event.kind in LEFT:
            left += 1
            detail = LEFT[event.kind]
        else:
            moved += 1
            detail = f"moved from {_level(event.from_value)} to {_level(event.to_value)}"
        items.append(Item(title=_name(event.user), url=url, at=event.at, detail=detail))
    summary = ", ".join(
        text
        for n, text in (
            (joined, f"{joined} joined"),
            (left, f"{left} left"),
            (moved, f"{moved} changed level"),
        )
        if n
    )
    return Section(
        key="changes",
        heading="Who joined, left or changed level",
        url=manage,
        link_label="See the members",
        items=items,
        summary=summary,
    )


def _upcoming(occurrences: list[Occurrence], slug: str, now: datetime) -> Section:
    items = []
    for occurrence in occurrences:
        if not now <= occurrence.start < now + UPCOMING_WINDOW:
            continue
        capacity = occurrence.activity.capacity
        detail = f"{occurrence.going} going" + (f" of {capacity} seats" if capacity else "")
        if occurrence.waitlisted:
            detail += f", {occurrence.waitlisted} on the waitlist"
        items.append(
            Item(
                title=occurrence.activity.title,
                url=_url("activities:occurrence", slug, occurrence.pk),
                at=occurrence.start,
                detail=detail,
            )
        )
    return Section(
        key="upcoming",
        heading="Coming up in the next 14 days",
        url=_url("activities:community_calendar", slug),
        link_label="See the calendar",
        items=items,
        date_format=TIME_FORMAT,
    )


def _held(
    occurrences: list[Occurrence], slug: str, start: datetime, end: datetime, now: datetime, *, when: str
) -> Section:
    items = []
    for occurrence in occurrences:
        if not (start <= occurrence.start < end and occurrence.start < now):
            continue
        if occurrence.attendance_recorded_at:
            detail = f"{occurrence.attended} attended of {occurrence.going} going"
            url = _url("activities:occurrence", slug, occurrence.pk)
        else:
            detail = f"{occurrence.going} said they were going; attendance not recorded yet"
            url = _url("activities:attendance", slug, occurrence.pk)
        items.append(Item(title=occurrence.activity.title, url=url, at=occurrence.start, detail=detail))
    attended = sum(o.attended for o in occurrences if start <= o.start < end and o.attendance_recorded_at)
    return Section(
        key="attendance",
        heading=f"Held {when}",
        url=_url("activities:community_calendar", slug),
        link_label="See the calendar",
        items=items,
        summary=f"{_plural(len(items), 'activity', 'activities')} held, {attended} attended" if items else "",
        date_format=TIME_FORMAT,
    )


def _unanswered(discussions: list[Discussion], slug: str, end: datetime) -> Section:
    cutoff = end - UNANSWERED_AFTER
    items = [
        Item(
            title=d.title,
            url=_url("activities:discussion", slug, d.pk),
            at=d.created_at,
            detail=f"started by {_name(d.author)}, no answer yet",
        )
        for d in discussions
        if d.created_at < cutoff
    ]
    return Section(
        key="unanswered",
        heading="Unanswered for 48 hours",
        url=_url("activities:discussions", slug, query={"show": "unanswered"}),
        link_label="See all unanswered discussions",
        items=items,
    )


def _reports(reports: list[Report], slug: str) -> Section:
    page = _url("activities:discussion_reports", slug)
    items = [
        Item(
            title=("A reply in “{}”" if r.reply_id else "“{}”").format(r.discussion.title),
            url=page,
            at=r.created_at,
            detail=f"reported: {_excerpt(r.reason, 160)}",
        )
        for r in reports
    ]
    return Section(
        key="reports", heading="Open reports", url=page, link_label="Deal with the reports", items=items
    )


def _resources(resources: list[Resource], slug: str, start: datetime, end: datetime) -> Section:
    items = [
        Item(
            title=r.title,
            url=_url("repertoire:resource", slug, r.pk),
            at=r.published_at,
            detail=r.get_kind_display(),
            note=r.summary,
        )
        for r in resources
        if start <= r.published_at < end
    ]
    return Section(
        key="resources",
        heading="New in the library",
        url=_url("repertoire:community_library", slug),
        link_label="Open the library",
        items=items,
    )


def _stories(applications: list[Application], slug: str, start: datetime, end: datetime) -> Section:
    items = [
        Item(
            title=f"{_name(a.user)} applied “{a.resource.title}”",
            url=_url("repertoire:resource", slug, a.resource_id),
            at=a.created_at,
            note=f"“{_excerpt(a.story)}”",
        )
        for a in applications
        if start <= a.created_at < end
    ]
    return Section(
        key="stories",
        heading="“I applied this” stories",
        url=_url("repertoire:community_library", slug),
        link_label="Open the library",
        items=items,
    )


def _health(checks: list[Check], slug: str) -> Section:
    page = _url("insights:community", slug)
    items = [
        Item(
            title=check.title,
            url=page,
            detail=f"{check.status_label}: {check.measured} (wanted: {check.threshold})",
            note=f"What to do: {check.advice}",
        )
        for check in checks
    ]
    return Section(
        key="health",
        heading="Health checks that need you",
        url=page,
        link_label="Open the health page",
        items=items,
    )


def _headline(rows: CommunityRows, sections: dict[str, Section]) -> str:
    """The most urgent thing, for the subject line."""
    if rows.requests:
        return f"{_plural(len(rows.requests), 'request')} waiting"
    if sections["decisions"].count:
        return f"{_plural(sections['decisions'].count, 'invitation')} not answered yet"
    if sections["reports"].count:
        return f"{_plural(sections['reports'].count, 'open report')}"
    if sections["unanswered"].count:
        return f"{_plural(sections['unanswered'].count, 'unanswered discussion')}"
    if sections["health"].count:
        return f"{_plural(sections['health'].count, 'health check')} to look at"
    if sections["upcoming"].count:
        return f"{_plural(sections['upcoming'].count, 'activity', 'activities')} coming up"
    return "what happened"


def coordinator_digest_context(delivery: Delivery, rows: CommunityRows, *, now: datetime) -> dict:
    """The mail's context for one delivery from its community's rows; `has_news` is False when it is empty."""
    community = rows.community
    slug = community.slug
    start, end = delivery.period_start, delivery.period_end
    manage = _url("communities:manage_members", slug)
    weekly = "-W" in delivery.period
    sections = {
        "decisions": _decisions(rows, manage),
        "changes": _changes([e for e in rows.events if start <= e.at < end], manage),
        "upcoming": _upcoming(rows.occurrences, slug, now),
        "attendance": _held(
            rows.occurrences, slug, start, end, now, when="last week" if weekly else "yesterday"
        ),
        "unanswered": _unanswered(rows.unanswered, slug, end),
        "reports": _reports(rows.reports, slug),
        "resources": _resources(rows.resources, slug, start, end),
        "stories": _stories(rows.applications, slug, start, end),
        "health": _health(rows.checks, slug),
    }
    zone_name = viewer_zone_name(delivery.recipient)
    zone = ZoneInfo(zone_name)
    first_day = timezone.localtime(start, zone).date()
    last_day = (timezone.localtime(end, zone) - timedelta(seconds=1)).date()
    # The one action near the top: the most urgent section that has something (decisions first).
    urgent = next(
        (sections[key] for key in ("decisions", "reports", "unanswered", "health") if sections[key].count),
        None,
    )
    return {
        "community": community,
        "period_name": "week" if weekly else "day",
        "period_text": (
            f"{first_day:%A} {first_day.day} {first_day:%B} to {last_day:%A} {last_day.day} {last_day:%B %Y}"
            if weekly
            else f"{first_day:%A} {first_day.day} {first_day:%B %Y}"
        ),
        "time_zone": zone_name,
        "headline": _headline(rows, sections),
        "sections": [section for section in sections.values() if section.count],
        "has_news": any(section.count for section in sections.values()),
        "action_url": urgent.url.removeprefix(settings.SITE_URL) if urgent else "",
        "action_text": urgent.link_label if urgent else "",
        "settings_url": _url("members:notifications"),
    }


def build(deliveries: list[Delivery]) -> dict[int, Mail | None]:
    """Mails for a batch of coordinator digests (deliveries with recipient, its profile and community loaded).

    A fixed number of queries whatever the batch and data size: one to check who still coordinates what, then
    `_gather`. A delivery gets None (not sent) when its community was archived, its recipient no longer
    coordinates it (or left the organization), or there is nothing at all to tell.
    """
    if not deliveries:
        return {}
    now = timezone.now()
    communities = {
        d.community_id: d.community for d in deliveries if d.community_id and d.community.archived_at is None
    }
    still = set(
        Membership.objects.coordinators()
        .filter(
            community_id__in=list(communities),
            user_id__in={d.recipient_id for d in deliveries},
            user__is_active=True,
        )
        .values_list("user_id", "community_id")
    )
    wanted = [d for d in deliveries if (d.recipient_id, d.community_id) in still]
    mails: dict[int, Mail | None] = {d.pk: None for d in deliveries}
    if not wanted:
        return mails
    rows = _gather(
        list({d.community_id: communities[d.community_id] for d in wanted}.values()),
        since=min(d.period_start for d in wanted),
        until=max(d.period_end for d in wanted),
        now=now,
    )
    for delivery in wanted:
        context = coordinator_digest_context(delivery, rows[delivery.community_id], now=now)
        mails[delivery.pk] = Mail(TEMPLATE, context) if context["has_news"] else None
    return mails
