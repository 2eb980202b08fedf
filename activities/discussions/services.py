"""Writes for discussions: start, reply, edit, delete, accept an answer, follow, report, and moderation.

Each function is atomic, enforces who may do it (`activities.discussions.rules`: `NotPermitted`), refuses bad
input with a `DiscussionError` naming the field it is about (nothing changed), records participation in the
ledger, and mails (replies to followers, mentions, reports) through tasks enqueued on commit.
"""

import re
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from activities.discussions import rules, selectors, tasks
from activities.discussions.models import Discussion, Follow, Mention, Reply, Report
from communities.access import access_for
from communities.models import Community, Participation
from communities.services import participation_record
from core.rules import Refused, require
from members.models import User

MAX_TITLE = 200
MAX_BODY = 50_000  # characters; a post of a megabyte is refused
MENTION_PATTERN = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._+-]*[A-Za-z0-9])")


class DiscussionError(Refused):
    """Bad input, or a post in a state that does not allow it: a message for the person who tried, keyed by the
    form field it is about where there is one (nothing was changed)."""


# --- Checks ---------------------------------------------------------------------------------------------


def too_long(body: str) -> str:
    """What is said of a text over MAX_BODY characters (by the service, and by the preview before it)."""
    return f"The text is too long ({len(body):,} characters); keep it under {MAX_BODY:,}."


def _clean_text(*, body: str, title: str | None = None) -> tuple[str, str | None]:
    if title is not None:
        title = title.strip()
        if not title:
            raise DiscussionError({"title": "Give the discussion a title: what is it about, in a few words?"})
        if len(title) > MAX_TITLE:
            raise DiscussionError({"title": f"Keep the title under {MAX_TITLE} characters."})
    if not body or not body.strip():
        raise DiscussionError({"body": "Write something: the text cannot be empty."})
    if len(body) > MAX_BODY:
        raise DiscussionError({"body": too_long(body)})
    return body.strip(), title


# --- Mentions -------------------------------------------------------------------------------------------


def mention_handle(user: User) -> str:
    """How people mention someone: the part of their address before the @ (e.g. @grace.mensah)."""
    return user.email.split("@", 1)[0]


def mentioned_users(body: str) -> list[User]:
    """Active people @mentioned in a text (a handle shared by two people mentions nobody)."""
    handles = {h.lower() for h in MENTION_PATTERN.findall(body)}
    if not handles:
        return []
    query = Q()
    for handle in handles:
        query |= Q(email__istartswith=f"{handle}@")
    found: dict[str, list[User]] = {}
    for user in User.objects.filter(query, is_active=True):
        found.setdefault(mention_handle(user).lower(), []).append(user)
    return [people[0] for people in found.values() if len(people) == 1]


def _record_mentions(
    *, discussion: Discussion, reply: Reply | None, body: str, author: User, at: datetime | None = None
) -> None:
    """Record new mentions and notify those who may see the community (never the author themselves)."""
    new = []
    others = [user for user in mentioned_users(body) if user.pk != author.pk]
    for user in selectors.readers_among(others, discussion.community):
        mention, created = Mention.objects.get_or_create(discussion=discussion, reply=reply, user=user)
        if created:
            new.append(user.pk)
            if at is not None:  # created_at is set on save (auto_now_add): back-date it after
                Mention.objects.filter(pk=mention.pk).update(created_at=at)
    if new:
        reply_id = reply.pk if reply else None
        transaction.on_commit(lambda: tasks.send_mention_mail.delay(discussion.pk, reply_id, new))


# --- Starting and replying ------------------------------------------------------------------------------


def _record_participation(post: Discussion | Reply, *, at: datetime) -> None:
    """The ledger's row for a new post: a discussion is "posted", a reply "replied"."""
    kind, source = (
        (Participation.Kind.POSTED, f"discussion:{post.pk}")
        if isinstance(post, Discussion)
        else (Participation.Kind.REPLIED, f"reply:{post.pk}")
    )
    community = _post_discussion(post).community
    participation_record(community=community, user=post.author, kind=kind, source=source, at=at)


def _follow(user: User, discussion: Discussion, at: datetime | None = None) -> None:
    follow, created = Follow.objects.get_or_create(discussion=discussion, user=user)
    if created and at is not None:  # created_at is set on save (auto_now_add): back-date it after
        Follow.objects.filter(pk=follow.pk).update(created_at=at)


@transaction.atomic
def discussion_start(
    *, author: User, community: Community, title: str, body: str, at: datetime | None = None
) -> Discussion:
    """A member asks a question or shares an experience; they follow it from then on. `at` back-dates it (demo
    data and tests; None is now): the post, the follow, the mentions and the ledger row."""
    access = access_for(author, community)
    require(rules.may_post(access), lambda: rules.post_refusal(access))
    body, title = _clean_text(body=body, title=title)
    now = at or timezone.now()
    discussion = Discussion.objects.create(
        community=community, author=author, title=title, body=body, created_at=now, last_activity_at=now
    )
    _follow(author, discussion, at)
    _record_participation(discussion, at=now)
    _record_mentions(discussion=discussion, reply=None, body=body, author=author, at=at)
    return discussion


