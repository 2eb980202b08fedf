"""A thread's addresses are reversed once, as patterns, and filled for each thread and each reply: the same
addresses as reversing each one, whatever digits the community's slug holds and under whatever script prefix."""

from types import SimpleNamespace

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from activities.templatetags.discussion_tags import (
    PK_MARK,
    POST_ACTIONS,
    REPLY_MARK,
    SLUG_MARK,
    post_url,
    thread_urls,
)


def assert_reversed(slug: str, pk: int) -> None:
    urls = thread_urls(slug, pk)
    reply, discussion = SimpleNamespace(pk=42), SimpleNamespace(pk=pk)
    for action in POST_ACTIONS:
        assert post_url(urls, action, reply, True) == reverse(
            f"activities:reply_{action}", args=[slug, pk, 42]
        )
        assert post_url(urls, action, discussion, False) == reverse(
            f"activities:discussion_{action}", args=[slug, pk]
        )
    for key, name in (("accept", "accept"), ("reply", "reply"), ("follow", "follow")):
        assert urls[key] == reverse(f"activities:discussion_{name}", args=[slug, pk])
    assert urls["discussions"] == reverse("activities:discussions", args=[slug])
    assert urls["community"] == reverse("communities:home", args=[slug])


@pytest.mark.parametrize("slug", ["guild", f"team-{REPLY_MARK}", f"{SLUG_MARK}-{PK_MARK}", "a_b-9", "pk"])
def test_every_thread_address_is_the_reversed_one(slug):
    assert_reversed(slug, 5)
    assert_reversed(slug, int(PK_MARK))


def test_the_addresses_follow_the_script_prefix():
    set_script_prefix("/copsite/")
    try:
        assert thread_urls("guild", 5)["discussions"] == "/copsite/c/guild/discussions/"
        assert_reversed("guild", 5)
    finally:
        clear_script_prefix()
    assert thread_urls("guild", 5)["discussions"] == "/c/guild/discussions/"
