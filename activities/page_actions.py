"""Actions the apps above offer on activities' pages, without activities knowing them.

A discussion's thread and an activity date's page show, after the question's accepted answer and after the
date's notes, the actions other apps offer there (the repertoire: “Harvest into the library”). An app registers
an offer in its `AppConfig.ready()`:

    page_actions.register(Discussion, harvest_offer)

An offer is a function `(access, obj) -> PageAction | None`: given the viewer's `CommunityAccess` and the
discussion or occurrence the page already loaded, it says whether the viewer gets an action and which. It answers
from what the page loaded (the viewer's membership, the object's own fields and `select_related` rows) and runs at
most one bounded query of its own, only when it does offer something, so the page's query count stays fixed.
The `{% page_actions access obj %}` tag (activity_tags) asks every offer registered for the object's model and
renders `activities/_page_actions.html`: a link, or a button that posts a form (with the CSRF token and the
offer's hidden fields).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from communities.access import CommunityAccess


@dataclass(frozen=True)
class PageAction:
    """One action on a page: `label` on a link to `url`, or on a button posting to it when `post` is set."""

    label: str
    url: str
    post: bool = False
    note: str = ""
    fields: dict[str, str] = field(default_factory=dict)


Offer = Callable[[CommunityAccess, object], PageAction | None]
_offers: dict[type, list[Offer]] = {}


def register(model: type, offer: Offer) -> None:
    """Offer an action on the pages of `model` (Discussion, Occurrence); registering it again changes nothing."""
    registered = _offers.setdefault(model, [])
    if offer not in registered:
        registered.append(offer)


def offers(model: type) -> tuple[Offer, ...]:
    return tuple(_offers.get(model, ()))


def actions_for(access: CommunityAccess, obj: object) -> list[PageAction]:
    """The actions offered to this viewer on the page of `obj`, in the order they were registered."""
    found = (offer(access, obj) for offer in _offers.get(type(obj), ()))
    return [action for action in found if action is not None]
