"""Who may do what in a community's discussions: named, pure predicates over a `CommunityAccess` and a post.

The services enforce them (`require(rules.may_x(...), rules.x_refusal(...))`, which raises `NotPermitted`);
the views, templates and tags ask the same predicates. Each answers from what is loaded (the viewer's
membership, the post's own fields) and runs no query. The refusal of each rule stands beside it, so the 403
page and the service say the same thing.

| act                                             | who                                                      |
|-------------------------------------------------|----------------------------------------------------------|
| read, follow                                    | whoever may see the community's content                  |
| start a discussion, reply, report a post        | active members of a community that is not archived      |
| edit or delete a post                           | its author, with the standing to post there (hidden: no edit) |
| accept an answer                                | the discussion's author with that standing, or a coordinator |
| pin, lock, hide, show again, resolve reports    | the coordinators of a community that is not archived    |
| read the open reports                           | the coordinators (of an archived community too)          |
| see a post a coordinator hid                    | the coordinators and its author                          |

An archived community keeps its discussions for reference: nothing changes there. Its pages about changing
something still open to whom they concern (the page says it no longer changes, and the service refuses with
that reason); everyone else gets 403, as in any community (`may_open_*`).
"""

from activities.discussions.models import Discussion, Reply
from communities.access import CommunityAccess

Post = Discussion | Reply

ONLY_COORDINATORS = "Only the community's coordinators can do that."
ONLY_COORDINATORS_SEE_REPORTS = "Only the community's coordinators see reports."
NO_FOLLOWING = "You cannot follow this discussion."
LOCKED = "This discussion is locked: no new replies."
CLOSED = "This discussion is no longer open for replies."
ONLY_ASKER_OR_COORDINATOR = "Only the person who asked, or a coordinator, can accept an answer."
HIDDEN_STAYS = "A coordinator hid this post: it stays as they left it. You can still delete it."


def _open(access: CommunityAccess) -> bool:
    return not access.community.is_archived


def _is_author(access: CommunityAccess, post: Post) -> bool:
    return post.author_id == access.viewer.pk


def kept_for_reference(access: CommunityAccess) -> str:
    """Why nobody posts or moderates in an archived community."""
    return f"{access.community.name} is archived: its discussions are kept for reference only."


def no_longer_changes(access: CommunityAccess) -> str:
    """Why nobody changes a post or an accepted answer in an archived community."""
    return f"{access.community.name} is archived: its discussions no longer change."


def no_longer_member(access: CommunityAccess) -> str:
    """Why a former or removed member no longer changes what they wrote."""
    return f"You are no longer a member of {access.community.name}: your posts there stay as they are."


# --- Reading and following -------------------------------------------------------------------------------------


def may_follow(access: CommunityAccess) -> bool:
    """Whoever may read a community's discussions follows them: one's own preference, so in an archived
    community too."""
    return access.can_see_content


def sees_hidden_posts(access: CommunityAccess) -> bool:
    """The community's coordinators see every post a coordinator hid, with who hid it and why."""
    return access.is_coordinator


def may_see_post(access: CommunityAccess, post: Post) -> bool:
    """A post a coordinator hid is seen only by the coordinators and its author (who sees why); whoever reads the
    community sees the rest."""
    return not post.is_hidden or sees_hidden_posts(access) or _is_author(access, post)


# --- Posting -------------------------------------------------------------------------------------------------


def may_post(access: CommunityAccess) -> bool:
    """Active members of a community that is not archived start discussions (and reply and report posts)."""
    return access.is_member and _open(access)


def post_refusal(access: CommunityAccess) -> str:
    if not _open(access):
        return kept_for_reference(access)
    return f"Join {access.community.name} to take part in its discussions."


def may_reply(access: CommunityAccess, discussion: Discussion) -> bool:
    """Those who may post reply to a discussion open for replies: not locked by a coordinator, neither hidden nor
    deleted."""
    return may_post(access) and not (discussion.locked or discussion.is_hidden or discussion.is_deleted)


