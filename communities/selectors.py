"""Reads for communities: browse lists, community home figures, member tables, what the directory's community
filter finds. Each a fixed number of queries."""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities.models import (
    Community,
    EmailInvitation,
    Level,
    Membership,
    Participation,
    Sponsorship,
    visible_to_q,
)
from core import versions
from core.fragments import kept
from members.models import OrgUnit, Tag, User
from members.selectors import PEOPLE_VERSION, org_unit_tree

LEVEL_FIELDS = {level: f"level_{level}" for level in Level.values}
SORTS = {
    "active": ("-seen_activity", "name"),
    "largest": ("-seen_member_count", "name"),
    "newest": ("-created_at", "name"),
    "name": ("name",),
}


@dataclass
class LevelCount:
    level: str
    label: str
    count: int
    percent: float
    offset: float = 0.0  # where its segment starts in a 0-100 bar


def level_distribution(obj) -> list[LevelCount]:
    """The five commitment levels with counts and shares, from an object annotated by `with_member_counts`."""
    total = getattr(obj, "member_count", 0) or 0
    levels, offset = [], 0.0
    for level, label in Level.choices:
        count = getattr(obj, LEVEL_FIELDS[level], 0) or 0
        percent = round(100 * count / total, 2) if total else 0.0
        levels.append(
            LevelCount(level=level, label=label, count=count, percent=percent, offset=round(offset, 2))
        )
        offset += percent
    return levels


