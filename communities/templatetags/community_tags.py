"""Communities data on pages of apps below communities (members' profiles and directory), which may not import it,
and a community's header with its tabs (`{% community_header access tab %}`).

`{% load community_tags %}`, then `{% profile_communities person viewer %}` or
`{% directory_community_filter viewer selected %}`. Both show only communities the viewer may see, so a private
membership never shows to someone outside that community.
"""

from typing import NamedTuple

from django import template
from django.template.loader import render_to_string

from communities import rules
from communities.models import Community
from communities.selectors import visible_communities, visible_memberships_of
from communities.tabs import tabs_for
from communities.templatetags.membership_tags import membership_offer
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


@register.filter
def may_administer(viewer) -> bool:
    """`communities.rules.may_administer`: staff's sponsors, archive, attention list and offboarding."""
    return rules.may_administer(viewer)


class HeaderCommunity(NamedTuple):
    """What a community's header shows of it (`community_header`'s facts)."""

    slug: str
    name: str
    domain: str
    stage: str
    get_stage_display: str
    stage_index: int
    is_private: bool
    is_archived: bool


_COMMUNITY_HEADER = fragments.Facts("communities/_header.html")


@register.simple_tag(takes_context=True)
def community_header(context, access, tab: str = "") -> str:
    """The community's header (name, domain, stage for who may see its content, the viewer's status and what
    they may do) and the tabs they see, made of its facts (`core.fragments.Facts`): each asked of the rules
    afresh, the HTML kept for the next page with the same ones."""
    community = access.community
    membership = access.membership
    request = context["request"]
    status = membership.status if membership else ""
    level = membership.level if membership else ""
    return _COMMUNITY_HEADER(
        context.get("csrf_token") or "",
        community=HeaderCommunity(
            community.slug,
            community.name,
            community.domain,
            community.stage,
            community.get_stage_display(),
            community.stage_index,
            community.is_private,
            community.is_archived,
        ),
        shows_stage=access.can_see_content,
        offer=membership_offer(
            {"request": request},
            community,
            status,
            level,
            membership.invitation_expires_at if membership else None,
        ),
        viewer_level=level,
        back=context.get("status_next") or request.get_full_path(),
        tabs=tuple((item.key, item.label, url) for item, url in tabs_for(access)),
        tab=tab or "",
    )
