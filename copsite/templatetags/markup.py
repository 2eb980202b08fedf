"""The `markdown` template filter: `{{ community.description|markdown }}`."""

from django import template
from django.utils.safestring import mark_safe

from core.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3 in render_markdown
