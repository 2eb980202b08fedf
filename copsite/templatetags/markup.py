"""How markdown people wrote is shown: `{{ community|html_of:"description" }}` shows the HTML kept when it was
written (core.markup), rendered then for a row written before the HTML was kept."""

from django import template
from django.utils.safestring import mark_safe

from core import markup

register = template.Library()


@register.filter(name="html_of")
def html_of(obj, field: str) -> str:
    return mark_safe(markup.html_of(obj, field))  # noqa: S308 - sanitized by nh3 when rendered
