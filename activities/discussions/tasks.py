"""Mail about discussions: new replies to followers, mentions, reports to coordinators. Tasks take ids."""

# Task names are kept from where the tasks first lived (a contract with messages already queued and with the
# beat schedule), whatever module holds them now.

import logging
from functools import partial

from celery import shared_task
from django.contrib.auth import get_user_model

from activities.discussions import selectors
from activities.discussions.models import Discussion, Follow, Mention, Reply, Report
from core.mail import send_templated_mail
from members.notifications import Frequency
from members.services import notification_frequency

logger = logging.getLogger(__name__)

REPLIES = "discussion_replies"
MENTIONS = "mentions"
REPORTS = "discussion_reports"


def _now_for(user, kind: str) -> bool:
    """Whether this person wants this kind of mail right away (daily and weekly ones go into digests)."""
    return user.is_active and notification_frequency(user=user, kind=kind) == Frequency.IMMEDIATELY


def _mail_now(people, *, template: str, context: dict, kind: str) -> int:
    """Mail each of `people` who wants this kind right away; how many mails went out."""
    return sum(
        send_templated_mail(template=template, to=person, context=context, kind=kind)
        for person in people
        if _now_for(person, kind)
    )


# Mail goes out again when the mail server is away for a moment (an OSError), with growing pauses.
_mail_task = partial(shared_task, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)


@_mail_task(name="activities.discussion_tasks.send_reply_mail")
def send_reply_mail(reply_id: int) -> int:
    """Tell the followers of a discussion (except the replier) about a new reply."""
    reply = Reply.objects.select_related("discussion__community", "author").filter(pk=reply_id).first()
    if reply is None or reply.is_hidden or reply.is_deleted:
        return 0
    discussion = reply.discussion
    if discussion.is_hidden or discussion.is_deleted:
        return 0
    followers = selectors.readers_among(
        (
            follow.user
            for follow in Follow.objects.filter(discussion=discussion)
            .exclude(user_id=reply.author_id)
            .select_related("user")
        ),
        discussion.community,
    )
    context = {
        "discussion": discussion,
        "reply": reply,
        "community": discussion.community,
        "action_url": reply.get_absolute_url(),
        "unfollow_url": discussion.get_absolute_url(),
    }
    # Someone this reply mentions gets the mention mail, which says more: one mail, not two (if they get mention
    # mails right away; otherwise the reply mail is still theirs).
    mentioned = set(Mention.objects.filter(reply=reply).values_list("user_id", flat=True))
    told = [
        follower for follower in followers if not (follower.pk in mentioned and _now_for(follower, MENTIONS))
    ]
    return _mail_now(told, template="activities/reply", context=context, kind=REPLIES)


@_mail_task(name="activities.discussion_tasks.send_mention_mail")
def send_mention_mail(discussion_id: int, reply_id: int | None, user_ids: list[int]) -> int:
    """Tell people they were mentioned (only those the service found may see the community)."""
    discussion = Discussion.objects.select_related("community", "author").filter(pk=discussion_id).first()
    if discussion is None:
        return 0
    reply = Reply.objects.select_related("author").filter(pk=reply_id).first() if reply_id else None
    post = reply or discussion
    if post.is_hidden or post.is_deleted or discussion.is_hidden:
        return 0
    context = {
        "discussion": discussion,
        "reply": reply,
        "post": post,
        "community": discussion.community,
        "action_url": post.get_absolute_url(),
    }
    mentioned = get_user_model().objects.filter(pk__in=user_ids)
    return _mail_now(mentioned, template="activities/mention", context=context, kind=MENTIONS)


@_mail_task(name="activities.discussion_tasks.send_report_mail")
def send_report_mail(report_id: int) -> int:
    """Tell the community's coordinators that a post was reported."""
    report = (
        Report.objects.select_related("discussion__community", "reply", "reporter")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.resolved_at:
        return 0
    community = report.discussion.community
    coordinators = get_user_model().objects.filter(
        pk__in=community.memberships.coordinators().values("user_id")
    )
    context = {
        "report": report,
        "discussion": report.discussion,
        "community": community,
        "action_url": report.post.get_absolute_url(),
    }
    return _mail_now(coordinators, template="activities/report", context=context, kind=REPORTS)
