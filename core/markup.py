"""Markdown written by members, rendered to HTML that is safe to show: nh3 removes anything executable.

It lives in members, the lowest app, so every app can render and sanitize what its members write."""

import markdown
import nh3
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


def render_markdown(text: str) -> str:
    """Markdown to sanitized HTML: no script, no event handlers, no javascript: or data: URLs; links get
    rel="nofollow noopener"."""
    html = markdown.markdown(
        text or "",
        extensions=["extra", "sane_lists", _WholeAddresses()],
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
