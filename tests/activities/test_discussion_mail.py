"""The three discussion mails (a new reply, a mention, a report), rendered with real data by their tasks and
delivered to a real SMTP server: a text and an HTML part, the subject, the recipient, absolute links to the site,
why the person got it and how to change that."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from activities.discussions import services, tasks
from members.services import notification_preferences_update
from tests.factories import CommunityFactory, coordinator_of, member_of

PREFIX = f"[{settings.SITE_NAME}] "
pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Open Data Practice", slug="open-data")


@pytest.fixture
def asker(community):
    return member_of(community, user__full_name="Ada Asker", user__email="ada@example.org")


@pytest.fixture
def answerer(community):
    return member_of(community, user__full_name="Ben Answerer", user__email="ben@example.org")


@pytest.fixture
def grace(community):
    return member_of(community, user__full_name="Grace Mensah", user__email="grace.mensah@example.org")


@pytest.fixture
def discussion(asker, community):
    return services.discussion_start(
        author=asker,
        community=community,
        title="How do you version <datasets> & files?",
        body="We keep copies in dated folders.",
    )


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML bodies of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def assert_links_are_absolute(text: str, html: str) -> None:
    for href in hrefs(html):
        assert href.startswith(f"{settings.SITE_URL}/"), href
    for url in re.findall(r"https?://\S+", text):
        assert url.startswith(f"{settings.SITE_URL}/"), url


def settings_url() -> str:
    return f"{settings.SITE_URL}{reverse('members:notifications')}"


def test_reply_mail(smtp_server, discussion, asker, answerer):
    reply = services.reply_add(
        author=answerer, discussion=discussion, body="Try a **manifest** with checksums <script>x</script>."
    )
    assert tasks.send_reply_mail(reply.pk) == 1  # the asker follows; the replier is not told of their reply

    (message,) = smtp_server.messages
    assert message["To"] == asker.email
    assert message["Subject"] == f"{PREFIX}Ben Answerer replied to “How do you version <datasets> & files?”"
    text, html = parts(message)
    reply_url = f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/#reply-{reply.pk}"
    thread_url = f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/"

    # The action first, as one absolute link; then the text; unfollowing and settings at the bottom.
    assert text.index("Hello Ada,") < text.index(f"Read the reply and answer:\n{reply_url}")
    assert text.index(reply_url) < text.index("Try a **manifest** with checksums")
    assert f'choose "Unfollow": {thread_url}' in text
    assert "because you follow “How do you version <datasets> & files?” in Open Data Practice" in text
    assert settings_url() in text

    assert hrefs(html)[:2] == [reply_url, reply_url]  # the button and the pasteable link
    assert thread_url in hrefs(html)
    assert settings_url() in hrefs(html)
    assert "How do you version &lt;datasets&gt; &amp; files?" in html  # escaped, not markup
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script" not in html
    assert "Unfollow" in html
    assert_links_are_absolute(text, html)


def test_reply_mail_goes_to_every_follower_who_wants_it_now(smtp_server, discussion, asker, answerer, grace):
    services.follow_set(user=grace, discussion=discussion, follow=True)
    weekly = member_of(discussion.community)
    notification_preferences_update(user=weekly, choices={"discussion_replies": "weekly"})
    services.follow_set(user=weekly, discussion=discussion, follow=True)
    reply = services.reply_add(author=answerer, discussion=discussion, body="Manifests.")
    assert tasks.send_reply_mail(reply.pk) == 2
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([asker.email, grace.email])


def test_a_reply_that_mentions_the_author_mails_them_once(
    smtp_server, discussion, asker, answerer, django_capture_on_commit_callbacks
):
    """The discussion's author follows it and is mentioned: the mention mail only (issue 14, item 10); with
    mention mails off, the reply mail still comes."""
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_add(author=answerer, discussion=discussion, body="@ada, try manifests.")
    assert [m["Subject"].split(" ")[3] for m in smtp_server.to(asker.email)] == ["mentioned"]
    smtp_server.messages.clear()
    notification_preferences_update(user=asker, choices={"mentions": "off"})
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_add(author=answerer, discussion=discussion, body="@ada, or a registry.")
    assert [m["Subject"].split(" ")[3] for m in smtp_server.to(asker.email)] == ["replied"]


def test_no_reply_mail_for_a_reply_hidden_before_it_went_out(smtp_server, discussion, answerer):
    reply = services.reply_add(author=answerer, discussion=discussion, body="Buy my course!")
    services.post_hide(actor=coordinator_of(discussion.community), post=reply, reason="Advertising")
    assert tasks.send_reply_mail(reply.pk) == 0
    assert tasks.send_reply_mail(999_999) == 0  # gone altogether
    assert smtp_server.messages == []


def test_mention_mail_for_a_reply(smtp_server, discussion, answerer, grace):
    reply = services.reply_add(
        author=answerer, discussion=discussion, body="@grace.mensah did this last year."
    )
    assert tasks.send_mention_mail(discussion.pk, reply.pk, [grace.pk]) == 1

    (message,) = smtp_server.messages
    assert message["To"] == grace.email
    assert (
        message["Subject"]
        == f"{PREFIX}Ben Answerer mentioned you in “How do you version <datasets> & files?”"
    )
    text, html = parts(message)
    reply_url = f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/#reply-{reply.pk}"
    assert "Hello Grace," in text
    assert "Ben Answerer mentioned you in a reply to “How do you version <datasets> & files?”" in text
    assert f"See where you were mentioned:\n{reply_url}" in text
    assert "@grace.mensah did this last year." in text
    assert "because someone wrote your @handle in Open Data Practice" in text
    assert settings_url() in text
    assert hrefs(html)[:2] == [reply_url, reply_url]
    assert settings_url() in hrefs(html)
    assert_links_are_absolute(text, html)


def test_mention_mail_for_the_discussion_itself(smtp_server, asker, community, grace):
    discussion = services.discussion_start(
        author=asker, community=community, title="Manifests", body="What do you think, @grace.mensah?"
    )
    assert tasks.send_mention_mail(discussion.pk, None, [grace.pk]) == 1
    (message,) = smtp_server.messages
    assert message["Subject"] == f"{PREFIX}Ada Asker mentioned you in “Manifests”"
    text, html = parts(message)
    discussion_url = f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/"
    assert "Ada Asker mentioned you in the discussion “Manifests”" in text
    assert f"See where you were mentioned:\n{discussion_url}" in text
    assert hrefs(html)[0] == discussion_url
    assert_links_are_absolute(text, html)


def test_mention_mail_respects_preferences_and_deactivation(smtp_server, discussion, answerer, grace):
    off, gone = member_of(discussion.community), member_of(discussion.community)
    notification_preferences_update(user=off, choices={"mentions": "off"})
    gone.is_active = False
    gone.save()
    assert tasks.send_mention_mail(discussion.pk, None, [grace.pk, off.pk, gone.pk]) == 1
    assert [m["To"] for m in smtp_server.messages] == [grace.email]


def test_report_mail_for_a_reply(smtp_server, discussion, asker, answerer, community):
    coordinator = coordinator_of(
        community, user__full_name="Cora Coordinator", user__email="cora@example.org"
    )
    reply = services.reply_add(author=answerer, discussion=discussion, body="You are all wrong.")
    report = services.post_report(reporter=asker, post=reply, reason="Rude to <everyone>\nagain")
    assert tasks.send_report_mail(report.pk) == 1

    (message,) = smtp_server.messages
    assert message["To"] == coordinator.email
    assert message["Subject"] == (
        f"{PREFIX}A post was reported in Open Data Practice: “How do you version <datasets> & files?”"
    )
    text, html = parts(message)
    reply_url = f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/#reply-{reply.pk}"
    reports_url = f"{settings.SITE_URL}/c/open-data/discussions/reports/"
    assert "Hello Cora," in text
    assert "Ada Asker reported a reply by Ben Answerer to “How do you version <datasets> & files?”" in text
    assert f"See the reported post:\n{reply_url}" in text
    assert '"Rude to <everyone>\nagain"' in text
    assert reports_url in text
    assert "because you coordinate Open Data Practice" in text
    assert hrefs(html)[:2] == [reply_url, reply_url]
    assert reports_url in hrefs(html)
    assert "Rude to &lt;everyone&gt;<br>again" in html
    assert_links_are_absolute(text, html)


def test_report_mail_for_a_discussion_goes_to_each_coordinator(smtp_server, discussion, answerer, community):
    first, second = coordinator_of(community), coordinator_of(community)
    digest = coordinator_of(community)
    notification_preferences_update(user=digest, choices={"discussion_reports": "daily"})
    report = services.post_report(reporter=answerer, post=discussion, reason="Spam")
    assert tasks.send_report_mail(report.pk) == 2
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([first.email, second.email])
    text, _ = parts(smtp_server.messages[0])
    assert (
        "Ben Answerer reported the discussion by Ada Asker, “How do you version <datasets> & files?”" in text
    )
    assert f"{settings.SITE_URL}/c/open-data/discussions/{discussion.pk}/\n" in text


def test_no_report_mail_once_it_was_resolved(smtp_server, discussion, answerer, community):
    coordinator = coordinator_of(community)
    report = services.post_report(reporter=answerer, post=discussion, reason="Spam")
    services.report_resolve(actor=coordinator, report=report)
    assert tasks.send_report_mail(report.pk) == 0
    assert smtp_server.messages == []


def test_the_services_send_these_mails_on_commit(
    smtp_server, discussion, asker, answerer, grace, community, django_capture_on_commit_callbacks
):
    """The whole path: the service enqueues on commit, the (eager) task renders and the SMTP server gets it."""
    coordinator = coordinator_of(community)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_add(author=answerer, discussion=discussion, body="Ask @grace.mensah")
        services.post_report(reporter=asker, post=reply, reason="Off topic")
    title = "“How do you version <datasets> & files?”"
    assert [m["Subject"] for m in smtp_server.to(asker.email)] == [f"{PREFIX}Ben Answerer replied to {title}"]
    assert [m["Subject"] for m in smtp_server.to(grace.email)] == [
        f"{PREFIX}Ben Answerer mentioned you in {title}"
    ]
    assert [m["Subject"] for m in smtp_server.to(coordinator.email)] == [
        f"{PREFIX}A post was reported in Open Data Practice: {title}"
    ]
    assert smtp_server.to(answerer.email) == []