def with_member_counts(queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Annotate active member count and the count at each commitment level (one subquery each, no joins)."""

    def counted(extra: Q | None = None) -> Coalesce:
        rows = (
            Membership.objects.active()
            .filter(Q(community=OuterRef("pk")) & (extra or Q()))
            .order_by()
            .values("community")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    annotations = {"member_count": counted()}
    for level, field in LEVEL_FIELDS.items():
        annotations[field] = counted(Q(level=level))
    return queryset.annotate(**annotations)


def org_unit_and_descendants(unit_id: int) -> list[int]:
    """The unit and every unit below it (one query; the tree is small)."""
    return org_unit_tree().with_descendants(unit_id)


def browse_communities(
    *,
    viewer: User,
    query: str = "",
    topic: str = "",
    org_unit: int | None = None,
    stage: str = "",
    join_policy: str = "",
    sort: str = "name",
) -> QuerySet[Community]:
    """Communities for the browse page: not archived, searched and filtered, with counts and the viewer's status."""
    since = timezone.now() - timedelta(days=30)
    activity = (
        Participation.objects.filter(community=OuterRef("pk"), at__gte=since)
        .exclude(kind=Participation.Kind.JOINED)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    viewer_membership = Membership.objects.filter(community=OuterRef("pk"), user=viewer)
    communities = (
        with_member_counts(Community.objects.current())
        .annotate(
            recent_activity=Coalesce(Subquery(activity, output_field=IntegerField()), Value(0)),
            viewer_status=Subquery(viewer_membership.values("status")[:1]),
            viewer_level=Subquery(viewer_membership.values("level")[:1]),
            viewer_invited_until=Subquery(viewer_membership.values("invitation_expires_at")[:1]),
            viewer_sees_content=ExpressionWrapper(visible_to_q(viewer), output_field=BooleanField())
            if not viewer.is_staff
            else Value(True),
        )
        .prefetch_related("topics")
    )
    # What only those who see a private community may know (its topics, who belongs, its size and activity)
    # never selects or ranks it for anyone else: a one-person org unit would otherwise reveal a membership.
    sees = Q(viewer_sees_content=True)
    if query:
        topical = Community.topics.through.objects.filter(
            community=OuterRef("pk"), tag__name__icontains=query
        )
        communities = communities.filter(
            Q(name__icontains=query) | Q(domain__icontains=query) | (Q(Exists(topical)) & sees)
        )
    if topic:
        communities = communities.filter(
            Q(Exists(Community.topics.through.objects.filter(community=OuterRef("pk"), tag__slug=topic)))
            & sees
        )
    if org_unit:
        units = org_unit_and_descendants(org_unit)
        in_unit = Membership.objects.active().filter(community=OuterRef("pk"), user__org_unit__in=units)
        communities = communities.filter(Q(Exists(in_unit)) & sees)
    if stage:
        communities = communities.filter(Q(stage=stage) & sees)
    if join_policy:
        communities = communities.filter(join_policy=join_policy)
    if sort in ("active", "largest"):
        communities = communities.annotate(
            seen_member_count=Case(When(sees, then="member_count"), default=Value(0)),
            seen_activity=Case(When(sees, then="recent_activity"), default=Value(0)),
        )
    return communities.order_by(*SORTS.get(sort, SORTS["name"]))


def my_memberships(*, user: User) -> QuerySet[Membership]:
    """The viewer's active memberships and waiting requests or invitations, with each community's counts."""
    return (
        Membership.objects.in_current()
        .filter(
            user=user,
            status__in=[Membership.Status.ACTIVE, Membership.Status.REQUESTED, Membership.Status.INVITED],
        )
        .select_related("community")
        .order_by("status", "community__name")
    )


def browse_filter_choices(*, viewer: User) -> dict:
    """Topics of the communities the viewer may browse (a private one's only for who sees it) and org units, for
    the browse filters (two queries)."""
    browsable = Community.objects.visible_to(viewer).current()
    topics = Tag.objects.filter(
        Exists(Community.topics.through.objects.filter(tag=OuterRef("pk"), community__in=browsable))
    )
    return {
        "topics": list(topics.order_by("name")),
        "org_units": list(OrgUnit.objects.filter(parent__isnull=True).order_by("name"))
        + list(OrgUnit.objects.filter(parent__isnull=False, kind=OrgUnit.Kind.DEPARTMENT).order_by("name")),
    }


@dataclass
class CommunityOverview:
    coordinators: list[Membership]
    core_group: list[Membership]
    sponsors: list[Sponsorship]
    levels: list[LevelCount]
    member_count: int
    org_units: list[dict]


# A core.versions name: bumped by any membership's or sponsorship's save or deletion (communities.apps).
MEMBERSHIPS_VERSION = "memberships"


def seen_communities(viewer: User, *, include_archived: bool = False) -> list[tuple[int, str, str]]:
    """The communities `viewer` may see (`Community.objects.visible_to`), current ones unless `include_archived`,
    as (pk, slug, name) by name: where the library and the site-wide search look, and their community filters.
    Kept for the viewer (`core.fragments.kept`) under the versions of every membership and sponsorship
    (`MEMBERSHIPS_VERSION`) and of every community (`COMMUNITIES_VERSION`), with whether they are staff (who see
    every one)."""
    from communities.search import COMMUNITIES_VERSION

    def read() -> list[tuple[int, str, str]]:
        communities = Community.objects.visible_to(viewer).archived_too(include_archived)
        return list(communities.order_by("name").values_list("pk", "slug", "name"))

    return kept(
        "seen-communities",
        f"{viewer.pk}-{int(viewer.is_staff)}-{int(include_archived)}",
        versions.current(MEMBERSHIPS_VERSION, COMMUNITIES_VERSION),
        read,
    )


def memberships_stamp() -> str:
    """What changes whenever any membership does: the newest id (inserts, bulk ones too), the latest update
    (every save) and the memberships' version (deletions). Two index lookups and a cache read, however many
    memberships there are."""
    stamp = Membership.objects.order_by().aggregate(last_id=Max("pk"), last=Max("updated_at"))
    return f"{stamp['last_id']}:{stamp['last']}:{versions.current(MEMBERSHIPS_VERSION)}"


def content_version_name(community_id: int) -> str:
    """The core.versions name bumped when what a community's home lists changes: the community itself, its
    ledger (a post, an answer, an application, an RSVP record one), and each app's own rows (activities: its
    discussions, activities and dates; repertoire: its resources), registered by the apps that own them."""
    return f"community-content:{community_id}"


def content_version(community: Community) -> str:
    """The version of a community's listed content, with everyone's names (`PEOPLE_VERSION`)."""
    return versions.current(content_version_name(community.pk), PEOPLE_VERSION)


def people_version_name(community_id: int) -> str:
    """The core.versions name bumped when a community's memberships, sponsorships or settings change."""
    return f"community-people:{community_id}"


def people_version(community: Community) -> str:
    """The version of what `community_overview` shows: the community's own changes and anyone's name or org unit."""
    return versions.current(PEOPLE_VERSION, people_version_name(community.pk))


def community_overview(*, community: Community) -> CommunityOverview:
    """What the community home shows about its people: five queries whatever the size of the community."""
    people = (
        community.memberships.schedulers()
        .select_related("user", "user__org_unit")
        .order_by("user__full_name")
    )
    coordinators = [m for m in people if m.role == Membership.Role.COORDINATOR]
    core_group = [m for m in people if m.level == Level.CORE and m.role != Membership.Role.COORDINATOR]
    sponsors = list(community.sponsorships.select_related("sponsor"))
    counted = with_member_counts(Community.objects.filter(pk=community.pk)).get()
    units = list(
        community.memberships.active()
        .filter(user__org_unit__isnull=False)
        .values("user__org_unit__name")
        .annotate(members=Count("pk"))
        .order_by("-members", "user__org_unit__name")[:12]
    )
    return CommunityOverview(
        coordinators=coordinators,
        core_group=core_group,
        sponsors=sponsors,
        levels=level_distribution(counted),
        member_count=counted.member_count,
        org_units=[{"name": u["user__org_unit__name"], "members": u["members"]} for u in units],
    )


def community_members(
    *,
    community: Community,
    level: str = "",
    role: str = "",
    org_unit: int | None = None,
    query: str = "",
    sort: str = "name",
) -> QuerySet[Membership]:
    """Active members of a community, filtered, for the member list and the coordinators' table."""
    members = community.memberships.active().select_related("user", "user__org_unit", "user__profile")
    if level:
        members = members.filter(level=level)
    if role:
        members = members.filter(role=role)
    if org_unit:
        members = members.filter(user__org_unit__in=org_unit_and_descendants(org_unit))
    if query:
        members = members.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    orders = {
        "name": ("user__full_name", "pk"),
        "level": ("level", "user__full_name"),
        "joined": ("-joined_at", "pk"),
        "unit": ("user__org_unit__name", "user__full_name"),
    }
    return members.order_by(*orders.get(sort, orders["name"]))


# What a row of the member list shows (templates/communities/members.html): nothing else is loaded (not the
# person's password or bio). The email makes the initials of someone without a name.
MEMBER_LIST_COLUMNS = (
    "community",
    "level",
    "role",
    "joined_at",
    "user__full_name",
    "user__email",
    "user__org_unit__name",
    "user__profile__job_title",
    "user__profile__in_directory",
)


LEVELS_KEPT = 24 * 3600  # a day: a new version is a new key, so this only bounds what an unused one keeps


def member_list(
    *, community: Community, level: str = "", org_unit: int | None = None, query: str = "", sort: str = "name"
) -> QuerySet[Membership]:
    """The member list's rows: `community_members` loading only the columns a row shows."""
    members = community_members(community=community, level=level, org_unit=org_unit, query=query, sort=sort)
    return members.only(*MEMBER_LIST_COLUMNS)


def level_counts(community: Community, *, version: str | None = None) -> list[LevelCount]:
    """The community's active members at each commitment level (one query, grouped by level), kept in the cache
    under `version` when one is given (`people_version`, which every change of a membership bumps)."""

    def count() -> dict[str, int]:
        return dict(community.memberships.active().order_by().values_list("level").annotate(n=Count("pk")))

    if version is None:
        counts = count()
    else:
        counts = cache.get_or_set(f"community-levels:{community.pk}:{version}", count, LEVELS_KEPT)
    figures = {field: counts.get(level, 0) for level, field in LEVEL_FIELDS.items()}
    return level_distribution(SimpleNamespace(member_count=sum(counts.values()), **figures))


def member_units(community: Community) -> QuerySet[OrgUnit]:
    """The org units the community's active members come from: the choices of the member list's unit filter."""
    in_unit = community.memberships.active().filter(user__org_unit=OuterRef("pk"))
    return OrgUnit.objects.filter(Exists(in_unit)).order_by("name")


def member_unit_choices(community: Community) -> list[tuple[int, str]]:
    """`member_units` as the filter's (pk, name) choices, in one query without making an OrgUnit of each."""
    return list(member_units(community).values_list("pk", "name"))


def pending_requests(*, community: Community) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community=community, status=Membership.Status.REQUESTED)
        .select_related("user", "user__org_unit")
        .order_by("created_at")
    )


