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

import functools

from django import template
from django.template.loader import render_to_string
from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from activities.discussions import rules, selectors
from activities.discussions.markup import render_post
from communities.access import access_for
from communities.models import Community
from communities.selectors import content_version
from core import fragments
from core.markup import html_of
from core.moments import this_minute

register = template.Library()


# Stand in for a community's slug, a discussion's id and a reply's id in the addresses reversed once (`_shapes`).
SLUG_MARK, PK_MARK, REPLY_MARK = "987654323", "987654322", "987654321"
POST_ACTIONS = ("edit", "delete", "hide", "unhide", "report")
# A thread's other addresses (`thread_urls`): by the slug and the discussion's id, and by the slug alone.
THREAD_PAGES = {"reply": "activities:discussion_reply", "follow": "activities:discussion_follow"}
COMMUNITY_PAGES = {"discussions": "activities:discussions", "community": "communities:home"}


@functools.lru_cache(maxsize=8)
def _shapes(prefix: str, resolver: URLResolver) -> dict[str, str | tuple[str, str]]:
    """The addresses `thread_urls` gives, as `str.format` patterns with `{slug}` and `{pk}` (a reply's cut in two
    around its id): reversed once per script prefix and URL resolver (a new one when the URL configuration
    changes) with the marks in place of the values, whose digits no fixed part of an address holds. A slug is
    letters, digits, "-" and "_", which reversing leaves as they are: a filled pattern is the reversed address."""

    def shape(name: str, *args: str) -> str:
        address = reverse(name, args=args).replace("{", "{{").replace("}", "}}")
        return address.replace(SLUG_MARK, "{slug}").replace(PK_MARK, "{pk}")

    shapes: dict[str, str | tuple[str, str]] = {}
    for action in POST_ACTIONS:
        shapes[f"discussion_{action}"] = shape(f"activities:discussion_{action}", SLUG_MARK, PK_MARK)
        head, tail = shape(f"activities:reply_{action}", SLUG_MARK, PK_MARK, REPLY_MARK).split(REPLY_MARK)
        shapes[f"reply_{action}"] = (head, tail)
    shapes["accept"] = shape("activities:discussion_accept", SLUG_MARK, PK_MARK)
    shapes |= {key: shape(name, SLUG_MARK, PK_MARK) for key, name in THREAD_PAGES.items()}
    shapes |= {key: shape(name, SLUG_MARK) for key, name in COMMUNITY_PAGES.items()}
    return shapes


def thread_urls(slug: str, pk: int) -> dict[str, str | tuple[str, str]]:
    """The addresses a thread's page links to, made once per page rather than once per post and action, from
    patterns reversed once (`_shapes`): each post action's on the discussion, and on a reply as the parts around
    its id (`post_url` puts the id between); accepting an answer, replying and following; the community's
    discussions and the community itself."""
    urls: dict[str, str | tuple[str, str]] = {}
    for key, shape in _shapes(get_script_prefix(), get_resolver(get_urlconf())).items():
        if isinstance(shape, tuple):
            urls[key] = (shape[0].format(slug=slug, pk=pk), shape[1].format(slug=slug, pk=pk))
        else:
            urls[key] = shape.format(slug=slug, pk=pk)
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


@register.simple_tag(takes_context=True)
def latest_discussions(context, community: Community) -> SafeString:
    """The latest five discussions of a community with their reply counts, and a way to start one: the same for
    everyone who may start one (or not), so kept (`core.fragments`) under the community's content version, the
    minute (its "2 hours ago") and the viewer's zone; read from the database only when that changed."""
    request = context["request"]
    access = context.get("access")
    if access is None or access.community.pk != community.pk:
        access = access_for(request.user, community)
    can_start = rules.may_post(access)
    minute = this_minute()

    def render() -> str:
        return render_to_string(
            "activities/discussions/_latest.html",
            {
                "community": community,
                "discussions": selectors.latest_for_community(community=community),
                "can_start": can_start,
                "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
            },
        )

    version = f"{content_version(community)}-{minute}-{int(can_start)}"
    return fragments.one("community-latest-discussions", community.pk, version, render, zoned=True)


@register.inclusion_tag("activities/discussions/_recent_activity.html", takes_context=True)
def recent_activity(context, user) -> dict:
    """New discussions and replies in my communities, newest first (two queries)."""
    return {
        "request": context["request"],
        "items": selectors.recent_activity_for(user=user),
        "zone": timezone.get_current_timezone(),  # the viewer's, active for the request
    }
