"""Template filters that ask members/rules.py: `{% load member_tags %}`, then `{% if viewer|sees_profile_of:person %}`."""

from django import template

from members import rules

register = template.Library()


@register.filter
def sees_profile_of(viewer, person) -> bool:
    """`rules.may_see_profile` for a person loaded with their profile."""
    profile = getattr(person, "profile", None)
    return rules.may_see_profile(
        viewer, person_pk=person.pk, in_directory=bool(profile and profile.in_directory)
    )
