"""How a post's text becomes HTML: the markdown rendered and sanitized (core.markup), then every @mention in its
text turned into a link to the person, once, when the post is written (registered in `activities.apps`)."""

import re

from django.urls import reverse
from django.utils.html import format_html

from activities.discussions.services import MENTION_PATTERN
from core.markup import render_markdown

# A tag of sanitized HTML, attribute values quoted (nh3 writes them with double quotes and escapes < > inside).
TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9]+)")
# Text inside these is left as written: a mention inside a link would nest links, inside code it is code.
NO_MENTIONS_INSIDE = {"a", "code", "pre"}


def _link_mentions(text: str) -> str:
    """Mentions in one text node (already HTML-escaped) become links; handles contain no markup characters."""

    def link(match: re.Match) -> str:
        handle = match.group(1)
        return format_html(
            '<a class="mention" href="{}">@{}</a>', reverse("members:by_handle", args=[handle]), handle
        )

    return MENTION_PATTERN.sub(link, text)


def link_mentions(html: str) -> str:
    """Turn @handle in the text nodes of sanitized HTML into links; tags, attributes, links and code are left
    alone, so a mention can never end up inside an attribute or another link."""
    if "@" not in html:
        return html
    parts, depth, position = [], 0, 0
    for match in TAG.finditer(html):
        text = html[position : match.start()]
        parts.append(_link_mentions(text) if depth == 0 and text else text)
        tag = match.group(0)
        name = TAG_NAME.match(tag)
        if name and name.group(1).lower() in NO_MENTIONS_INSIDE and not tag.endswith("/>"):
            depth += -1 if tag.startswith("</") else 1
            depth = max(depth, 0)
        parts.append(tag)
        position = match.end()
    tail = html[position:]
    parts.append(_link_mentions(tail) if depth == 0 and tail else tail)
    return "".join(parts)


def render_post(text: str) -> str:
    """A post's markdown as sanitized HTML with its @mentions linked."""
    return link_mentions(render_markdown(text))
