"""`reverse` once per URL pattern instead of once per row: a list of fifty rows links each of them.

`link(name, *args)` gives what `django.urls.reverse(name, args=args)` gives for the positional arguments our
models link with (primary keys, slugs, tokens: values that reverse would accept unchanged), at the cost of a
string join: the pattern is reversed once with placeholder arguments of the same types, split where they
stand, and kept per script prefix and URLconf. A pattern that cannot be split that way (a placeholder not
found exactly once) falls back to `reverse` every time.

The template engine's `{% url %}` is replaced by the same (`core.links` is a builtin of `TEMPLATES`), so every
template's links are built this way; with keyword arguments it is Django's own.
"""

import re
from urllib.parse import quote

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as url_tag
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.http import RFC3986_SUBDELIMS

SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse leaves unquoted
# Arguments every converter that takes them accepts as they are (slug, str and path; int for the numbers):
# anything else goes through reverse, which checks it.
PLAIN = re.compile(r"[-a-zA-Z0-9_]+")
_patterns: dict[tuple, list[str] | None] = {}


def _placeholder(index: int, value) -> int | str:
    return 9_876_543_210 + index if isinstance(value, int) else f"zqlinkargument{index}qz"


def _split(name: str, args: tuple) -> list[str] | None:
    placeholders = [_placeholder(index, value) for index, value in enumerate(args)]
    try:
        text = reverse(name, args=placeholders)
    except NoReverseMatch:
        reverse(name, args=args)  # fails as reverse does when the arguments do not fit
        return None  # digits given as text for a number, and the like: reverse every time
    parts = []
    for placeholder in map(str, placeholders):
        if text.count(placeholder) != 1:
            return None
        head, text = text.split(placeholder)
        parts.append(head)
    parts.append(text)
    return parts


def link(name: str, *args) -> str:
    """`reverse(name, args=args)`, from the pattern's parts kept after the first call."""
    if not all(
        (type(arg) is int and arg >= 0) or (type(arg) is str and PLAIN.fullmatch(arg)) for arg in args
    ):
        return reverse(name, args=args)
    key = (name, tuple(isinstance(arg, int) for arg in args), get_script_prefix(), get_urlconf())
    try:
        parts = _patterns[key]
    except KeyError:
        parts = _patterns[key] = _split(name, args)
    if parts is None:
        return reverse(name, args=args)
    out = [parts[0]]
    for value, tail in zip(args, parts[1:], strict=True):
        out.append(quote(str(value), safe=SAFE))
        out.append(tail)
    return "".join(out)


# --- {% url %} on every template (a builtin, settings `TEMPLATES`) ----------------------------------------------

register = template.Library()


class LinkNode(URLNode):
    """Django's `{% url %}`, through `link` when it has positional arguments only (our templates' case)."""

    def render(self, context) -> str:
        if self.kwargs:
            return super().render(context)
        try:
            address = link(self.view_name.resolve(context), *(arg.resolve(context) for arg in self.args))
        except NoReverseMatch:
            if self.asvar is None:
                raise
            address = ""  # as Django's: `{% url … as var %}` leaves var empty
        if self.asvar:
            context[self.asvar] = address
            return ""
        return conditional_escape(address) if context.autoescape else address


@register.tag
def url(parser, token) -> LinkNode:
    node = url_tag(parser, token)
    return LinkNode(node.view_name, node.args, node.kwargs, node.asvar)
