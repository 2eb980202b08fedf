"""A community's tabs, each shown to whom its own app's rule says: the community header lists them without naming
the apps above it. Each app registers its tabs in its `AppConfig.ready()` (as the repertoire registers its page
actions in `activities.page_actions`), with the predicate of its `rules.py` that decides who sees the tab."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from communities.access import CommunityAccess


@dataclass(frozen=True)
class Tab:
    key: str  # the `tab` a page sets in its context to mark it current
    label: str
    url_name: str  # takes the community's slug
    shown: Callable[[CommunityAccess], bool]
    order: int  # left to right


_TABS: dict[str, Tab] = {}


def sees_content(access: CommunityAccess) -> bool:
    """The tabs of a community's content (its calendar, discussions, library, members) show to whoever may see
    it (`CommunityAccess.can_see_content`)."""
    return access.can_see_content


def register_tab(tab: Tab) -> None:
    """Called by each app at start-up; registering a key again replaces its tab."""
    _TABS[tab.key] = tab


def tabs_for(access: CommunityAccess) -> list[tuple[Tab, str]]:
    """The tabs the viewer sees in this community, in order, with their addresses."""
    slug = access.community.slug
    return [
        (tab, reverse(tab.url_name, args=[slug]))
        for tab in sorted(_TABS.values(), key=lambda tab: tab.order)
        if tab.shown(access)
    ]
