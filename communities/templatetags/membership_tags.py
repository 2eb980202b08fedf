"""Template helpers for membership: the commitment levels a person may choose, and level names for mail."""

from django import template

from communities.models import Level, Membership

register = template.Library()


@register.simple_tag
def level_choices(current: str = "") -> list[tuple[str, str]]:
    """The levels a member picks for themselves: every level but the core group, unless they are in it already
    (joining the core group is the coordinators' call)."""
    return [(value, label) for value, label in Level.choices if value != Level.CORE or current == Level.CORE]


@register.filter
def level_label(value: str) -> str:
    """`"occasional"` → `"Occasional"`; unknown values are shown as they are."""
    return dict(Level.choices).get(value, value)


@register.filter
def role_label(value: str) -> str:
    return dict(Membership.Role.choices).get(value, value)
