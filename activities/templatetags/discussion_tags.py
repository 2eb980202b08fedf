"""Discussions on pages of other apps, and how a post's text is shown.

`{% load discussion_tags %}`, then:
- `{{ post.body|post_html }}`: the markdown rendered and sanitized (core.markup), with @mentions in the text
  turned into links to the person (`members:by_handle`), without a database query;
- `{% latest_discussions community %}`: a community's latest five discussions with their reply counts (its home);
- `{% recent_activity user %}`: new discussions and replies in my communities (the site's home);
- `{% if access|may_edit_post:post %}`, `access|may_delete_post:post`: the rules of
  `activities.discussions.rules`, asked by a thread for each post.
"""

import re

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from activities.discussions import rules, selectors
from activities.discussions.services import MENTION_PATTERN
from communities.access import access_for
from communities.models import Community
from core.markup import render_markdown
from core.viewer_zone import viewer_zone

register = template.Library()

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


@register.filter
def post_html(text: str) -> SafeString:
    """A post's markdown as safe HTML with its @mentions linked."""
    return mark_safe(link_mentions(render_markdown(text)))  # noqa: S308 - nh3-sanitized; only our links added


@register.inclusion_tag("activities/discussions/_latest.html", takes_context=True)
def latest_discussions(context, community: Community) -> dict:
    """The latest five discussions of a community with their reply counts, and a way to start one."""
    request = context["request"]
    access = context.get("access")
    if access is None or access.community.pk != community.pk:
        access = access_for(request.user, community)
    return {
        "request": request,
        "community": community,
        "discussions": selectors.latest_for_community(community=community),
        "can_start": rules.may_post(access),
        "zone": viewer_zone(request.user),
    }


@register.inclusion_tag("activities/discussions/_recent_activity.html", takes_context=True)
def recent_activity(context, user) -> dict:
    """New discussions and replies in my communities, newest first (two queries)."""
    return {
        "request": context["request"],
        "items": selectors.recent_activity_for(user=user),
        "zone": viewer_zone(user),
    }


register.filter("may_edit_post", rules.may_edit_post)
register.filter("may_delete_post", rules.may_delete_post)
