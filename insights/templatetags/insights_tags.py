"""Template filters that ask insights/rules.py: `{% load insights_tags %}`, then `{% if user|may_preview_mail %}`."""

from django import template

from insights import rules

register = template.Library()


@register.filter
def may_preview_mail(viewer) -> bool:
    """`rules.may_preview_mail`: staff preview every digest and report as a recipient would get it."""
    return rules.may_preview_mail(viewer)