def _locked_discussion(discussion: Discussion) -> Discussion:
    return Discussion.objects.select_for_update().select_related("community").get(pk=discussion.pk)


def _refresh_counts(discussion: Discussion) -> None:
    """Recount visible replies, the first answer and the latest activity (after hiding or deleting)."""
    visible = discussion.replies.shown()
    discussion.reply_count = visible.count()
    first_answer = visible.exclude(author_id=discussion.author_id).order_by("created_at").first()
    discussion.first_answer_at = first_answer.created_at if first_answer else None
    latest = visible.order_by("-created_at").first()
    discussion.last_activity_at = latest.created_at if latest else discussion.created_at
    discussion.save(update_fields=["reply_count", "first_answer_at", "last_activity_at"])


@transaction.atomic
def reply_add(*, author: User, discussion: Discussion, body: str, at: datetime | None = None) -> Reply:
    """A member replies; followers are mailed (as they chose), the replier follows from then on. `at` back-dates
    it (demo data and tests; None is now): the reply, the discussion's activity and first answer, the follow, the
    mentions and the ledger row."""
    discussion = _locked_discussion(discussion)
    access = access_for(author, discussion.community)
    require(rules.may_reply(access, discussion), lambda: rules.reply_refusal(access, discussion))
    body, _ = _clean_text(body=body)
    now = at or timezone.now()
    reply = Reply.objects.create(discussion=discussion, author=author, body=body, created_at=now)
    discussion.reply_count += 1
    discussion.last_activity_at = now
    if discussion.first_answer_at is None and author.pk != discussion.author_id:
        discussion.first_answer_at = now
    discussion.save(update_fields=["reply_count", "last_activity_at", "first_answer_at"])
    _follow(author, discussion, at)
    _record_participation(reply, at=now)
    _record_mentions(discussion=discussion, reply=reply, body=body, author=author, at=at)
    transaction.on_commit(lambda: tasks.send_reply_mail.delay(reply.pk))
    return reply


# --- Editing, deleting, moderating ----------------------------------------------------------------------


def _post_discussion(post: Discussion | Reply) -> Discussion:
    return post if isinstance(post, Discussion) else post.discussion


def _locked_post(post: Discussion | Reply) -> Discussion | Reply:
    model = type(post)
    related = ["community"] if model is Discussion else ["discussion__community"]
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=post.pk)


def _withdrawn(post: Discussion | Reply) -> None:
    """After a reply is deleted or hidden: it is no longer the accepted answer, and the counts leave it out."""
    if isinstance(post, Reply):
        discussion = _locked_discussion(post.discussion)
        if discussion.accepted_reply_id == post.pk:
            discussion.accepted_reply, discussion.solved_at = None, None
            discussion.save(update_fields=["accepted_reply", "solved_at"])
        _refresh_counts(discussion)


@transaction.atomic
def post_edit(
    *, user: User, post: Discussion | Reply, body: str, title: str | None = None
) -> Discussion | Reply:
    """Authors edit their own posts; the post shows an "edited" mark with the time."""
    post = _locked_post(post)
    discussion = _post_discussion(post)
    access = access_for(user, discussion.community)
    require(rules.may_edit_post(access, post), lambda: rules.change_refusal(access, post, "edit"))
    if post.is_deleted:
        raise DiscussionError("This post was deleted.")
    body, title = _clean_text(body=body, title=title if isinstance(post, Discussion) else None)
    post.body = body
    if isinstance(post, Discussion) and title is not None:
        post.title = title
    post.edited_at = timezone.now()
    post.save()
    _record_mentions(
        discussion=discussion, reply=post if isinstance(post, Reply) else None, body=body, author=user
    )
    return post


@transaction.atomic
def post_delete(*, user: User, post: Discussion | Reply) -> Discussion | Reply:
    """Authors delete their own posts; "deleted by its author" stays in the thread."""
    post = _locked_post(post)
    access = access_for(user, _post_discussion(post).community)
    require(rules.may_delete_post(access, post), lambda: rules.change_refusal(access, post, "delete"))
    if post.is_deleted:
        raise DiscussionError("This post was already deleted.")
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    _withdrawn(post)
    return post


def _require_moderator(actor: User, community: Community) -> None:
    access = access_for(actor, community)
    require(rules.may_moderate(access), lambda: rules.moderate_refusal(access))


