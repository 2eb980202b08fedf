"""Versions of data that cached fragments and figures are keyed by (see `core.fragments`).

A version is an opaque token kept in the cache under a name ("people", "community-people:12"); `bump(name)`
replaces it when the data it stands for changes, so every key holding the old token stops being read. A token
missing from the cache (never made, evicted, a fresh cache) is made anew, which can only cause a re-render,
never serve stale HTML: tokens are random, not counters that could come back to an old value.

Apps bump from their models' `post_save`/`post_delete` (`bump_on`), so every write through the ORM counts,
whatever service made it. The bump happens at once (a test's transaction never commits) and again when the
transaction commits (so a page rendered by another request between the write and its commit, which would
have cached the old data under the new token, is not kept). Bulk writes (`bulk_create`, `update()`) send no
signals: code that uses them on these models bumps itself.
"""

from collections.abc import Callable, Iterable
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

PREFIX = "version:"


def _token() -> str:
    return uuid4().hex[:16]


def current(*names: str) -> str:
    """The versions of `names`, joined (one cache round trip), made when missing."""
    keys = [PREFIX + name for name in names]
    found = cache.get_many(keys)
    tokens = []
    for cache_key in keys:
        token = found.get(cache_key)
        if token is None:
            cache.add(cache_key, _token(), None)
            token = cache.get(cache_key) or _token()
        tokens.append(token)
    return "-".join(tokens)


def bump(*names: str) -> None:
    """New versions for `names`, now and again when the current transaction commits."""

    def replace() -> None:
        cache.set_many({PREFIX + name: _token() for name in names}, None)

    replace()
    transaction.on_commit(replace)


def bump_on(models: Iterable[type[Model]], names: Callable[[Model], Iterable[str]], uid: str) -> None:
    """Bump `names(instance)` whenever an instance of `models` is saved or deleted (`uid` names the receiver).
    A save that only records a sign-in (`update_fields={"last_login"}`) changes nothing shown and bumps nothing.
    """

    def receiver(sender, instance, update_fields=None, **kwargs) -> None:
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return
        bump(*names(instance))

    for model in models:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save:{model._meta.label}")
        post_delete.connect(
            receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete:{model._meta.label}"
        )


def bump_on_links(through: type, names: Iterable[str], uid: str) -> None:
    """Bump `names` whenever rows of a many-to-many relation (`through`, e.g. a resource's tags) are added,
    removed or cleared through the ORM (`m2m_changed`: `bump_on` follows saves only)."""
    names = tuple(names)

    def receiver(sender, action, **kwargs) -> None:
        if action in {"post_add", "post_remove", "post_clear"}:
            bump(*names)

    m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"{uid}:links")
