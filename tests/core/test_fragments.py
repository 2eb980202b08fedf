"""core.fragments: a page's row fragments come from one cache read; a new version, language or zone is a new
fragment, and only the missing rows are rendered."""

import functools
from importlib import metadata
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from core import fragments


def rows(*versions):
    return [SimpleNamespace(pk=n, version=v) for n, v in enumerate(versions, start=1)]


class Renderer:
    def __init__(self):
        self.calls = []

    def __call__(self, row):
        self.calls.append(row.pk)
        return f"<p>{row.pk} v{row.version}</p>"


def test_many_renders_the_missing_rows_only_and_keeps_the_order():
    render = Renderer()
    first = fragments.many("card", rows("a", "a", "a"), render=render, version=lambda r: r.version)
    assert [str(f) for f in first] == ["<p>1 va</p>", "<p>2 va</p>", "<p>3 va</p>"]
    assert render.calls == [1, 2, 3]
    render.calls.clear()
    again = fragments.many("card", rows("a", "b", "a"), render=render, version=lambda r: r.version)
    assert [str(f) for f in again] == ["<p>1 va</p>", "<p>2 vb</p>", "<p>3 va</p>"]
    assert render.calls == [2]  # only the row whose version changed


def test_the_language_and_the_zone_are_part_of_the_key():
    render = Renderer()
    fragments.many("card", rows("a"), render=render, version=lambda r: r.version, zoned=True)
    with translation.override("de"):
        fragments.many("card", rows("a"), render=render, version=lambda r: r.version, zoned=True)
    with timezone.override("Asia/Kolkata"):
        fragments.many("card", rows("a"), render=render, version=lambda r: r.version, zoned=True)
        fragments.many("card", rows("a"), render=render, version=lambda r: r.version, zoned=True)
    assert render.calls == [1, 1, 1]
    assert fragments.key("card", 1, "a") != fragments.key("card", 1, "a", zoned=True)


def test_one_keeps_a_single_fragment_until_its_version_changes():
    calls = []

    def render():
        calls.append(1)
        return "<b>figures</b>"

    assert fragments.one("figures", 7, "v1", render) == "<b>figures</b>"
    assert fragments.one("figures", 7, "v1", render) == "<b>figures</b>"
    assert fragments.one("figures", 7, "v2", render) == "<b>figures</b>"
    assert len(calls) == 2


def test_keyed_hangs_each_fragment_on_its_row():
    items = rows("a", "b")
    fragments.keyed(items, ["x", "y"])
    assert [item.fragment for item in items] == ["x", "y"]


def test_the_template_tag_caches_its_content_under_the_version():
    from django.template import Context, Template, TemplateSyntaxError

    page = Template('{% load fragments %}{% fragment "box" 1 version %}{{ text }}{% endfragment %}')
    assert page.render(Context({"version": "a", "text": "first"})) == "first"
    assert page.render(Context({"version": "a", "text": "second"})) == "first"  # kept
    assert page.render(Context({"version": "b", "text": "second"})) == "second"
    try:
        Template('{% load fragments %}{% fragment "box" 1 %}x{% endfragment %}')
    except TemplateSyntaxError as error:
        assert "row_key version" in str(error)
    else:
        raise AssertionError("a fragment without its version must not compile")


@pytest.mark.django_db  # bump() also replaces the token when the transaction commits
def test_a_version_changes_when_bumped_and_is_made_again_when_lost():
    from django.core.cache import cache

    from core import versions

    first = versions.current("things")
    assert versions.current("things") == first
    versions.bump("things")
    second = versions.current("things")
    assert second != first
    cache.delete(versions.PREFIX + "things")  # evicted: a new token, never an old one
    assert versions.current("things") not in {first, second}
    assert versions.current("a", "b").count("-") == 1


def test_the_release_is_in_every_key_and_changes_with_the_code(tmp_path, settings, monkeypatch):
    """After an upgrade no fragment the former code, templates or packages rendered is read."""
    others = [dist for dist in metadata.distributions() if dist.metadata["Name"] != "nh3"]
    (tmp_path / "app").mkdir()
    page = tmp_path / "app" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.py").write_text("ignored = 1")
    settings.BASE_DIR = tmp_path
    fragments.release.cache_clear()
    try:
        first = fragments.release()
        assert first in fragments.key("card", 1, "v")
        (tmp_path / "node_modules" / "x.py").write_text("ignored = 2")
        fragments.release.cache_clear()
        assert fragments.release() == first
        page.write_text("<p>two</p>")
        fragments.release.cache_clear()
        second = fragments.release()
        assert second != first
        # A new version of a package (the Markdown renderer, the sanitizer) is a new release too.
        nh3 = metadata.distribution("nh3")
        monkeypatch.setattr(
            metadata,
            "distributions",
            lambda: [*others, SimpleNamespace(metadata={"Name": "nh3"}, version=nh3.version + ".1")],
        )
        fragments.release.cache_clear()
        assert fragments.release() != second
    finally:
        fragments.release.cache_clear()


# --- Facts: fragments made of their facts alone, kept in the process -------------------------------------------


def test_facts_render_once_per_set_of_facts_and_language_with_the_viewers_token_put_in(monkeypatch):
    header = fragments.Facts("includes/site_header.html")
    rendered = []
    real = header._render

    def counting(facts, language):
        rendered.append(facts)
        return real(facts, language)

    monkeypatch.setattr(header, "_rendered", functools.lru_cache(maxsize=8)(counting))
    facts = {"site_name": "CoPsite", "signed_in": True, "user_pk": 7, "initials": "AL", "short_name": "Ada"}

    first = header("token-one", section="library", **facts)
    again = header("token-two", section="library", **facts)

    assert len(rendered) == 1  # the same facts: rendered once
    assert 'value="token-one"' in first and 'value="token-two"' in again
    assert fragments.CSRF_MARK not in again
    assert 'aria-current="page" href="/library/"' in again
    other = header("token-two", section="calendar", **facts)
    assert len(rendered) == 2 and 'aria-current="page" href="/calendar/"' in other
    with translation.override("de"):
        header("token-two", section="calendar", **facts)
    assert len(rendered) == 3  # another language: its own fragment


def test_facts_templates_see_nothing_but_their_facts():
    """No request, no context processor: a fact the tag forgot to give shows as missing, never as another
    viewer's value."""
    html = fragments.Facts("includes/site_header.html")("t", site_name="CoPsite", signed_in=False)
    assert "Sign out" not in html and "CoPsite" in html