@transaction.atomic
def post_hide(*, actor: User, post: Discussion | Reply, reason: str) -> Discussion | Reply:
    """A coordinator hides a post (not deleted): who and why are kept, and the author sees why."""
    post = _locked_post(post)
    discussion = _post_discussion(post)
    _require_moderator(actor, discussion.community)
    if post.is_hidden:
        raise DiscussionError("This post is already hidden.")
    if not reason.strip():
        raise DiscussionError({"reason": "Say why it is hidden: its author will see the reason."})
    post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), actor, reason.strip()[:300]
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _withdrawn(post)
    Report.objects.filter(
        discussion=discussion, reply=post if isinstance(post, Reply) else None, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=actor)
    return post


@transaction.atomic
def post_unhide(*, actor: User, post: Discussion | Reply) -> Discussion | Reply:
    """A coordinator shows a hidden post again, to every member."""
    post = _locked_post(post)
    discussion = _post_discussion(post)
    _require_moderator(actor, discussion.community)
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    if isinstance(post, Reply):
        _refresh_counts(_locked_discussion(discussion))
    return post


def _discussion_set(actor: User, discussion: Discussion, **flags: bool) -> Discussion:
    discussion = _locked_discussion(discussion)
    _require_moderator(actor, discussion.community)
    for name, value in flags.items():
        setattr(discussion, name, value)
    discussion.save(update_fields=list(flags))
    return discussion


@transaction.atomic
def discussion_pin(*, actor: User, discussion: Discussion, pinned: bool) -> Discussion:
    """A coordinator pins a discussion on top of the list, or unpins it."""
    return _discussion_set(actor, discussion, pinned=pinned)


@transaction.atomic
def discussion_lock(*, actor: User, discussion: Discussion, locked: bool) -> Discussion:
    """A coordinator locks a discussion (no new replies), or opens it again."""
    return _discussion_set(actor, discussion, locked=locked)


@transaction.atomic
def reply_accept(
    *, actor: User, discussion: Discussion, reply: Reply | None, at: datetime | None = None
) -> Discussion:
    """The discussion's author or a coordinator marks one reply as the accepted answer (None clears it);
    accepting another moves the mark. `at` back-dates the solving (demo data and tests; None is now)."""
    discussion = _locked_discussion(discussion)
    access = access_for(actor, discussion.community)
    require(rules.may_accept(access, discussion), lambda: rules.accept_refusal(access, discussion))
    if reply is not None:
        if reply.discussion_id != discussion.pk:
            raise DiscussionError("That reply belongs to another discussion.")
        if reply.is_hidden or reply.is_deleted:
            raise DiscussionError("A hidden or deleted reply cannot be the accepted answer.")
    if reply is None:
        discussion.solved_at = None
    elif reply.pk != discussion.accepted_reply_id:
        discussion.solved_at = at or timezone.now()
    discussion.accepted_reply = reply
    discussion.save(update_fields=["accepted_reply", "solved_at"])
    return discussion


# --- Following and reporting ----------------------------------------------------------------------------


@transaction.atomic
def follow_set(*, user: User, discussion: Discussion, follow: bool) -> bool:
    """Follow or unfollow a discussion (one click). Returns whether the member now follows it."""
    if follow:
        require(rules.may_follow(access_for(user, discussion.community)), rules.NO_FOLLOWING)
        _follow(user, discussion)
        return True
    Follow.objects.filter(discussion=discussion, user=user).delete()
    return False


@transaction.atomic
def post_report(*, reporter: User, post: Discussion | Reply, reason: str) -> Report:
    """A member reports a post to the coordinators, with a reason; they are told at once (as they chose)."""
    discussion = _post_discussion(post)
    access = access_for(reporter, discussion.community)
    require(rules.may_report(access), lambda: rules.post_refusal(access))
    reason = reason.strip()
    if not reason:
        raise DiscussionError({"reason": "Say what is wrong with it, so the coordinators can act."})
    reply = post if isinstance(post, Reply) else None
    if Report.objects.filter(
        discussion=discussion, reply=reply, reporter=reporter, resolved_at__isnull=True
    ).exists():
        raise DiscussionError("You already reported this; the coordinators will look at it.")
    report = Report.objects.create(discussion=discussion, reply=reply, reporter=reporter, reason=reason[:500])
    transaction.on_commit(lambda: tasks.send_report_mail.delay(report.pk))
    return report


@transaction.atomic
def report_resolve(*, actor: User, report: Report) -> Report:
    """A coordinator marks a report as dealt with (hiding the post resolves its reports too)."""
    report = Report.objects.select_for_update().select_related("discussion__community").get(pk=report.pk)
    _require_moderator(actor, report.discussion.community)
    if report.resolved_at:
        raise DiscussionError("This report was already dealt with.")
    report.resolved_at, report.resolved_by = timezone.now(), actor
    report.save(update_fields=["resolved_at", "resolved_by"])
    return report
