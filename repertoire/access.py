"""The library's access helpers: load what a page of the library is about and answer 404 (the viewer may not see
it) or 403 (they see it but the rule in `repertoire.rules` does not let them do this), with the rule's refusal."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

from communities.access import CommunityAccess, get_community_for
from members.models import User
from repertoire import rules, selectors
from repertoire.models import Resource


def library_access(
    viewer: User, slug: str, *, need: Callable[[CommunityAccess], bool] | None = None, only: str = ""
) -> CommunityAccess:
    """The community whose library the viewer opens (404 for outsiders of a private one); with `need` (a rule of
    `repertoire.rules`), 403 unless it holds, saying why (`rules.refusal(access, only)`)."""
    access = get_community_for(viewer, slug, content=True)
    if need is not None and not need(access):
        raise PermissionDenied(rules.refusal(access, only))
    return access


def editable_resource(access: CommunityAccess, pk: int) -> Resource:
    """A resource the viewer may edit, with what its form shows (404 if they may not see it, 403 if they may see
    it but not edit it)."""
    resource = selectors.resource_for(access, pk, detail=True)
    if not rules.may_edit(access, resource):
        raise PermissionDenied(rules.refusal(access, rules.EDIT))
    return resource