def open_invitations(*, community: Community) -> tuple[QuerySet[Membership], QuerySet[EmailInvitation]]:
    """Invitations of existing users and by email that are not answered yet (expired ones included, marked)."""
    members = (
        Membership.objects.filter(community=community, status=Membership.Status.INVITED)
        .select_related("user", "invited_by")
        .order_by("-updated_at")
    )
    return members, waiting_email_invitations(community=community)


def waiting_email_invitations(*, community: Community) -> QuerySet[EmailInvitation]:
    """The community's invitations by email that were not accepted yet (expired ones included): the ones a
    coordinator sees waiting, replaces by inviting the address again, and may withdraw."""
    return EmailInvitation.objects.filter(community=community, accepted_at__isnull=True).select_related(
        "community", "invited_by"
    )


def email_invitations_by_link() -> QuerySet[EmailInvitation]:
    """Invitations by email with what their landing page shows (look one up by its link's `token`)."""
    return EmailInvitation.objects.select_related("community", "invited_by", "accepted_by")


def community_sponsorships(*, community: Community) -> QuerySet[Sponsorship]:
    """A community's sponsors with their agreements, oldest first (the staff's sponsors page)."""
    return community.sponsorships.select_related("sponsor", "sponsor__org_unit", "created_by").order_by(
        "since", "pk"
    )


