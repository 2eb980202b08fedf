"""Markdown written by members, rendered to HTML that is safe to show: nh3 removes anything executable.

Rendered once, when it is written: each app registers the fields it renders (`register_rendered`: a model, its
markdown field, the field that keeps the HTML, and how to render it), the HTML is computed whenever the source
is saved, and pages show the stored HTML (`html_of`). `manage.py render_markup` renders every stored row again
after the renderer or the sanitizer changed. It lives in core, below every app, so every app renders and
sanitizes what its members write the same way."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import markdown
import nh3
from django.db.models.signals import pre_save
from markdown.extensions import Extension
from markdown.inlinepatterns import IMAGE_LINK_RE, LINK_RE, ImageInlineProcessor, LinkInlineProcessor

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


class _WholeAddress:
    """An inline link's address as CommonMark reads it: written without spaces, it runs to the parenthesis that
    balances the opening one, quotes included. Python-Markdown alone takes a quote for the start of a title and
    cuts `[x](javascript:alert("XSS"))` into a link and a stray ")" left as text after it once the sanitizer
    removed the address. An address in <…> or followed by a title (after a space) is read as before."""

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        depth = 0
        for position in range(index, len(data)):
            char = data[position]
            if char.isspace() or (char == "<" and position == index + 1):
                break
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return self.unescape(data[index + 1 : position]).strip(), None, position + 1, True
        return super().getLink(data, index)


class _Link(_WholeAddress, LinkInlineProcessor):
    pass


class _Image(_WholeAddress, ImageInlineProcessor):
    pass


class _WholeAddresses(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(_Link(LINK_RE, md), "link", 160)
        md.inlinePatterns.register(_Image(IMAGE_LINK_RE, md), "image_link", 150)


_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread, reset between texts (building one with its extensions costs more than
    converting a post)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(
            extensions=["extra", "sane_lists", _WholeAddresses()],
            # Column alignment as align="…" (allowed below), not style="text-align: …" (which nh3 strips).
            extension_configs={"extra": {"tables": {"use_align_attribute": True}}},
            output_format="html",
        )
    return converter.reset()


def render_markdown(text: str) -> str:
    """Markdown to sanitized HTML: no script, no event handlers, no javascript: or data: URLs; links get
    rel="nofollow noopener"."""
    html = _converter().convert(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


# --- Rendered once, when written ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A markdown field of a model and the field keeping its HTML."""

    model: type
    source: str
    target: str
    render: Callable[[str], str]

    def html(self, text: str) -> str:
        return self.render(text) if text and text.strip() else ""


RENDERED: dict[tuple[type, str], Rendered] = {}


def register_rendered(model: type, source: str, target: str, render: Callable[[str], str] = render_markdown):
    """Keep `model.<target>` the rendered HTML of `model.<source>`: computed on every save that writes the source
    (bulk inserts and `update()` bypass it: they set the target themselves, or run `render_markup`)."""
    entry = Rendered(model, source, target, render)
    RENDERED[(model, source)] = entry

    def render_on_save(sender, instance, update_fields=None, **kwargs) -> None:
        if update_fields is not None and source not in update_fields:
            return
        if update_fields is not None and target not in update_fields:
            raise ValueError(f"save(update_fields=...) writes {source} without {target}: list both")
        setattr(instance, target, entry.html(getattr(instance, source)))

    pre_save.connect(
        render_on_save, sender=model, weak=False, dispatch_uid=f"render-{model._meta.label}-{source}"
    )


def html_of(obj, source: str) -> str:
    """The stored HTML of `obj.<source>`, or, for a row written before it was kept (until `render_markup` ran),
    the HTML rendered now."""
    entry = RENDERED.get((type(obj), source))
    if entry is None:
        return render_markdown(getattr(obj, source))
    stored = getattr(obj, entry.target)
    text = getattr(obj, source)
    if stored or not (text and text.strip()):
        return stored
    return entry.html(text)
