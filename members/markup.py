"""Markdown written by members, rendered to HTML that is safe to show: nh3 removes anything executable.

It lives in members, the lowest app, so every app can render and sanitize what its members write."""

import markdown
import nh3

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


def render_markdown(text: str) -> str:
    """Markdown to sanitized HTML: no script, no event handlers, no javascript: or data: URLs; links get
    rel="nofollow noopener"."""
    html = markdown.markdown(
        text or "",
        extensions=["extra", "sane_lists"],
        # Column alignment as align="…" (allowed below), not style="text-align: …" (which nh3 strips).
        extension_configs={"extra": {"tables": {"use_align_attribute": True}}},
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
