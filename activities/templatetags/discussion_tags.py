"""Discussions on pages of other apps, and how a post's text is shown.

`{% load discussion_tags %}`, then:
- `{{ post|post_body }}`: the body's HTML, rendered and sanitized when written (`activities.discussions.markup`),
  with @mentions in the text turned into links to the person (`members:by_handle`); `{{ text|post_html }}`
  renders a text now (the preview);
- `thread_urls(slug, pk)` once per thread, then `post_url(urls, "edit", post, is_reply)` per post (functions the
  thread view calls as it makes each post's row): the addresses of a post's actions without reversing them for
  every post;
- `{% latest_discussions community %}`: a community's latest five discussions with their reply counts (its home);
- `{% recent_activity user %}`: new discussions and replies in my communities (the site's home).
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from activities.discussions import rules, selectors
from activities.discussions.markup import render_post
from communities.access import access_for
from communities.models import Community
from core.markup import html_of

register = template.Library()


# Stands in for a reply's id in the addresses a thread builds once (`thread_urls`).
REPLY_MARK = "987654321"
POST_ACTIONS = ("edit", "delete", "hide", "unhide", "report")


def thread_urls(slug: str, pk: int) -> dict[str, str | tuple[str, str]]:
    """The addresses of a thread's post actions, reversed once per page rather than once per post and action:
    the discussion's own, and each reply's as the parts around its id (reversed with `REPLY_MARK` in the id's
    place and split at its last occurrence, so a slug holding the same digits is left alone; `post_url` puts the
    id between)."""
    urls: dict[str, str | tuple[str, str]] = {
        f"discussion_{a}": reverse(f"activities:discussion_{a}", args=[slug, pk]) for a in POST_ACTIONS
    }
    for action in POST_ACTIONS:
        head, _, tail = reverse(f"activities:reply_{action}", args=[slug, pk, REPLY_MARK]).rpartition(
            REPLY_MARK
        )
        urls[f"reply_{action}"] = (head, tail)
    urls["accept"] = reverse("activities:discussion_accept", args=[slug, pk])
    return urls


def post_url(urls: dict[str, str | tuple[str, str]], action: str, post, is_reply: bool) -> str:
    """Where `action` on this post goes, from the thread's `thread_urls`."""
    if is_reply:
        head, tail = urls[f"reply_{action}"]
        return f"{head}{post.pk}{tail}"
    return urls[f"discussion_{action}"]


@register.filter
def post_body(post) -> SafeString:
    """A post's body as safe HTML with its @mentions linked, as kept when it was written."""
    return mark_safe(html_of(post, "body"))  # noqa: S308 - nh3-sanitized; only our links added


@register.filter
def post_html(text: str) -> SafeString:
    """Markdown a person is writing as a post would show it (the preview), rendered now."""
    return mark_safe(render_post(text))  # noqa: S308 - nh3-sanitized; only our links added


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
        "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
    }


@register.inclusion_tag("activities/discussions/_recent_activity.html", takes_context=True)
def recent_activity(context, user) -> dict:
    """New discussions and replies in my communities, newest first (two queries)."""
    return {
        "request": context["request"],
        "items": selectors.recent_activity_for(user=user),
        "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
    }
