"""The repertoire on pages of other apps: `{% load repertoire_tags %}{% latest_resources community %}` fills a
community home's "Latest resources" slot with its latest and most applied resources."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from communities.models import Community
from communities.selectors import content_version
from core import fragments
from repertoire import rules, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def latest_resources(context, community: Community) -> SafeString:
    """The latest published resources and the most applied ones, with a link to the whole library: the same for
    everyone who may add one (or not), so kept (`core.fragments`) under the community's content version."""
    access = context.get("access")
    can_add = access is not None and access.community.pk == community.pk and rules.may_add(access)

    def render() -> str:
        return render_to_string(
            "repertoire/_highlights.html",
            {
                "community": community,
                "highlights": selectors.library_highlights(community),
                "can_add": can_add,
                "library_url": reverse("repertoire:community_library", args=[community.slug]),
            },
        )

    return fragments.one(
        "community-highlights", community.pk, f"{content_version(community)}-{int(can_add)}", render
    )
