"""Fragment caching: HTML that is the same for everyone who sees it, kept in the cache under its row's version.

Whole pages are never cached (they hold per-viewer parts: buttons, the CSRF token, the navigation); fragments
are, when they depend only on the row they show. A fragment's key holds:

- its name (the template's purpose, e.g. "directory-card") and the row's key (usually its pk);
- the row's version: whatever changes when the fragment's content would (an `updated_at`, a counter, the
  data's last change); a new version is a new key, so nothing needs deleting and stale entries expire;
- the active language, always, and the viewer's time zone when the fragment shows times (`zoned=True`);
- the release (`release()`: a fingerprint of the code and templates), so an upgrade renders everything anew.

`many()` reads all the rows' fragments of a page in one round trip and renders only the missing ones; `one()`
is the same for a single fragment, and `{% fragment %}` (`{% load fragments %}`) wraps part of a template in it.
Versions of data that has no timestamp to key by come from `core.versions`. Both work on every cache backend (Redis in production, the in-process cache
of `make run`); the tests start with an empty cache.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

# Folders whose files do not make fragments (see `release`).
SKIPPED = {"node_modules", "var", "tests", "static", "docs", "benchmarks", "tools", "media"}
TIMEOUT = 24 * 3600  # a day: versions change the key, so this only bounds what an unused row keeps


def digest(value: Any) -> str:
    """A short fingerprint of `value` (its repr): a version made of what a fragment shows, where no single
    timestamp changes with all of it."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def release() -> str:
    """A fingerprint of this release's code, templates and installed packages, part of every key: after an
    upgrade no fragment rendered by the former code, or by a former Markdown renderer or sanitizer (whose output
    `manage.py render_markup` writes anew without a signal), is read (they expire). Made once per process."""
    fingerprint = hashlib.blake2b(digest_size=8)
    root = Path(settings.BASE_DIR)
    folders = [
        folder
        for folder in root.iterdir()
        if folder.is_dir() and folder.name not in SKIPPED and not folder.name.startswith(".")
    ]
    for path in sorted(path for folder in folders for path in folder.rglob("*")):
        if path.suffix in {".py", ".html"} and path.is_file():
            fingerprint.update(str(path.relative_to(root)).encode())
            fingerprint.update(path.read_bytes())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions())
    fingerprint.update("\n".join(packages).encode())
    return fingerprint.hexdigest()


def _context(zoned: bool) -> str:
    """What every key of the request holds besides its row: the language, the release and (`zoned`) the zone."""
    parts = [translation.get_language() or "", release()]
    if zoned:
        parts.append(timezone.get_current_timezone_name())
    return ":".join(parts)


def key(name: str, row_key: Any, version: Any, *, zoned: bool = False, context: str | None = None) -> str:
    """The cache key of one fragment (see the module's docstring); `context` is `_context(zoned)`, made once for
    many keys."""
    parts = [name, str(row_key), str(version), _context(zoned) if context is None else context]
    return "frag:" + ":".join(part.replace(" ", "_") for part in parts)


def many(
    name: str,
    rows: Sequence,
    *,
    render: Callable[[Any], str],
    version: Callable[[Any], Any],
    row_key: Callable[[Any], Any] = lambda row: row.pk,
    zoned: bool = False,
) -> list[SafeString]:
    """Each row's fragment, in the rows' order: read together, the missing ones rendered by `render(row)`
    (which must return HTML that is safe to show) and stored together."""
    context = _context(zoned)
    keys = [key(name, row_key(row), version(row), context=context) for row in rows]
    found = cache.get_many(keys) if keys else {}
    missing = {}
    html = []
    for row, row_cache_key in zip(rows, keys, strict=True):
        text = found.get(row_cache_key)
        if text is None:
            text = missing[row_cache_key] = str(render(row))
        html.append(mark_safe(text))  # noqa: S308 - rendered by `render`, which returns safe HTML
    if missing:
        cache.set_many(missing, TIMEOUT)
    return html


