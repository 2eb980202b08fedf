"""The matrix's rows for a community's discussions: reading, starting and replying, following, accepting an
answer, editing and deleting one's own posts, reporting, and what coordinators do (pin, lock, hide, unhide,
reports).

Objects: `place.discussion` and `place.reply` are the author's (someone else's for every role); `own_*` rows open
the requesting person's own discussion or reply (`ctx.own_role`; the anonymous visitor tries the peripheral
member's; roles with nothing of their own are "-"), and `own_hidden` their own reply that a coordinator hid.

Where a person may see the discussion but may not write, starting a discussion or replying answers in the page
with the reason ("no": the form comes back saying "join to take part", or that the community is archived), as the
views' docstring says the services do; the views that check who may act first (accepting, moderating, editing
or deleting someone else's post, reporting) answer 403. A removed member no longer changes their own posts,
and a hidden post stays as the coordinator left it (issue 14 item 2).
"""

from tests.authz.matrix import Row, grid
from tests.authz.rules import CONTENT, NOT_ALLOWED_SIGNED_IN

# --- Grids -----------------------------------------------------------------------------------------------------

# Starting a discussion or replying: active members of a community that is not archived. Whoever sees the
# discussion but may not write gets the page with the reason ("join to take part", "archived"): "no", not 403.
MEMBERS_TRY = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login no       ok         ok   ok          no          no      no      no
private  login 404      ok         ok   ok          404         no      404     no
archived login no       no         no   no          no          no      no      no
""")

# The "start a discussion" page: the form for members, the reason for everyone else who sees the community
# (GET only shows a page, so it is allowed wherever the content is).
START_PAGE = CONTENT

# Coordinators moderate (pin, lock, hide, unhide, resolve reports, accept someone else's answer); 403 for the
# others who see the community. An archived community no longer changes: its coordinator is told so ("no").
MODERATE = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  ok          403         403     403     403
private  login 404      403        403  ok          404         403     404     403
archived login 403      403        403  no          403         403     403     403
""")

# The open reports: only the coordinators read them (staff too are 403: reports go to the coordinators);
# an archived community stays readable.
READ_REPORTS = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  ok          403         403     403     403
private  login 404      403        403  ok          404         403     404     403
archived login 403      403        403  ok          403         403     403     403
""")

# Reporting a post: active members (403 for others who see it); in an archived community they are told it no
# longer changes ("no").
REPORT = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      ok         ok   ok          403         403     403     403
private  login 404      ok         ok   ok          404         403     404     403
archived login 403      no         no   no          403         403     403     403
""")

# Someone else's post: only its author edits or deletes it; 403 for everyone else who sees it, coordinators
# and staff included (coordinators hide, they do not rewrite).
NOT_YOURS = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      403        403  403         403         403     403     403
private  login 404      403        403  403         404         403     404     403
archived login 403      403        403  403         403         403     403     403
""")

# One's own post: its author edits or deletes it while they may post there; a removed member no longer may
# (403; 404 where the community is private). In an archived community every author is told it no longer
# changes ("no": the page, and the change refused), as when posting there.
OWN_POST = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login -        ok         ok   ok          -           -       403     -
private  login -        ok         ok   ok          -           -       404     -
archived login -        no         no   no          -           -       no      -
""")

