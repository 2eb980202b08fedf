"""Reads for members: the directory, profiles, the org-unit tree, people suggestions and notification choices."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from members.models import NotificationPreference, OrgUnit, User
from members.notifications import MAIL_KINDS

# Membership status as stored by communities.Membership; members may not import that app, so the value is
# spelled here and the relations are reached through their reverse names (`memberships`, `sponsorships`).
ACTIVE_MEMBERSHIP = "active"
LISTED_COMMUNITY = "listed"


@dataclass
class OrgUnitTree:
    """Every org unit, loaded once: choices in tree order, and a unit with all the units below it."""

    units: list[tuple[int, str, int | None]]
    _children: dict[int | None, list[tuple[int, str]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._children = {}
        for pk, name, parent in self.units:
            self._children.setdefault(parent, []).append((pk, name))

    def choices(self) -> list[tuple[int, str]]:
        """(pk, label) in tree order, each labelled with its path ("Engineering / Platform / Cloud"), so that two
        teams of the same name stay apart and the hierarchy is read out, not only shown by indentation."""
        ordered: list[tuple[int, str]] = []

        def walk(parent: int | None, path: str) -> None:
            for pk, name in sorted(self._children.get(parent, []), key=lambda unit: unit[1].lower()):
                label = f"{path} / {name}" if path else name
                ordered.append((pk, label))
                walk(pk, label)

        walk(None, "")
        return ordered

    def with_descendants(self, unit_id: int) -> list[int]:
        """The unit and every unit below it."""
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(pk for pk, _ in self._children.get(current, []))
        return found


def org_unit_tree() -> OrgUnitTree:
    """The org-unit tree in one query (the tree is small next to the people in it)."""
    return OrgUnitTree(units=list(OrgUnit.objects.values_list("pk", "name", "parent_id")))


def community_visible_to(*, viewer: User, slug: str) -> bool:
    """Whether `viewer` may see who belongs to the community `slug` (not archived): a listed one, or a private one
    they are an active member of or sponsor; staff see every one.

    Answered through the reverse relations of User so that members never imports communities. A listed
    community nobody ever joined answers False, which changes nothing: it has no members to show.
    """
    in_community = Q(memberships__community__slug=slug, memberships__community__archived_at__isnull=True)
    if viewer.is_staff:
        return User.objects.filter(in_community).exists()
    as_member = Q(pk=viewer.pk, memberships__status=ACTIVE_MEMBERSHIP)
    as_sponsor = Q(
        pk=viewer.pk,
        sponsorships__community__slug=slug,
        sponsorships__community__archived_at__isnull=True,
    )
    listed = Q(memberships__community__visibility=LISTED_COMMUNITY)
    return User.objects.filter((in_community & (listed | as_member)) | as_sponsor).exists()


def directory_people(
    *,
    viewer: User,
    query: str = "",
    org_units: list[int] | None = None,
    community: str = "",
) -> QuerySet[User]:
    """Active people who appear in the directory, matched by name, job title or expertise, optionally in some
    org units and in a community. A community the viewer may not see gives nobody, so private memberships
    never leak."""
    people = (
        User.objects.filter(is_active=True, profile__in_directory=True)
        .select_related("org_unit", "profile")
        .prefetch_related("profile__expertise")
        .order_by("full_name", "pk")
    )
    if query:
        matching_expertise = User.objects.filter(profile__expertise__name__icontains=query).values("pk")
        people = people.filter(
            Q(full_name__icontains=query)
            | Q(profile__job_title__icontains=query)
            | Q(pk__in=matching_expertise)
        )
    if org_units:
        people = people.filter(org_unit__in=org_units)
    if community:
        if not community_visible_to(viewer=viewer, slug=community):
            return people.none()
        members = User.objects.filter(
            memberships__community__slug=community, memberships__status=ACTIVE_MEMBERSHIP
        ).values("pk")
        people = people.filter(pk__in=members)
    return people


def person_for_profile(*, pk: int, include_inactive: bool = False) -> User | None:
    """One person (active, unless asked otherwise: staff see people who left) with what their profile shows."""
    people = User.objects.all() if include_inactive else User.objects.filter(is_active=True)
    return (
        people.filter(pk=pk)
        .select_related("org_unit", "profile")
        .prefetch_related("profile__expertise")
        .first()
    )


def people_suggestions(*, fragment: str, exclude_emails: list[str] = (), limit: int = 10) -> list[User]:
    """Up to `limit` active people in the directory whose name or address contains `fragment`, by name."""
    return list(
        User.objects.filter(is_active=True, profile__in_directory=True)
        .filter(Q(full_name__icontains=fragment) | Q(email__icontains=fragment))
        .exclude(email__in=exclude_emails)
        .select_related("profile")
        .order_by("full_name", "pk")[:limit]
    )


def notification_choices(*, user: User) -> dict[str, str]:
    """The member's frequency for every registered kind of mail: their choice, or the kind's default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {
        key: chosen[key] if chosen.get(key) in kind.allowed else kind.default
        for key, kind in MAIL_KINDS.items()
    }
