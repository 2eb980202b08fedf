"""A link whose address has parentheses with quotes inside, like the classic `[x](javascript:alert("XSS"))`,
is one link: its address ends at the parenthesis that balances the opening one, so nothing of it is left behind
as text (issue 14, item 17: a stray ")" showed where the sanitizer had removed a `javascript:` link)."""

import pytest

from activities.discussions import services
from core.markup import render_markdown
from tests.factories import CommunityFactory, member_of

EVIL = '[click here](javascript:alert("XSS"))'


@pytest.mark.parametrize(
    "text",
    [
        EVIL,
        "[click here](javascript:alert('XSS'))",
        "[click here](JaVaScRiPt:alert('1'))",
        "![a picture](javascript:alert('1'))",
        "[click here](javascript:f(g('1')))",
    ],
)
def test_a_removed_javascript_link_leaves_only_its_text(text):
    html = render_markdown(f"Before {text} after.")
    assert ")" not in html and "javascript" not in html.lower() and "XSS" not in html, html
    assert html.startswith("<p>Before ") and html.endswith(" after.</p>"), html


def test_an_address_with_quoted_parentheses_stays_whole():
    html = render_markdown("[the query](https://example.org/search(q='lean'))")
    assert "href=\"https://example.org/search(q='lean')\"" in html and "</a>)" not in html, html


def test_titles_still_work():
    """A title is separated from the address by a space, as markdown says."""
    assert render_markdown('[x](https://example.org "The title")') == (
        '<p><a href="https://example.org" title="The title" rel="nofollow noopener">x</a></p>'
    )
    assert 'title="t"' in render_markdown("[x](https://example.org/a_(b) 't')")
    assert 'href="https://example.org/a_(b)"' in render_markdown("[x](https://example.org/a_(b) 't')")
    assert 'href="https://example.org/a"' in render_markdown("[x](<https://example.org/a> 'title')")


@pytest.mark.django_db
def test_the_discussion_page_shows_no_stray_parenthesis(client):
    community = CommunityFactory()
    asker = member_of(community, "active")
    discussion = services.discussion_start(
        author=asker, community=community, title="Is this safe?", body=f"Look: {EVIL} Thanks."
    )
    client.force_login(asker)
    html = client.get(discussion.get_absolute_url()).text
    assert "Look: <a" in html and "click here</a> Thanks." in html
    assert "click here</a>)" not in html and "javascript:" not in html
