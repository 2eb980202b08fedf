"""A thread reverses its post actions' addresses once and fills each reply's id: the same addresses as reversing
each one, whatever digits the community's slug holds."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from activities.templatetags.discussion_tags import POST_ACTIONS, REPLY_MARK, post_url, thread_urls


@pytest.mark.parametrize("slug", ["guild", f"team-{REPLY_MARK}"])
def test_every_post_action_address_is_the_reversed_one(slug):
    urls = thread_urls(slug, 5)
    reply, discussion = SimpleNamespace(pk=42), SimpleNamespace(pk=5)
    for action in POST_ACTIONS:
        assert post_url(urls, action, reply, True) == reverse(
            f"activities:reply_{action}", args=[slug, 5, 42]
        )
        assert post_url(urls, action, discussion, False) == reverse(
            f"activities:discussion_{action}", args=[slug, 5]
        )
    assert urls["accept"] == reverse("activities:discussion_accept", args=[slug, 5])
