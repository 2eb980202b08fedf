"""The directory's community filter, answered by communities: members sits below communities and may not import
it, so communities registers the answer in its `AppConfig.ready()` (as apps register their kinds of mail in
`members.notifications`). Who sees which community's members is decided there, once
(`Community.objects.visible_to`), never copied here.
"""

from collections.abc import Callable

from django.db.models import QuerySet

# (viewer, slug) -> the ids of the people the directory shows in that community, as a subquery (`values("user")`):
# nobody when the viewer may not see who belongs to it.
MembersOf = Callable[..., QuerySet]

_answer: dict[str, MembersOf] = {}


def register(members_of: MembersOf) -> None:
    """Called by communities at start-up; registering again replaces the answer."""
    _answer["members_of"] = members_of


def members_of(*, viewer, slug: str) -> QuerySet | None:
    """The ids of the people in the community `slug` whom `viewer` may see there, or None when no app answers
    (then the filter finds nobody)."""
    answer = _answer.get("members_of")
    return answer(viewer=viewer, slug=slug) if answer else None
