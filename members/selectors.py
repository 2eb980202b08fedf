"""Reads for members: the directory, profiles, the org-unit tree, people suggestions and notification choices."""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Window

from core import fragments, versions
from members import community_filter
from members.models import NotificationPreference, OrgUnit, Tag, User
from members.notifications import MAIL_KINDS

# A core.versions name, bumped when a person, their profile or an org unit changes (members.apps): the version
# of fragments that show people's names, initials and org units.
PEOPLE_VERSION = "people"


@dataclass
class OrgUnitTree:
    """Every org unit, loaded once: choices in tree order, and a unit with all the units below it."""

    units: list[tuple[int, str, int | None]]
    _children: dict[int | None, list[tuple[int, str]]] = field(init=False, repr=False)
    _choices: tuple[tuple[int, str], ...] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._children = {}
        for pk, name, parent in self.units:
            self._children.setdefault(parent, []).append((pk, name))

    @cached_property
    def version(self) -> str:
        """A digest of every unit's id, name and parent: what fragments showing the tree's choices are keyed by."""
        return fragments.digest(self.units)

    def choices(self) -> list[tuple[int, str]]:
        """(pk, label) in tree order, each labelled with its path ("Engineering / Platform / Cloud"), so that two
        teams of the same name stay apart and the hierarchy is read out, not only shown by indentation.
        Worked out once per tree (`org_unit_tree` keeps the trees it made)."""
        if self._choices is None:
            self._choices = tuple(self._ordered())
        return list(self._choices)

    def _ordered(self) -> list[tuple[int, str]]:
        ordered: list[tuple[int, str]] = []

        def walk(parent: int | None, path: str) -> None:
            for pk, name in sorted(self._children.get(parent, []), key=lambda unit: unit[1].lower()):
                label = f"{path} / {name}" if path else name
                ordered.append((pk, label))
                walk(pk, label)

        walk(None, "")
        return ordered

    def choice(self, value: str | None) -> tuple[int, str] | None:
        """The choice (pk, label) whose value is written `value` ("12"), or None when no unit's is."""
        if not (value and value.isascii() and value.isdigit()):
            return None
        label = self._labels.get(int(value))
        return (int(value), label) if label is not None and str(int(value)) == value else None

    @cached_property
    def _labels(self) -> dict[int, str]:
        return dict(self.choices())

    def with_descendants(self, unit_id: int) -> list[int]:
        """The unit and every unit below it."""
        found, stack = [], [unit_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(pk for pk, _ in self._children.get(current, []))
        return found


def org_unit_tree(version: str | None = None) -> OrgUnitTree:
    """The org-unit tree in one query (the tree is small next to the people in it). The same units give the same
    tree, kept in the process: its choices (a thousand units at a large organization) are worked out once.

    Given the people version (`versions.current(PEOPLE_VERSION)`, bumped by every save or deletion of an org
    unit), the tree made under that version is kept in the process and read without a query while it holds."""
    if version is None:
        return _tree_of(_units())
    return _tree_at(version)


def _units() -> tuple[tuple[int, str, int | None], ...]:
    return tuple(OrgUnit.objects.order_by("name", "pk").values_list("pk", "name", "parent_id"))


@lru_cache(maxsize=4)
def _tree_at(version: str) -> OrgUnitTree:
    return _tree_of(_units())


@lru_cache(maxsize=8)
def _tree_of(units: tuple[tuple[int, str, int | None], ...]) -> OrgUnitTree:
    return OrgUnitTree(units=list(units))


# What a directory card shows (members/_directory_card.html): nothing else is loaded (not the bio, nor the
# password); the person's email makes their initials when they have no name.
DIRECTORY_CARD_COLUMNS = ("full_name", "email", "org_unit__name", "profile__job_title")


def directory_people(
    *,
    viewer: User,
    query: str = "",
    org_units: list[int] | None = None,
    community: str = "",
) -> QuerySet[User]:
    """Active people who appear in the directory, matched by name, job title or expertise, optionally in some
    org units and in a community. Who belongs to a community is answered by communities
    (`members.community_filter`): a community the viewer may not see gives nobody, so private memberships never
    leak."""
    people = (
        User.objects.filter(is_active=True, profile__in_directory=True)
        .select_related("org_unit", "profile")
        .only(*DIRECTORY_CARD_COLUMNS)
        .order_by("full_name", "pk")
    )
    people = with_expertise_names(people)
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
        members = community_filter.members_of(viewer=viewer, slug=community)
        people = people.filter(pk__in=members) if members is not None else people.none()
    return people


def with_expertise_names(people: QuerySet[User]) -> QuerySet[User]:
    """People with the names of their expertise, by name, as `expertise_names`: on PostgreSQL an array the
    people's own query fills (no query more); elsewhere the expertise is prefetched (`expertise_names_of`)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        names = Tag.objects.filter(experts=OuterRef("profile")).order_by("name").values("name")
        return people.annotate(expertise_names=ArraySubquery(names))
    return people.prefetch_related("profile__expertise")


def expertise_names_of(person: User) -> list[str]:
    """The names of a person of `with_expertise_names`' expertise, by name (whichever way they were read)."""
    names = getattr(person, "expertise_names", None)
    if names is None:
        names = person.expertise_names = [tag.name for tag in person.profile.expertise.all()]
    return names


def counted_page(rows: QuerySet, number, per_page: int) -> Page:
    """`Paginator(rows, per_page).get_page(number)` in one query instead of two: the page's rows carry the count
    of all the rows (a window over them, `total`). A page past the end asks Paginator, which counts first and
    gives the last page, as `get_page` does."""
    paginator = Paginator(rows, per_page)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1  # as get_page: a page that is not a number is the first
    if wanted >= 1:
        start = (wanted - 1) * per_page
        found = list(rows.annotate(total=Window(Count("pk")))[start : start + per_page])
        if found or wanted == 1:
            paginator.count = found[0].total if found else 0
            return Page(found, wanted, paginator)
    return paginator.get_page(number)


PAGES_KEPT = 24 * 3600  # a day: a new version is a new key, so this only bounds what an unused one keeps


def kept_page(rows: QuerySet, number, per_page: int, *, key: str | None, keep_rows: bool = False) -> Page:
    """`counted_page`, keeping the page's ids and the count in the cache under `key` (which must hold the version
    of everything that decides which rows there are and their order) when one is given: seen again, the page
    reads its rows by id instead of ordering them all. `keep_rows` keeps the rows themselves (with what they
    carry: related rows, annotations), and the page reads nothing: `key` must then hold the version of all they
    show too. A page past the end or malformed is not kept. The cache key holds the release
    (`core.fragments.key`)."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    if key is None or wanted < 1:
        return counted_page(rows, number, per_page)
    page_key = fragments.key("kept-page", f"{key}:{per_page}:{wanted}:{int(keep_rows)}", "")
    kept = cache.get(page_key)
    if kept is None:
        page = counted_page(rows, wanted, per_page)
        if page.number == wanted:
            page.object_list = list(page.object_list)
            found = page.object_list if keep_rows else [row.pk for row in page.object_list]
            cache.set(page_key, (found, page.paginator.count), PAGES_KEPT)
        return page
    found, count = kept
    if not keep_rows:
        by_id = rows.filter(pk__in=found).in_bulk()
        found = [by_id[pk] for pk in found if pk in by_id]
    paginator = Paginator(rows, per_page)
    paginator.count = count
    return Page(found, wanted, paginator)


def directory_page(
    people: QuerySet[User], number, per_page: int, *, everyone: bool, version: str | None = None
) -> Page:
    """A page of `directory_people` (`kept_page`). The whole directory's pages (`everyone`: no search nor filter,
    the same for every viewer) keep their people's ids and the count in the cache under the people version
    (`core.versions`, bumped by every save of a person, a profile or an org unit: who is listed and their names,
    hence the order), so a page seen again reads its twenty people by id instead of ordering everyone by name;
    their cards follow what they show even when it was written without a signal. `version` is the people
    version when the caller has it already."""
    key = f"directory-page:{version or versions.current(PEOPLE_VERSION)}" if everyone else None
    return kept_page(people, number, per_page, key=key)


def person_for_profile(*, pk: int, include_inactive: bool = False) -> User | None:
    """One person (active, unless asked otherwise: staff see people who left) with what their profile shows."""
    people = User.objects.all() if include_inactive else User.objects.filter(is_active=True)
    return (
        people.filter(pk=pk)
        .select_related("org_unit", "profile", "reports_to__profile")
        .prefetch_related("profile__expertise")
        .first()
    )


def anyone(*, pk: int) -> User | None:
    """One person by id, whether active or not (an unsubscribe link still names someone who left; staff act on
    people who left)."""
    return User.objects.filter(pk=pk).first()


def people_with_handle(*, handle: str) -> list[tuple[int, bool]]:
    """(pk, listed in the directory) of up to two active people whose address starts with `<handle>@`: where an
    @mention leads depends on whether exactly one person has it."""
    return list(
        User.objects.filter(is_active=True, email__istartswith=f"{handle}@").values_list(
            "pk", "profile__in_directory"
        )[:2]
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
