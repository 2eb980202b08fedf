"""The discussion services on PostgreSQL: starting, replying, editing, deleting, moderating, accepting an
answer, following, reporting and @mentions; bad input is refused with a clear message and changes nothing."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.utils import timezone

from activities.discussions import services
from activities.discussions.services import DiscussionError
from activities.models import Discussion, Follow, Mention, Reply, Report
from communities.models import Membership, Participation
from core.rules import NotPermitted, Refused
from members.services import notification_preferences_update
from tests.factories import CommunityFactory, SponsorshipFactory, UserFactory, coordinator_of, member_of

PREFIX = f"[{settings.SITE_NAME}] "
pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Open Data Practice")


@pytest.fixture
def coordinator(community):
    return coordinator_of(community, user__full_name="Cora Coordinator", user__email="cora@example.org")


@pytest.fixture
def asker(community):
    return member_of(community, user__full_name="Ada Asker", user__email="ada.asker@example.org")


@pytest.fixture
def answerer(community):
    return member_of(community, user__full_name="Ben Answerer", user__email="ben@example.org")


@pytest.fixture
def discussion(asker, community):
    return services.discussion_start(
        author=asker, community=community, title="How do you version datasets?", body="We keep copies."
    )


def reply_to(discussion, author, body="Try a manifest file.", capture=None):
    return services.reply_add(author=author, discussion=discussion, body=body)


def mail_to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if user.email in m.to]


def fresh(obj):
    obj.refresh_from_db()
    return obj


ROW_MODELS = (Discussion, Reply, Follow, Mention, Report, Participation)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


@contextmanager
def refused(match: str, mailoutbox=None, *, error: type[Refused] = DiscussionError):
    """The call raises `error` (bad input: a DiscussionError) with that message and no row of any discussion
    table changes."""
    before = row_counts()
    sent = len(mailoutbox) if mailoutbox is not None else 0
    with pytest.raises(error) as info:
        yield
    assert match in " ".join(info.value.messages)
    assert row_counts() == before
    if mailoutbox is not None:
        assert len(mailoutbox) == sent


def not_permitted(match: str, mailoutbox=None):
    """The call is refused by a rule (`NotPermitted`, not a DiscussionError) with that message; nothing changes."""
    return refused(match, mailoutbox, error=NotPermitted)


# --- Starting -------------------------------------------------------------------------------------------


def test_starting_records_the_post_in_the_ledger_and_the_author_follows(asker, community):
    discussion = services.discussion_start(
        author=asker, community=community, title="  Naming columns  ", body="  snake_case or not?  "
    )
    assert discussion.title == "Naming columns"
    assert discussion.body == "snake_case or not?"
    assert discussion.last_activity_at == discussion.created_at
    assert discussion.reply_count == 0 and discussion.first_answer_at is None
    assert Follow.objects.filter(discussion=discussion, user=asker).exists()
    ledger = Participation.objects.get(user=asker, kind=Participation.Kind.POSTED)
    assert ledger.community == community
    assert ledger.source == f"discussion:{discussion.pk}"


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "A body", "Give the discussion a title"),
        ("   ", "A body", "Give the discussion a title"),
        ("A title", "", "cannot be empty"),
        ("A title", " \n\t ", "cannot be empty"),
        ("x" * 201, "A body", "under 200 characters"),
        ("A title", "x" * 1_000_000, "too long (1,000,000 characters)"),
    ],
)
def test_starting_with_bad_text_changes_nothing(asker, community, mailoutbox, title, body, message):
    with refused(message, mailoutbox):
        services.discussion_start(author=asker, community=community, title=title, body=body)


def test_a_non_member_cannot_start_a_discussion(community, mailoutbox):
    outsider = UserFactory()
    with not_permitted("Join Open Data Practice to take part", mailoutbox):
        services.discussion_start(author=outsider, community=community, title="Hi", body="Hello")


def test_someone_whose_request_is_pending_cannot_start_one(community):
    pending = member_of(community, status=Membership.Status.REQUESTED)
    with not_permitted("Join Open Data Practice"):
        services.discussion_start(author=pending, community=community, title="Hi", body="Hello")


def test_nobody_starts_a_discussion_in_an_archived_community(asker, community):
    community.archived_at = timezone.now()
    community.save()
    with not_permitted("is archived"):
        services.discussion_start(author=asker, community=community, title="Hi", body="Hello")


# --- Replying -------------------------------------------------------------------------------------------


def test_a_reply_counts_is_recorded_and_its_author_follows(discussion, answerer, community):
    before = fresh(discussion).last_activity_at
    reply = reply_to(discussion, answerer)
    discussion = fresh(discussion)
    assert discussion.reply_count == 1
    assert discussion.last_activity_at == reply.created_at > before
    assert discussion.first_answer_at == reply.created_at
    assert discussion.is_answered
    assert Follow.objects.filter(discussion=discussion, user=answerer).exists()
    ledger = Participation.objects.get(user=answerer, kind=Participation.Kind.REPLIED)
    assert (ledger.community, ledger.source) == (community, f"reply:{reply.pk}")


def test_the_authors_own_reply_does_not_answer_the_question(discussion, asker, answerer):
    reply_to(discussion, asker, "Adding detail: we use S3.")
    assert fresh(discussion).reply_count == 1
    assert fresh(discussion).first_answer_at is None
    answer = reply_to(discussion, answerer)
    reply_to(discussion, answerer, "And a second thought.")
    discussion = fresh(discussion)
    assert discussion.reply_count == 3
    assert discussion.first_answer_at == answer.created_at  # the first answer stays the first


def test_followers_except_the_replier_are_mailed_as_they_chose(
    discussion, asker, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    """Immediately → a mail now; daily, weekly or off → nothing now (the digests pick them up)."""
    daily, weekly, off = (member_of(community) for _ in range(3))
    for person, frequency in ((daily, "daily"), (weekly, "weekly"), (off, "off")):
        notification_preferences_update(user=person, choices={"discussion_replies": frequency})
        services.follow_set(user=person, discussion=discussion, follow=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply = reply_to(discussion, answerer, "Use a manifest with checksums.")
    assert callbacks  # the mail is enqueued on commit, not before
    assert [m.to for m in mailoutbox] == [[asker.email]]
    assert mailoutbox[0].subject == f"{PREFIX}Ben Answerer replied to “How do you version datasets?”"
    assert f"{settings.SITE_URL}{reply.get_absolute_url()}" in mailoutbox[0].body

    # The asker answers back: now the answerer (a follower since replying) is mailed, not the asker.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, asker, "Thanks!")
    assert [m.to for m in mailoutbox] == [[answerer.email]]


def test_nothing_is_mailed_when_the_reply_is_rolled_back(discussion, answerer, mailoutbox):
    """Without a commit the task never runs (the test transaction is never committed)."""
    reply_to(discussion, answerer)
    assert mailoutbox == []


def test_a_follower_who_left_a_private_community_is_not_mailed(
    asker, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility="private")
    ada = member_of(private, user__email="ada.private@example.org")
    leaver_membership = Membership.objects.create(
        community=private, user=UserFactory(), status="active", level="active", joined_at=timezone.now()
    )
    replier = member_of(private)
    discussion = services.discussion_start(author=ada, community=private, title="Secret", body="Shh")
    services.follow_set(user=leaver_membership.user, discussion=discussion, follow=True)
    leaver_membership.status = Membership.Status.LEFT
    leaver_membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, replier)
    assert [m.to for m in mailoutbox] == [[ada.email]]


def test_deactivated_followers_are_not_mailed(
    discussion, asker, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    asker.is_active = False
    asker.save()
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer)
    assert mailoutbox == []


def test_replies_to_a_locked_discussion_are_refused(discussion, coordinator, answerer, mailoutbox):
    services.discussion_lock(actor=coordinator, discussion=discussion, locked=True)
    with not_permitted("locked", mailoutbox):
        reply_to(discussion, answerer)
    assert fresh(discussion).reply_count == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "cannot be empty"), ("   ", "cannot be empty"), ("y" * 1_048_576, "too long")],
)
def test_a_reply_with_bad_text_changes_nothing(discussion, answerer, body, message):
    before = fresh(discussion)
    with refused(message):
        reply_to(discussion, answerer, body)
    after = fresh(discussion)
    assert (after.reply_count, after.last_activity_at, after.first_answer_at) == (
        before.reply_count,
        before.last_activity_at,
        before.first_answer_at,
    )


def test_a_non_member_cannot_reply(discussion, mailoutbox):
    with not_permitted("Join Open Data Practice", mailoutbox):
        reply_to(discussion, UserFactory())


def test_nobody_replies_in_an_archived_community(discussion, answerer, community):
    community.archived_at = timezone.now()
    community.save()
    with not_permitted("is archived"):
        reply_to(discussion, answerer)


def test_nobody_replies_to_a_hidden_or_deleted_discussion(discussion, asker, coordinator, answerer):
    services.post_hide(actor=coordinator, post=discussion, reason="Off topic")
    with not_permitted("no longer open for replies"):
        reply_to(discussion, answerer)
    services.post_unhide(actor=coordinator, post=discussion)
    services.post_delete(user=asker, post=discussion)
    with not_permitted("no longer open for replies"):
        reply_to(discussion, answerer)


# --- Editing --------------------------------------------------------------------------------------------


def test_the_author_edits_their_discussion_and_it_is_marked_edited(discussion, asker):
    edited = services.post_edit(user=asker, post=discussion, title="Versioning datasets", body="New text")
    discussion = fresh(discussion)
    assert (discussion.title, discussion.body) == ("Versioning datasets", "New text")
    assert discussion.edited_at is not None and discussion.edited_at >= discussion.created_at
    assert edited.edited_at == discussion.edited_at


def test_the_author_edits_their_reply(discussion, answerer):
    reply = reply_to(discussion, answerer)
    services.post_edit(user=answerer, post=reply, body="Better: a manifest with checksums.")
    reply = fresh(reply)
    assert reply.body == "Better: a manifest with checksums."
    assert reply.edited_at is not None


def test_nobody_edits_someone_elses_post(discussion, answerer, coordinator):
    reply = reply_to(discussion, answerer)
    for person, post in ((answerer, discussion), (coordinator, discussion), (coordinator, reply)):
        with not_permitted("You can only edit what you wrote."):
            services.post_edit(user=person, post=post, body="Mine now", title="Mine")
    assert fresh(discussion).edited_at is None and fresh(reply).edited_at is None
    assert fresh(discussion).title == "How do you version datasets?"


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [("", "Text", "title"), ("Title", "", "cannot be empty"), ("Title", "z" * 1_000_000, "too long")],
)
def test_an_edit_with_bad_text_keeps_the_post(discussion, asker, title, body, message):
    with refused(message):
        services.post_edit(user=asker, post=discussion, title=title, body=body)
    discussion = fresh(discussion)
    assert (discussion.title, discussion.body, discussion.edited_at) == (
        "How do you version datasets?",
        "We keep copies.",
        None,
    )


def test_a_deleted_post_cannot_be_edited(discussion, answerer):
    reply = reply_to(discussion, answerer)
    services.post_delete(user=answerer, post=reply)
    with refused("deleted"):
        services.post_edit(user=answerer, post=reply, body="Back")


def test_a_removed_member_no_longer_changes_their_posts(
    discussion, asker, answerer, coordinator, community, mailoutbox, django_capture_on_commit_callbacks
):
    """Changing a post takes the standing posting takes: removed, the author can neither edit (and so mention
    and mail people), nor delete, nor accept an answer (issue 14, item 2)."""
    reply = reply_to(discussion, answerer, "Try a manifest file.")
    member_of(community, user__email="grace.mensah@example.org")
    Membership.objects.filter(community=community, user=answerer).update(status=Membership.Status.REMOVED)
    Membership.objects.filter(community=community, user=asker).update(status=Membership.Status.REMOVED)
    with django_capture_on_commit_callbacks(execute=True), not_permitted("no longer a member"):
        services.post_edit(user=answerer, post=reply, body="Ask @grace.mensah")
    with not_permitted("no longer a member"):
        services.post_delete(user=answerer, post=reply)
    with not_permitted("no longer a member"):
        services.reply_accept(actor=asker, discussion=discussion, reply=reply)
    reply = fresh(reply)
    assert (reply.body, reply.edited_at, reply.deleted_at) == ("Try a manifest file.", None, None)
    assert fresh(discussion).accepted_reply is None and not Mention.objects.exists() and not mailoutbox
    # A coordinator still accepts it.
    services.reply_accept(actor=coordinator, discussion=discussion, reply=reply)
    assert fresh(discussion).accepted_reply == reply


def test_a_hidden_post_stays_as_the_coordinator_left_it(discussion, answerer, coordinator):
    """Its author cannot edit a reply a coordinator hid; deleting it stays possible (issue 14, item 2)."""
    reply = reply_to(discussion, answerer, "Off-topic rant")
    services.post_hide(actor=coordinator, post=reply, reason="Off-topic")
    with not_permitted("hid this post"):
        services.post_edit(user=answerer, post=reply, body="Now about something else")
    assert fresh(reply).body == "Off-topic rant" and reply.edited_at is None
    services.post_delete(user=answerer, post=reply)
    assert fresh(reply).deleted_at is not None


def test_new_mentions_in_an_edit_are_notified_once(
    discussion, asker, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    grace = member_of(community, user__email="grace.mensah@example.org", user__full_name="Grace Mensah")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(user=asker, post=discussion, body="Any thoughts, @grace.mensah?")
    assert [m.to for m in mail_to(mailoutbox, grace)] == [[grace.email]]
    assert Mention.objects.filter(discussion=discussion, reply=None, user=grace).count() == 1

    # A second edit that still names her (and adds Ben) notifies only Ben.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(user=asker, post=discussion, body="Any thoughts, @grace.mensah? Or @ben?")
    assert [m.to for m in mailoutbox] == [[answerer.email]]
    assert Mention.objects.filter(discussion=discussion).count() == 2

    # The same for a reply.
    mailoutbox.clear()
    reply = reply_to(discussion, answerer, "I'd ask around.")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(user=answerer, post=reply, body="I'd ask @grace.mensah.")
        services.post_edit(user=answerer, post=reply, body="I'd ask @grace.mensah, really.")
    assert [m.to for m in mail_to(mailoutbox, grace)] == [[grace.email]]


# --- Deleting -------------------------------------------------------------------------------------------


def test_deleting_a_reply_leaves_a_placeholder_and_recounts(discussion, asker, answerer):
    first = reply_to(discussion, answerer)
    second = reply_to(discussion, asker, "Thanks")
    services.reply_accept(actor=asker, discussion=discussion, reply=first)
    services.post_delete(user=answerer, post=first)
    first = fresh(first)
    assert first.is_deleted and first.body == "Try a manifest file."  # kept, shown as "deleted by its author"
    assert Reply.objects.filter(pk=first.pk).exists()
    discussion = fresh(discussion)
    assert discussion.reply_count == 1
    assert discussion.first_answer_at is None  # the only answer by someone else is gone
    assert discussion.accepted_reply is None
    assert discussion.last_activity_at == second.created_at


def test_deleting_the_discussion_keeps_its_row(discussion, asker, answerer):
    reply_to(discussion, answerer)
    services.post_delete(user=asker, post=discussion)
    discussion = fresh(discussion)
    assert discussion.is_deleted
    assert discussion.reply_count == 1 and discussion.replies.count() == 1


def test_only_the_author_deletes_and_only_once(discussion, asker, answerer, coordinator):
    reply = reply_to(discussion, answerer)
    for person, post in ((answerer, discussion), (coordinator, reply), (asker, reply)):
        with not_permitted("You can only delete what you wrote."):
            services.post_delete(user=person, post=post)
    services.post_delete(user=answerer, post=reply)
    with refused("already deleted"):
        services.post_delete(user=answerer, post=reply)


def test_nothing_is_deleted_in_an_archived_community(discussion, asker, community):
    community.archived_at = timezone.now()
    community.save()
    with not_permitted("is archived"):
        services.post_delete(user=asker, post=discussion)
    assert not fresh(discussion).is_deleted


# --- Hiding and unhiding --------------------------------------------------------------------------------


def test_a_coordinator_hides_a_reply_with_a_reason(discussion, asker, answerer, coordinator):
    reply = reply_to(discussion, answerer)
    services.reply_accept(actor=asker, discussion=discussion, reply=reply)
    report = services.post_report(reporter=asker, post=reply, reason="Rude")
    other_report = services.post_report(reporter=asker, post=discussion, reason="Duplicate")
    services.post_hide(actor=coordinator, post=reply, reason="  Personal attack  ")
    reply = fresh(reply)
    assert reply.is_hidden and reply.hidden_by == coordinator and reply.hidden_reason == "Personal attack"
    assert not reply.is_deleted
    discussion = fresh(discussion)
    assert discussion.reply_count == 0
    assert discussion.first_answer_at is None
    assert discussion.accepted_reply is None
    assert discussion.last_activity_at == discussion.created_at
    assert fresh(report).resolved_at is not None and fresh(report).resolved_by == coordinator
    assert fresh(other_report).resolved_at is None  # a report on the discussion itself stays open

    services.post_unhide(actor=coordinator, post=reply)
    reply = fresh(reply)
    assert not reply.is_hidden and reply.hidden_by is None and reply.hidden_reason == ""
    discussion = fresh(discussion)
    assert discussion.reply_count == 1
    assert discussion.first_answer_at == reply.created_at
    assert discussion.accepted_reply is None  # the mark is not restored: someone has to accept it again


def test_a_coordinator_hides_a_discussion_and_its_reports_are_resolved(discussion, answerer, coordinator):
    report = services.post_report(reporter=answerer, post=discussion, reason="Spam")
    services.post_hide(actor=coordinator, post=discussion, reason="Spam")
    assert fresh(discussion).is_hidden
    assert fresh(report).resolved_by == coordinator
    services.post_unhide(actor=coordinator, post=discussion)
    assert not fresh(discussion).is_hidden


def test_only_coordinators_hide_and_unhide(discussion, asker, answerer, coordinator):
    reply = reply_to(discussion, answerer)
    for person in (asker, answerer, UserFactory(), UserFactory(is_staff=True)):
        with not_permitted("Only the community's coordinators"):
            services.post_hide(actor=person, post=reply, reason="No")
    services.post_hide(actor=coordinator, post=reply, reason="Off topic")
    with not_permitted("Only the community's coordinators"):
        services.post_unhide(actor=answerer, post=reply)
    assert fresh(reply).is_hidden


def test_hiding_needs_a_reason_and_happens_once(discussion, answerer, coordinator):
    reply = reply_to(discussion, answerer)
    for reason in ("", "   "):
        with refused("Say why it is hidden"):
            services.post_hide(actor=coordinator, post=reply, reason=reason)
    assert not fresh(reply).is_hidden
    services.post_hide(actor=coordinator, post=reply, reason="Off topic")
    with refused("already hidden"):
        services.post_hide(actor=coordinator, post=reply, reason="Again")
    assert fresh(reply).hidden_reason == "Off topic"


# --- Pinning and locking --------------------------------------------------------------------------------


def test_coordinators_pin_and_lock(discussion, coordinator, answerer):
    services.discussion_pin(actor=coordinator, discussion=discussion, pinned=True)
    services.discussion_lock(actor=coordinator, discussion=discussion, locked=True)
    assert fresh(discussion).pinned and fresh(discussion).locked
    services.discussion_pin(actor=coordinator, discussion=discussion, pinned=False)
    services.discussion_lock(actor=coordinator, discussion=discussion, locked=False)
    assert not fresh(discussion).pinned and not fresh(discussion).locked
    reply_to(discussion, answerer)  # unlocked again: replies are welcome


def test_members_and_the_author_cannot_pin_or_lock(discussion, asker, answerer):
    for person in (asker, answerer):
        with not_permitted("Only the community's coordinators"):
            services.discussion_pin(actor=person, discussion=discussion, pinned=True)
        with not_permitted("Only the community's coordinators"):
            services.discussion_lock(actor=person, discussion=discussion, locked=True)
    assert not fresh(discussion).pinned and not fresh(discussion).locked


# --- Accepting an answer --------------------------------------------------------------------------------


def test_the_author_accepts_and_moves_the_mark(discussion, asker, answerer, community):
    first = reply_to(discussion, answerer)
    second = reply_to(discussion, member_of(community), "Or git-annex.")
    services.reply_accept(actor=asker, discussion=discussion, reply=first)
    assert fresh(discussion).accepted_reply == first and fresh(discussion).is_solved
    services.reply_accept(actor=asker, discussion=discussion, reply=second)
    assert fresh(discussion).accepted_reply == second
    services.reply_accept(actor=asker, discussion=discussion, reply=None)
    assert fresh(discussion).accepted_reply is None and not fresh(discussion).is_solved


def test_a_coordinator_accepts_but_another_member_cannot(discussion, answerer, coordinator, community):
    reply = reply_to(discussion, answerer)
    with not_permitted("Only the person who asked, or a coordinator"):
        services.reply_accept(actor=answerer, discussion=discussion, reply=reply)
    assert fresh(discussion).accepted_reply is None
    services.reply_accept(actor=coordinator, discussion=discussion, reply=reply)
    assert fresh(discussion).accepted_reply == reply


def test_a_reply_from_another_discussion_is_refused(discussion, asker, answerer, community):
    elsewhere = services.discussion_start(author=answerer, community=community, title="Other", body="Text")
    stranger = reply_to(elsewhere, asker)
    with refused("belongs to another discussion"):
        services.reply_accept(actor=asker, discussion=discussion, reply=stranger)
    assert fresh(discussion).accepted_reply is None


def test_a_hidden_or_deleted_reply_cannot_be_accepted(discussion, asker, answerer, coordinator):
    hidden = reply_to(discussion, answerer)
    services.post_hide(actor=coordinator, post=hidden, reason="Off topic")
    with refused("hidden or deleted reply"):
        services.reply_accept(actor=asker, discussion=discussion, reply=fresh(hidden))
    deleted = reply_to(discussion, answerer, "Another")
    services.post_delete(user=answerer, post=deleted)
    with refused("hidden or deleted reply"):
        services.reply_accept(actor=asker, discussion=discussion, reply=fresh(deleted))
    assert fresh(discussion).accepted_reply is None


# --- Following ------------------------------------------------------------------------------------------


def test_follow_and_unfollow_in_one_click(discussion, answerer):
    assert services.follow_set(user=answerer, discussion=discussion, follow=True) is True
    assert services.follow_set(user=answerer, discussion=discussion, follow=True) is True  # idempotent
    assert Follow.objects.filter(discussion=discussion, user=answerer).count() == 1
    assert services.follow_set(user=answerer, discussion=discussion, follow=False) is False
    assert services.follow_set(user=answerer, discussion=discussion, follow=False) is False
    assert not Follow.objects.filter(discussion=discussion, user=answerer).exists()


def test_the_author_can_unfollow_and_then_gets_no_mail(
    discussion, asker, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow_set(user=asker, discussion=discussion, follow=False)
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer)
    assert mailoutbox == []


def test_outsiders_cannot_follow_a_private_discussion():
    private = CommunityFactory(visibility="private")
    discussion = services.discussion_start(
        author=member_of(private), community=private, title="Inside", body="Only us"
    )
    with not_permitted("You cannot follow this discussion."):
        services.follow_set(user=UserFactory(), discussion=discussion, follow=True)
    sponsor = SponsorshipFactory(community=private).sponsor
    assert services.follow_set(user=sponsor, discussion=discussion, follow=True) is True


# --- Reporting and resolving ----------------------------------------------------------------------------


def test_a_member_reports_and_the_coordinators_are_mailed(
    discussion, answerer, coordinator, community, mailoutbox, django_capture_on_commit_callbacks
):
    second = coordinator_of(community)
    off = coordinator_of(community)
    notification_preferences_update(user=off, choices={"discussion_reports": "off"})
    reply = reply_to(discussion, answerer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.post_report(reporter=discussion.author, post=reply, reason="  Insulting  ")
    assert (report.reply, report.discussion, report.reason) == (reply, discussion, "Insulting")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([coordinator.email, second.email])


def test_a_report_needs_a_member_and_a_reason_and_is_not_duplicated(
    discussion, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    with not_permitted("Join Open Data Practice", mailoutbox):
        services.post_report(reporter=UserFactory(), post=discussion, reason="Spam")
    with refused("Say what is wrong with it", mailoutbox):
        services.post_report(reporter=answerer, post=discussion, reason="  ")
    services.post_report(reporter=answerer, post=discussion, reason="Spam")
    with refused("You already reported this", mailoutbox):
        services.post_report(reporter=answerer, post=discussion, reason="Still spam")
    # Another member may report it too, and the same member may report a reply of it.
    services.post_report(reporter=member_of(community), post=discussion, reason="Spam")
    services.post_report(reporter=answerer, post=reply_to(discussion, discussion.author), reason="Spam")
    assert Report.objects.count() == 3


def test_a_coordinator_resolves_a_report_once(discussion, answerer, coordinator):
    report = services.post_report(reporter=answerer, post=discussion, reason="Spam")
    with not_permitted("Only the community's coordinators"):
        services.report_resolve(actor=answerer, report=report)
    assert fresh(report).resolved_at is None
    services.report_resolve(actor=coordinator, report=report)
    report = fresh(report)
    assert report.resolved_at is not None and report.resolved_by == coordinator
    with refused("already dealt with"):
        services.report_resolve(actor=coordinator, report=report)
    # Once resolved, the same member may report it again.
    services.post_report(reporter=answerer, post=discussion, reason="Back again")


# --- Mentions -------------------------------------------------------------------------------------------


def test_a_mentioned_member_is_notified(
    discussion, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    grace = member_of(community, user__email="grace.mensah@example.org", user__full_name="Grace Mensah")
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_to(discussion, answerer, "@Grace.Mensah knows this (see grace.mensah@example.org).")
    assert Mention.objects.get(user=grace).reply == reply
    mails = mail_to(mailoutbox, grace)
    assert len(mails) == 1
    assert mails[0].subject == f"{PREFIX}Ben Answerer mentioned you in “How do you version datasets?”"
    assert f"{settings.SITE_URL}{reply.get_absolute_url()}" in mails[0].body


def test_mentions_follow_the_preference(
    discussion, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    grace = member_of(community, user__email="grace@example.org")
    notification_preferences_update(user=grace, choices={"mentions": "daily"})
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer, "Ask @grace")
    assert Mention.objects.filter(user=grace).exists()  # recorded (for the digest), not mailed now
    assert mail_to(mailoutbox, grace) == []


def test_a_mention_in_a_new_discussion_notifies(
    asker, community, mailoutbox, django_capture_on_commit_callbacks
):
    grace = member_of(community, user__email="grace@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        discussion = services.discussion_start(
            author=asker, community=community, title="Question", body="@grace, how do you do it?"
        )
    assert Mention.objects.get(user=grace).discussion == discussion
    assert [m.to for m in mailoutbox] == [[grace.email]]


def test_someone_who_may_not_see_a_private_community_is_not_notified(
    mailoutbox, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility="private")
    author = member_of(private)
    outsider = UserFactory(email="olga@example.org")
    left = member_of(private, user__email="lena@example.org", status=Membership.Status.LEFT)
    sponsor = SponsorshipFactory(
        community=private, sponsor=UserFactory(email="sam.sponsor@example.org")
    ).sponsor
    staff = UserFactory(email="stella@example.org", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.discussion_start(
            author=author, community=private, title="Inside", body="@olga @lena @sam.sponsor @stella"
        )
    assert set(Mention.objects.values_list("user", flat=True)) == {sponsor.pk, staff.pk}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([sponsor.email, staff.email])
    assert outsider.email not in {m.to[0] for m in mailoutbox}
    assert left.email not in {m.to[0] for m in mailoutbox}


def test_anyone_may_be_mentioned_in_a_listed_community(
    discussion, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    visitor = UserFactory(email="vic@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer, "@vic might know")
    assert mail_to(mailoutbox, visitor)


def test_an_ambiguous_handle_notifies_nobody(
    discussion, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="kim@example.org")
    UserFactory(email="KIM@other.example.net")
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer, "Ask @kim")
    assert not Mention.objects.exists()
    assert [m.to for m in mailoutbox] == [[discussion.author.email]]  # only the follower's reply mail


def test_the_author_mentioning_themselves_is_ignored(
    discussion, answerer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer, "As I, @ben, said before")
    assert not Mention.objects.exists()
    assert mail_to(mailoutbox, answerer) == []


def test_deactivated_people_are_not_mentioned(
    discussion, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    gone = member_of(community, user__email="gone@example.org", user__is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(discussion, answerer, "@gone used to know")
    assert not Mention.objects.exists()
    assert mail_to(mailoutbox, gone) == []


def test_a_person_deactivated_after_the_mention_is_not_mailed(
    discussion, answerer, community, mailoutbox, django_capture_on_commit_callbacks
):
    grace = member_of(community, user__email="grace@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        reply_to(discussion, answerer, "Ask @grace")
    grace.is_active = False
    grace.save()
    for callback in callbacks:
        callback()
    assert mail_to(mailoutbox, grace) == []


def test_mentioned_users_reads_handles_not_addresses(community):
    grace = member_of(community, user__email="grace.mensah@example.org")
    plus = member_of(community, user__email="a+b@example.org")
    assert services.mention_handle(grace) == "grace.mensah"
    assert services.mentioned_users("write to grace.mensah@example.org") == []
    assert services.mentioned_users("thanks @grace.mensah.") == [grace]
    assert services.mentioned_users("(@a+b)") == [plus]
    assert services.mentioned_users("@nobody-here") == []
