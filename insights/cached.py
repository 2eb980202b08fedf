"""Insights figures kept in the cache: computed once per change of a community's data and per day, not per request.

Each community has a data version (`core.versions`, named by `version_name`), bumped by every save or delete of
a row its insights read (`watch`, connected when the app starts): the community itself, its memberships and
their history, the participation ledger, activities and their dates, discussions (a reply, an answer, hiding
or deleting one saves its discussion), resources, value stories and snapshots, and a member's name or org unit
(in each of their communities). Bulk writes send no signal: the code that makes them bumps (`snapshots_store`)
or runs in the same transaction as a save that does (recording attendance, scheduling a series).

An entry is keyed by that version, today's date (the windows slide with time: a figure is at most a day behind
the clock, never behind the data), the health checks' settings and the release (`core.fragments.release`: an
upgrade, which may change a figure's definition or the shape of what is kept, computes everything anew). A
reader given an explicit `now` (tests, digests) computes afresh: only the live pages read the cache.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_save, pre_delete

from core import versions
from core.fragments import release
from insights.figures import MemberFigures, member_figures
from insights.health import Check, health_checks
from insights.snapshots import local_today

TIMEOUT = 26 * 3600  # keys hold the date: a day and a bit keeps an entry as long as it can be read
ORG_UNITS_VERSION = "insights-org-units"  # the org units' names (the health page's spread)
# Bumped with every community's version and by sponsorships: the dashboard's communities and their order.
ANY_VERSION = "insights-any-community"


def version_name(community_id: int) -> str:
    """The `core.versions` name of a community's data, as its insights read it."""
    return f"community-insights:{community_id}"


def _names(community_ids: Iterable[int]) -> list[str]:
    """The versions to bump when these communities' data changes: theirs, and the one of any community."""
    names = [version_name(pk) for pk in community_ids]
    return [*names, ANY_VERSION] if names else []


def watch() -> None:
    """Bump a community's version whenever a row its insights read is saved or deleted (at start-up).

    Replies, answers to invitations and applied stories are not watched themselves: every service that writes
    one saves its discussion, date or ledger row in the same transaction (and a receiver reading their parent
    would query it for each row of a cascading delete)."""
    from activities.models import Activity, Discussion, Occurrence
    from communities.models import Community, Membership, MembershipEvent, Participation, Sponsorship
    from insights.models import Snapshot, ValueStory
    from members.models import OrgUnit, User
    from repertoire.models import Resource

    versions.bump_on(
        [
            Membership,
            MembershipEvent,
            Participation,
            Activity,
            Occurrence,
            Discussion,
            Resource,
            ValueStory,
            Snapshot,
        ],
        lambda row: _names([row.community_id]),
        uid="insights.community",
    )
    versions.bump_on([Community], lambda row: _names([row.pk]), uid="insights.community-row")
    versions.bump_on([Sponsorship], lambda row: [ANY_VERSION], uid="insights.sponsorship")  # who sees a card
    post_save.connect(_person_saved, sender=User, weak=False, dispatch_uid="insights.user-saved")
    pre_delete.connect(_person_deleted, sender=User, weak=False, dispatch_uid="insights.user-deleted")
    versions.bump_on([OrgUnit], lambda row: [ORG_UNITS_VERSION], uid="insights.org-unit")


def _communities_of(user) -> list[str]:
    """A person's name and org unit show in the figures of every community they have a membership in, and their
    name beside the value stories they recorded."""
    from communities.models import Membership
    from insights.models import ValueStory

    if user.pk is None:
        return []
    # Without the models' default orderings: SQLite allows no ORDER BY inside a UNION's parts.
    memberships = Membership.objects.filter(user_id=user.pk).order_by().values_list("community_id", flat=True)
    stories = (
        ValueStory.objects.filter(recorded_by_id=user.pk).order_by().values_list("community_id", flat=True)
    )
    return _names(set(memberships.union(stories)))


PERSON_FIELDS = {"full_name", "org_unit"}  # what insights show of a person


