"""The repertoire on pages of other apps: `{% load repertoire_tags %}{% latest_resources community %}` fills a
community home's "Latest resources" slot with its latest and most applied resources."""

from django import template
from django.urls import reverse

from communities.models import Community
from repertoire import rules, selectors

register = template.Library()


@register.inclusion_tag("repertoire/_highlights.html", takes_context=True)
def latest_resources(context, community: Community) -> dict:
    """The latest published resources and the most applied ones, with a link to the whole library."""
    access = context.get("access")
    can_add = access is not None and access.community.pk == community.pk and rules.may_add(access)
    return {
        "community": community,
        "highlights": selectors.library_highlights(community),
        "can_add": can_add,
        "library_url": reverse("repertoire:community_library", args=[community.slug]),
    }
