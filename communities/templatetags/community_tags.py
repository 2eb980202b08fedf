"""Communities data on pages of apps below communities (members' profiles and directory), which may not import it,
and a community's tabs for its header (`{% community_tabs access as tabs %}`).

`{% load community_tags %}`, then `{% profile_communities person viewer %}` or
`{% directory_community_filter viewer selected %}`. Both show only communities the viewer may see, so a private
membership never shows to someone outside that community.
"""

from django import template
from django.template.loader import render_to_string

from communities import rules
from communities.models import Community
from communities.selectors import visible_communities, visible_memberships_of
from communities.tabs import tabs_for
from core import fragments

register = template.Library()


@register.inclusion_tag("communities/_profile_communities.html")
def profile_communities(person, viewer) -> dict:
    """A person's communities with their level and role, limited to those the viewer may see (one query)."""
    return {
        "person": person,
        "viewer": viewer,
        "memberships": list(visible_memberships_of(person=person, viewer=viewer)),
    }


@register.simple_tag
def directory_community_filter(viewer, selected: str = "") -> str:
    """The directory's community filter: a labelled <select> of the communities the viewer may see (one query).
    Its HTML is the same for everyone who sees the same communities and chose the same one: kept in the cache
    (`core.fragments`) under a digest of those communities (slug, name, visibility) and the choice."""
    shown = list(visible_communities(viewer=viewer).values_list("slug", "name", "visibility"))
    selected = selected or ""
    communities = [
        {"slug": slug, "name": name, "is_private": visibility == Community.Visibility.PRIVATE}
        for slug, name, visibility in shown
    ]
    return fragments.one(
        "directory-communities",
        "-",
        fragments.digest((shown, selected)),
        lambda: render_to_string(
            "communities/_directory_community_filter.html",
            {"communities": communities, "selected": selected},
        ),
    )


@register.simple_tag
def community_tabs(access) -> list:
    """The community's tabs the viewer sees (`communities.tabs`: each app's tab, shown by its own rule)."""
    return tabs_for(access)


@register.filter
def may_administer(viewer) -> bool:
    """`communities.rules.may_administer`: staff's sponsors, archive, attention list and offboarding."""
    return rules.may_administer(viewer)