# One's own reply that a coordinator hid: it stays as the coordinator left it, so its author may not edit it
# (the coordinator who hid their own reply neither: they unhide it first). Archived: no longer changes.
OWN_HIDDEN_EDIT = grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login -        403        403  403         -           -       403     -
private  login -        403        403  403         -           -       404     -
archived login -        no         no   no          -           -       no      -
""")


# --- Parameters ------------------------------------------------------------------------------------------------


def slug(c):
    return {"slug": c.slug}


def discussion(c):
    return {"slug": c.slug, "pk": c.place.discussion.pk}


def own_discussion(c):
    return {"slug": c.slug, "pk": c.place.own_discussions[c.own_role].pk}


def reply(c):
    return {"slug": c.slug, "pk": c.place.discussion.pk, "reply": c.place.reply.pk}


def own_reply(c):
    mine = c.place.own_replies[c.own_role]
    return {"slug": c.slug, "pk": mine.discussion_id, "reply": mine.pk}


def own_hidden_reply(c):
    mine = c.place.own_hidden_replies[c.own_role]
    return {"slug": c.slug, "pk": mine.discussion_id, "reply": mine.pk}


def hidden_reply(c):
    """A reply a coordinator hid (the peripheral member's), for unhiding."""
    hidden = c.place.own_hidden_replies["peripheral"]
    return {"slug": c.slug, "pk": hidden.discussion_id, "reply": hidden.pk}


def report(c):
    return {"slug": c.slug, "pk": c.place.report.pk}


def follow_body(c):
    """Everyone who replied in the discussion follows it already: they unfollow, the others follow."""
    return {"on": "0" if c.role in ("peripheral", "core", "coordinator", "removed") else "1"}


EDIT_DISCUSSION = {"title": "Reviews, edited", "body": "Edited by the matrix."}
EDIT_REPLY = {"body": "Edited by the matrix."}
REASON = {"reason": "Off-topic for this community."}

ROWS = [
    # Reading: whoever may see the community's content.
    Row("activities:discussions", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row("activities:discussion", GET=CONTENT, POST=NOT_ALLOWED_SIGNED_IN, params=discussion),
    # A hidden discussion is seen only by its author and the community's coordinators (staff and sponsors
    # included, everyone else is told there is no such discussion).
    Row(
        "activities:discussion",
        target="hidden",
        GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 404      404        404  ok          404         404     404     404
private  login 404      404        404  ok          404         404     404     404
archived login 404      404        404  ok          404         404     404     404
"""),
        POST=NOT_ALLOWED_SIGNED_IN,
        params=lambda c: {"slug": c.slug, "pk": c.place.hidden_discussion.pk},
    ),
    # Starting a discussion: the page for whoever sees the community (with the form, or why not); members post.
    Row(
        "activities:discussion_start",
        GET=START_PAGE,
        POST=MEMBERS_TRY,
        params=slug,
        body={"title": "How do you review?", "body": "Tell us."},
        writes=("activities_discussion", "activities_follow", "communities_participation"),
    ),
    # The preview of a text writes nothing and shows only what was typed: whoever may read the discussions.
    Row(
        "activities:discussion_preview",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CONTENT,
        params=slug,
        body={"body": "**Bold** idea"},
    ),
    # Replying: members of a community that is not archived; the others who see it are told why.
    Row(
        "activities:discussion_reply",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MEMBERS_TRY,
        params=discussion,
        body={"body": "A reply from the matrix."},
        writes=("activities_reply", "activities_discussion", "communities_participation"),
    ),
    # Following is one's own preference: whoever may read the discussion follows or unfollows it, even in an
    # archived community (it changes nothing there).
    Row(
        "activities:discussion_follow",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=CONTENT,
        params=discussion,
        body=follow_body,
        writes=("activities_follow",),
    ),
    # Accepting an answer: the discussion's author or a coordinator. Someone else's discussion: coordinators.
    Row(
        "activities:discussion_accept",
        target="others",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MODERATE,
        params=discussion,
        body=lambda c: {"reply": c.place.reply.pk},
        writes=("activities_discussion",),
    ),
    # One's own discussion: its author (here clearing the mark), while they may post there.
    Row(
        "activities:discussion_accept",
        target="own",
        GET=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login -        405        405  405         -           -       405     -
private  login -        405        405  405         -           -       405     -
archived login -        405        405  405         -           -       405     -
"""),
        POST=OWN_POST,
        params=own_discussion,
        body={"reply": ""},
        writes=("activities_discussion",),
    ),
    # Coordinators pin and lock.
    Row(
        "activities:discussion_pin",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MODERATE,
        params=discussion,
        body={"on": "1"},
        writes=("activities_discussion",),
    ),
    Row(
        "activities:discussion_lock",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MODERATE,
        params=discussion,
        body={"on": "1"},
        writes=("activities_discussion",),
    ),
    # Editing and deleting a discussion: its author only.
    Row(
        "activities:discussion_edit",
        target="others",
        GET=NOT_YOURS,
        POST=NOT_YOURS,
        params=discussion,
        body=EDIT_DISCUSSION,
    ),
    Row(
        "activities:discussion_edit",
        target="own",
        GET=OWN_POST,
        POST=OWN_POST,
        params=own_discussion,
        body=EDIT_DISCUSSION,
        writes=("activities_discussion",),
    ),
    Row(
        "activities:discussion_delete",
        target="others",
        GET=NOT_YOURS,
        POST=NOT_YOURS,
        params=discussion,
    ),
    Row(
        "activities:discussion_delete",
        target="own",
        GET=OWN_POST,
        POST=OWN_POST,
        params=own_discussion,
        writes=("activities_discussion",),
    ),
    # Editing and deleting a reply: its author only.
    Row(
        "activities:reply_edit", target="others", GET=NOT_YOURS, POST=NOT_YOURS, params=reply, body=EDIT_REPLY
    ),
    Row(
        "activities:reply_edit",
        target="own",
        GET=OWN_POST,
        POST=OWN_POST,
        params=own_reply,
        body=EDIT_REPLY,
        writes=("activities_reply",),
    ),
    Row(
        "activities:reply_edit",
        target="own_hidden",
        GET=OWN_HIDDEN_EDIT,
        POST=OWN_HIDDEN_EDIT,
        params=own_hidden_reply,
        body=EDIT_REPLY,
    ),
    Row("activities:reply_delete", target="others", GET=NOT_YOURS, POST=NOT_YOURS, params=reply),
    Row(
        "activities:reply_delete",
        target="own",
        GET=OWN_POST,
        POST=OWN_POST,
        params=own_reply,
        writes=("activities_reply",),
    ),
    # An author may still withdraw a reply a coordinator hid (the hiding, who and why, stays recorded).
    Row(
        "activities:reply_delete",
        target="own_hidden",
        GET=OWN_POST,
        POST=OWN_POST,
        params=own_hidden_reply,
        writes=("activities_reply",),
    ),
    # Coordinators hide (a page asking why) and unhide posts.
    Row(
        "activities:discussion_hide",
        GET=MODERATE,
        POST=MODERATE,
        params=discussion,
        body=REASON,
        writes=("activities_discussion",),
    ),
    Row(
        "activities:reply_hide",
        GET=MODERATE,
        POST=MODERATE,
        params=reply,
        body=REASON,
        writes=("activities_reply", "activities_discussion"),
    ),
    # (The world has no hidden discussion: unhiding the visible one still writes, which is all this row needs.)
    Row(
        "activities:discussion_unhide",
        GET=NOT_ALLOWED_SIGNED_IN,
        # A hidden discussion does not exist for who may not see it (404), before any question of rights.
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 404      404        404  ok          404         404     404     404
private  login 404      404        404  ok          404         404     404     404
archived login 404      404        404  no          404         404     404     404
"""),
        params=lambda c: {"slug": c.slug, "pk": c.place.hidden_discussion.pk},
        writes=("activities_discussion",),
    ),
    Row(
        "activities:reply_unhide",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MODERATE,
        params=hidden_reply,
        writes=("activities_reply", "activities_discussion"),
    ),
    # Members report a post to the coordinators.
    Row(
        "activities:discussion_report",
        GET=REPORT,
        POST=REPORT,
        params=discussion,
        body={"reason": "Rude."},
        writes=("activities_report",),
    ),
    # The peripheral member already reported the author's reply and is told so ("no": reporting twice).
    Row(
        "activities:reply_report",
        GET=REPORT,
        POST=grid("""
         anon  outsider peripheral core coordinator other_coord sponsor removed staff
listed   login 403      no         ok   ok          403         403     403     403
private  login 404      no         ok   ok          404         403     404     403
archived login 403      no         no   no          403         403     403     403
"""),
        params=reply,
        body={"reason": "Rude."},
        writes=("activities_report",),
    ),
    # Coordinators read the open reports and resolve them.
    Row("activities:discussion_reports", GET=READ_REPORTS, POST=NOT_ALLOWED_SIGNED_IN, params=slug),
    Row(
        "activities:resolve_report",
        GET=NOT_ALLOWED_SIGNED_IN,
        POST=MODERATE,
        params=report,
        writes=("activities_report",),
    ),
]