def pending_invitations_for(*, user: User) -> QuerySet[Membership]:
    """Invitations waiting for this user's answer."""
    return (
        Membership.objects.filter(
            user=user, status=Membership.Status.INVITED, invitation_expires_at__gt=timezone.now()
        )
        .select_related("community", "invited_by")
        .order_by("-updated_at")
    )


def visible_memberships_of(*, person: User, viewer: User) -> QuerySet[Membership]:
    """A person's active memberships in communities the viewer may see (private ones never leak)."""
    return (
        Membership.objects.active()
        .in_current()
        .filter(user=person, community__in=Community.objects.visible_to(viewer))
        .select_related("community")
        .order_by("community__name")
    )


def visible_communities(*, viewer: User) -> QuerySet[Community]:
    """Communities (not archived) whose memberships the viewer may see: for filters such as the directory's."""
    return Community.objects.visible_to(viewer).current().order_by("name")


def directory_members(*, viewer: User, slug: str) -> QuerySet[Membership]:
    """Who the directory finds in the community `slug` (as user ids, for a subquery): its active members, when the
    viewer may see who belongs to it (`Community.objects.visible_to`, not archived), else nobody; so a private
    membership never shows to someone outside. Registered with `members.community_filter` (members sits below)."""
    communities = Community.objects.visible_to(viewer).current().filter(slug=slug)
    return Membership.objects.active().filter(community__in=communities).values("user")


def communities_needing_attention() -> QuerySet[Community]:
    """For staff: communities left without a coordinator that can still get one (an archived community no longer
    changes; it comes back here if it is brought back)."""
    return Community.objects.current().filter(needs_coordinator=True).order_by("name")


SPONSOR_FLAG_TTL = 300


def sponsor_flag_key(user_id: int) -> str:
    return f"communities:sponsors:{user_id}"


def sponsors_anything(user: User) -> bool:
    """Whether `user` sponsors a community (the navigation's Dashboard entry), cached so that pages do not pay a
    query for it; a sponsorship created or ended clears the cache (communities.apps connects that)."""
    if not user.is_authenticated or user.pk is None:
        return False
    if user.is_staff:
        return True
    return cache.get_or_set(
        sponsor_flag_key(user.pk),
        lambda: Sponsorship.objects.filter(sponsor=user).exists(),
        SPONSOR_FLAG_TTL,
    )


def coordinates_anything(user: User) -> bool:
    """Whether `user` coordinates a community now (one query): the coordinators' kinds of mail concern them."""
    return Membership.objects.coordinators().filter(user=user).exists()