def reply_refusal(access: CommunityAccess, discussion: Discussion) -> str:
    if not may_post(access):
        return post_refusal(access)
    return LOCKED if discussion.locked else CLOSED


def may_report(access: CommunityAccess) -> bool:
    """Those who may post report a post to the coordinators."""
    return may_post(access)


# --- One's own posts ---------------------------------------------------------------------------------------------


def may_delete_post(access: CommunityAccess, post: Post) -> bool:
    """Authors delete what they wrote while they have the standing it takes to post there (`may_post`): a removed
    or former member's posts stay as they are."""
    return _is_author(access, post) and may_post(access)


def may_edit_post(access: CommunityAccess, post: Post) -> bool:
    """Authors edit what they may delete, except a post a coordinator hid: it stays as they left it."""
    return may_delete_post(access, post) and not post.is_hidden


def change_refusal(access: CommunityAccess, post: Post, verb: str = "change") -> str:
    """Why the viewer may not `verb` ("edit", "delete") this post."""
    if not _is_author(access, post):
        return f"You can only {verb} what you wrote."
    if not _open(access):
        return no_longer_changes(access)
    if not access.is_member:
        return no_longer_member(access)
    return HIDDEN_STAYS


def may_accept(access: CommunityAccess, discussion: Discussion) -> bool:
    """The person who asked, with the standing to change what they wrote, or a coordinator who may moderate,
    marks a reply as the accepted answer (or clears the mark)."""
    return may_delete_post(access, discussion) or may_moderate(access)


def accept_refusal(access: CommunityAccess, discussion: Discussion) -> str:
    if not (_is_author(access, discussion) or access.is_coordinator):
        return ONLY_ASKER_OR_COORDINATOR
    if not _open(access):
        return no_longer_changes(access)
    return no_longer_member(access)


# --- Moderating --------------------------------------------------------------------------------------------------


def may_moderate(access: CommunityAccess) -> bool:
    """The coordinators of a community that is not archived pin and lock discussions, hide posts and show them
    again, and resolve reports."""
    return access.is_coordinator and _open(access)


def moderate_refusal(access: CommunityAccess) -> str:
    return ONLY_COORDINATORS if not access.is_coordinator else kept_for_reference(access)


def may_read_reports(access: CommunityAccess) -> bool:
    """The coordinators read the open reports (of an archived community too); staff do not: reports go to the
    community's coordinators."""
    return access.is_coordinator


# --- Pages about changing something ----------------------------------------------------------------------------


def _opens(access: CommunityAccess, allowed: bool, concerned: bool) -> bool:
    """A page opens where the act is allowed, and in an archived community to whom it concerns."""
    return allowed or (concerned and not _open(access))


def may_open_moderation(access: CommunityAccess) -> bool:
    """The pages and buttons of moderation (403 for everyone but the coordinators)."""
    return _opens(access, may_moderate(access), access.is_coordinator)


def may_open_report(access: CommunityAccess) -> bool:
    """The page to report a post (403 for everyone but the members)."""
    return _opens(access, may_report(access), access.is_member)


def may_open_edit(access: CommunityAccess, post: Post) -> bool:
    """The page to edit a post (403 for everyone but its author with the standing to edit it)."""
    return _opens(access, may_edit_post(access, post), _is_author(access, post))


def may_open_delete(access: CommunityAccess, post: Post) -> bool:
    """The page to delete a post (403 for everyone but its author with the standing to delete it)."""
    return _opens(access, may_delete_post(access, post), _is_author(access, post))


def may_try_accept(access: CommunityAccess, discussion: Discussion) -> bool:
    """The accept button (403 for everyone but the person who asked, with their standing, and the coordinators)."""
    return _opens(
        access, may_accept(access, discussion), _is_author(access, discussion) or access.is_coordinator
    )