def _person_saved(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """A person's name or org unit may have changed: bump their communities (one query). A new person has none
    yet, and a save of other fields (signing in) changes nothing shown."""
    if created or (update_fields is not None and not PERSON_FIELDS & set(update_fields)):
        return
    names = _communities_of(instance)
    if names:
        versions.bump(*names)


def _person_deleted(sender, instance, **kwargs) -> None:
    """Before a person is deleted (their memberships go with them, their stories lose their recorder by an
    update, which sends no signal)."""
    names = _communities_of(instance)
    if names:
        versions.bump(*names)


def bump(community_ids: Iterable[int]) -> None:
    """New versions for these communities (for bulk writes, which send no signal)."""
    names = _names(community_ids)
    if names:
        versions.bump(*names)


def versions_of(community_ids: list[int], *names: str) -> dict[int | str, str]:
    """Each community's data version, and that of each of `names` (one cache round trip; a missing one is made)."""
    if not community_ids and not names:
        return {}
    wanted = [*community_ids, *names]
    # `versions.current` joins the tokens with "-" (tokens are hexadecimal): split them back, one per name.
    tokens = versions.current(*[version_name(pk) for pk in community_ids], *names).split("-")
    return dict(zip(wanted, tokens, strict=True))


def read_with_any(cache_key: str) -> tuple[str, Any]:
    """The version of any community's data and the entry under `cache_key`, in one round trip."""
    any_key = versions.PREFIX + ANY_VERSION
    found = cache.get_many([any_key, cache_key])
    token = found.get(any_key) or versions.current(ANY_VERSION)  # made when missing
    return token, found.get(cache_key)


def settings_digest() -> str:
    """A digest of the health checks' settings: new thresholds make new keys."""
    return hashlib.blake2b(repr(settings.INSIGHTS_HEALTH_CHECKS).encode(), digest_size=6).hexdigest()


def key(name: str, community_id: int, version: str, *parts: Any, today: date | None = None) -> str:
    """The cache key of one community's entry: its name, the community, its data version, the day, the
    settings' digest, the release and whatever else it depends on (`parts`)."""
    day = (today or local_today()).isoformat()
    extra = ":".join(str(part) for part in parts)
    return f"insights:{name}:{community_id}:{version}:{day}:{settings_digest()}:{release()}:{extra}"


def stamp(version: str) -> str:
    """A community's data version with the day, the settings' digest and the release: the version of cached
    fragments that show its figures."""
    return f"{version}:{local_today().isoformat()}:{settings_digest()}:{release()}"


@dataclass(frozen=True)
class Entry:
    """What is kept per community under a name: `compute(ids)` makes it for several communities at once (with
    queries whose number does not depend on how many), `parts(pk)` is what else its key holds, and a kept
    value that is no longer `valid` is made again."""

    name: str
    compute: Callable[[list[int]], dict[int, Any]]
    parts: Callable[[int], tuple] = lambda pk: ()
    valid: Callable[[Any], bool] = lambda value: True


def kept(
    community_ids: list[int], entries: list[Entry], *, versions_by_id: dict | None = None
) -> dict[str, dict[int, Any]]:
    """Each entry of each community (`{name: {pk: value}}`), all read in one round trip; the missing ones (and
    those no longer valid) computed together per entry and stored together."""
    if not community_ids:
        return {entry.name: {} for entry in entries}
    by_id = versions_by_id if versions_by_id is not None else versions_of(community_ids)
    today = local_today()
    keys = {
        (entry.name, pk): key(entry.name, pk, by_id[pk], *entry.parts(pk), today=today)
        for entry in entries
        for pk in community_ids
    }
    found = cache.get_many(list(keys.values()))
    result: dict[str, dict[int, Any]] = {}
    made = {}
    for entry in entries:
        values = result[entry.name] = {}
        for pk in community_ids:
            value = found.get(keys[entry.name, pk])
            if value is not None and entry.valid(value):
                values[pk] = value
        missing = [pk for pk in community_ids if pk not in values]
        if missing:
            computed = entry.compute(missing)
            made |= {keys[entry.name, pk]: computed[pk] for pk in missing}
            values |= computed
    if made:
        cache.set_many(made, TIMEOUT)
    return result


def kept_many(
    name: str, community_ids: list[int], compute, *, versions_by_id=None, **options
) -> dict[int, Any]:
    """Each community's entry `name` (`kept` with one `Entry`)."""
    return kept(community_ids, [Entry(name, compute, **options)], versions_by_id=versions_by_id)[name]


@dataclass(frozen=True)
class Health:
    """A community's member figures and its health checks (in settings order)."""

    figures: MemberFigures
    checks: list[Check]


def live_health(communities: list, *, now=None) -> dict[int, Health]:
    """Member figures and health checks computed now (a fixed number of queries)."""
    figures = member_figures([community.pk for community in communities], now=now)
    checks = health_checks(communities, now=now, members=figures)
    return {community.pk: Health(figures[community.pk], checks[community.pk]) for community in communities}


def health_parts(community) -> tuple:
    """What the health checks read of the community row itself (its save bumps the version too)."""
    return (community.stage, community.needs_coordinator, community.created_at.timestamp())


def health_entry(communities: list) -> Entry:
    """The kept member figures and health checks of these communities (`Health`)."""
    by_pk = {community.pk: community for community in communities}
    return Entry(
        "health", lambda ids: live_health([by_pk[pk] for pk in ids]), lambda pk: health_parts(by_pk[pk])
    )


def community_health(
    communities: list, *, now=None, versions_by_id: dict[int, str] | None = None
) -> dict[int, Health]:
    """Each community's member figures and health checks: from the cache, or computed for those whose data
    changed since (or on another day); afresh for all when `now` is given."""
    if now is not None:
        return live_health(communities, now=now)
    ids = [community.pk for community in communities]
    return kept(ids, [health_entry(communities)], versions_by_id=versions_by_id)["health"]