def one(
    name: str, row_key: Any, version: Any, render: Callable[[], str], *, zoned: bool = False
) -> SafeString:
    """One fragment: from the cache, or rendered by `render()` and stored."""
    fragment_key = key(name, row_key, version, zoned=zoned)
    text = cache.get(fragment_key)
    if text is None:
        text = str(render())
        cache.set(fragment_key, text, TIMEOUT)
    return mark_safe(text)  # noqa: S308 - rendered by `render`, which returns safe HTML


def kept(name: str, row_key: Any, version: Any, compute: Callable[[], Any], *, zoned: bool = False) -> Any:
    """`one()` for data rather than HTML: `compute()`'s value (picklable: rows, ids, figures), kept under the same
    kind of key."""
    value_key = key(f"value-{name}", row_key, version, zoned=zoned)
    value = cache.get(value_key)
    if value is None:
        value = compute()
        cache.set(value_key, value, TIMEOUT)
    return value


def keyed(rows: Iterable, fragments: Iterable[SafeString], attribute: str = "fragment") -> None:
    """Hang each fragment on its row (`row.fragment`), for templates that loop over the rows."""
    for row, fragment in zip(rows, fragments, strict=True):
        setattr(row, attribute, fragment)


# --- Made of their facts, kept in the process ----------------------------------------------------------------

# Stands for the viewer's CSRF token in a kept fragment (random per process, so no text can hold it on purpose).
CSRF_MARK = f"csrf{secrets.token_hex(16)}"


class Facts:
    """Fragments that are a pure function of a few facts (the navigation bar: the viewer's name, which section is
    open, whether they see the dashboard), kept in this process: the template, given nothing but the facts (no
    request, no context processors), renders once per distinct set of facts and language; the same facts again
    cost a dictionary lookup. Nothing goes stale: every value the fragment shows is part of its key. The viewer's
    CSRF token is put in afterwards (`CSRF_MARK`)."""

    def __init__(self, template_name: str, maxsize: int = 4096):
        self.template_name = template_name
        self._rendered = lru_cache(maxsize=maxsize)(self._render)

    def _render(self, facts: tuple, language: str | None) -> str:
        return get_template(self.template_name).render({**dict(facts), "csrf_token": CSRF_MARK})

    def __call__(self, csrf_token: str, **facts) -> SafeString:
        """The fragment for `facts` (hashable values: text, numbers, booleans, tuples) with `csrf_token` in it."""
        html = self._rendered(tuple(sorted(facts.items())), translation.get_language())
        return mark_safe(html.replace(CSRF_MARK, str(csrf_token)))  # noqa: S308 - the template's HTML


# --- The template tag: {% load fragments %} -------------------------------------------------------------------

register = template.Library()


@register.tag("fragment")
def do_fragment(parser, token):
    """`{% fragment name row_key version [zoned] %}…{% endfragment %}`: the enclosed HTML through `one()`.

    Everything inside must be the same for everyone the version stands for: per-viewer parts (buttons, the CSRF
    token, rights-dependent links) stay outside, or the version names the class of viewer they depend on."""
    bits = token.split_contents()
    tag, arguments = bits[0], bits[1:]
    zoned = bool(arguments) and arguments[-1] == "zoned"
    if zoned:
        arguments.pop()
    if len(arguments) != 3:
        raise template.TemplateSyntaxError(f"{{% {tag} name row_key version [zoned] %}}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, *(parser.compile_filter(argument) for argument in arguments), zoned=zoned)


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, row_key, version, *, zoned: bool):
        self.nodelist, self.name, self.row_key, self.version, self.zoned = (
            nodelist,
            name,
            row_key,
            version,
            zoned,
        )

    def render(self, context) -> str:
        return one(
            self.name.resolve(context),
            self.row_key.resolve(context),
            self.version.resolve(context),
            lambda: self.nodelist.render(context),
            zoned=self.zoned,
        )
