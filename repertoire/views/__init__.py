"""Pages of the repertoire: the libraries, a resource and its files, history, collections and harvest."""

from communities.access import CommunityAccess
from repertoire import rules


def library_page(access: CommunityAccess, section: str, **context) -> dict:
    """What every page of a community's library shows: its tab and section, and what the viewer may do there
    (`rules.library_offers`), with the page's own `context`."""
    return {"access": access, "tab": "library", "section": section, **rules.library_offers(access), **context}
