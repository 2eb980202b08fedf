"""Browser journey of discussions: a member asks a question (with a preview), another answers mentioning a third,
the asker accepts the answer in place; the asker (who follows what they start) and the mentioned member get
their mail."""

import re

import pytest

from activities.discussions import services
from activities.models import Discussion, Follow, Reply
from tests.browser.test_community_journeys import sign_in, sign_out
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_answer_with_a_mention_accept_and_the_mail_goes_out(journey, smtp_server):
    community = CommunityFactory(name="Open Data Practice", slug="open-data")
    coordinator_of(community)
    asker = member_of(community, user=UserFactory(full_name="Ada Asker", email="ada.asker@example.org"))
    answerer = member_of(community, user=UserFactory(full_name="Ben Answerer", email="ben@example.org"))
    mentioned = member_of(
        community, user=UserFactory(full_name="Grace Mensah", email="grace.mensah@example.org")
    )
    page = journey.page

    # Ada asks, looking at the preview first.
    sign_in(journey, asker.email)
    journey.goto("/c/open-data/")
    page.get_by_role("navigation", name="Open Data Practice").get_by_role("link", name="Discussions").click()
    page.wait_for_url(re.compile(r"/c/open-data/discussions/$"))
    journey.audit()
    assert page.get_by_text("No discussions yet.").count() == 1
    page.get_by_role("link", name="Start a discussion").click()
    page.wait_for_url(re.compile(r"/c/open-data/discussions/new/"))
    journey.audit()
    page.get_by_label("Title").fill("How do you version datasets?")
    page.get_by_label("Your question or story").fill(
        "We keep **copies** of every file. Is there a better way?"
    )
    page.get_by_role("button", name="Preview").click()
    page.locator("#start-preview .post-preview strong", has_text="copies").wait_for()
    journey.audit()
    page.get_by_role("button", name="Start the discussion").click()
    page.wait_for_url(re.compile(r"/c/open-data/discussions/\d+/$"))
    journey.audit()
    discussion = Discussion.objects.get(title="How do you version datasets?")
    assert Follow.objects.filter(discussion=discussion, user=asker).exists()
    assert page.get_by_role("button", name="Unfollow").count() == 1
    sign_out(journey)

    # Ben finds it in the list and answers, mentioning Grace.
    sign_in(journey, answerer.email)
    journey.goto("/c/open-data/discussions/")
    page.get_by_role("link", name="How do you version datasets?").click()
    page.wait_for_url(re.compile(rf"/c/open-data/discussions/{discussion.pk}/$"))
    journey.audit()
    page.get_by_label("Your reply").fill("Try a manifest with checksums; @grace.mensah set one up last year.")
    page.get_by_role("button", name="Post the reply").click()
    page.wait_for_url(re.compile(rf"/c/open-data/discussions/{discussion.pk}/\?reply=\d+"))
    journey.audit()
    answer = Reply.objects.get(discussion=discussion)
    mention = page.locator(f"#reply-{answer.pk} a.mention")
    assert mention.inner_text() == "@grace.mensah"
    assert mention.get_attribute("href") == "/members/by-handle/grace.mensah/"
    sign_out(journey)

    # Ada accepts the answer: the thread updates in place and shows it under the question.
    sign_in(journey, asker.email)
    journey.goto(f"/c/open-data/discussions/{discussion.pk}/")
    page.get_by_role("button", name="Accept this answer").click()
    page.get_by_role("heading", name="Accepted answer").wait_for()
    assert page.locator("#live-region").inner_text() == "Marked as the accepted answer."
    journey.audit()
    discussion.refresh_from_db()
    assert discussion.accepted_reply_id == answer.pk
    assert page.locator("#accepted-answer").get_by_text("Try a manifest with checksums").count() == 1
    assert page.get_by_text("Solved").count() >= 1

    # The mention links to Grace's profile.
    page.locator("#accepted-answer a.mention").click()
    page.wait_for_url(re.compile(rf"/members/{mentioned.pk}/$"))
    journey.audit()

    # Mail: Ada follows what she started and hears of the reply; Grace hears she was mentioned.
    [reply_mail] = smtp_server.wait_for(asker.email)
    assert "Ben Answerer" in reply_mail["Subject"] and "How do you version datasets?" in reply_mail["Subject"]
    assert (
        f"/c/open-data/discussions/{discussion.pk}/#reply-{answer.pk}"
        in reply_mail.get_body(("plain",)).get_content()
    )
    [mention_mail] = smtp_server.wait_for(mentioned.email)
    assert "mentioned you" in mention_mail["Subject"]
    assert "manifest with checksums" in mention_mail.get_body(("plain",)).get_content()
    assert not smtp_server.to(answerer.email)


def test_coordinator_deals_with_a_report_and_the_author_sees_why(journey):
    community = CommunityFactory(name="Open Data Practice", slug="open-data")
    coordinator = coordinator_of(community, user=UserFactory(full_name="Cora Coordinator"))
    asker = member_of(community, user=UserFactory(full_name="Ada Asker"))
    answerer = member_of(community, user=UserFactory(full_name="Ben Answerer"))
    discussion = services.discussion_start(
        author=asker, community=community, title="Which licence for open data?", body="CC BY or CC0?"
    )
    rant = services.reply_add(author=answerer, discussion=discussion, body="Licences are a waste of time.")
    services.post_report(reporter=asker, post=rant, reason="Not helpful and a bit rude")
    page = journey.page

    # The coordinator sees the open report, hides the reply with a reason and pins the discussion.
    sign_in(journey, coordinator.email)
    journey.goto("/c/open-data/discussions/")
    page.get_by_role("link", name=re.compile("Open reports")).click()
    page.wait_for_url(re.compile(r"/c/open-data/discussions/reports/$"))
    journey.audit()
    assert page.get_by_text("Not helpful and a bit rude").count() == 1
    page.get_by_role("link", name="Hide the post").click()
    page.wait_for_url(re.compile(rf"/replies/{rant.pk}/hide/$"))
    journey.audit()
    page.get_by_label("Why hide it?").fill("Please keep it kind")
    page.get_by_role("button", name="Hide it").click()
    page.wait_for_url(re.compile(rf"/c/open-data/discussions/{discussion.pk}/\?reply={rant.pk}"))
    journey.audit()
    assert page.get_by_text("Hidden by Cora Coordinator").count() == 1
    page.get_by_role("button", name="Pin on top of the list").click()
    page.wait_for_load_state("load")
    journey.audit()
    assert page.get_by_role("button", name="Unpin").count() == 1
    journey.goto("/c/open-data/discussions/reports/")
    assert page.get_by_text("No open reports.").count() == 1
    sign_out(journey)

    # The author of the hidden reply sees who hid it and why; others do not see it; he unfollows in one click.
    sign_in(journey, answerer.email)
    journey.goto(f"/c/open-data/discussions/{discussion.pk}/")
    assert page.get_by_text("Please keep it kind").count() == 1
    page.get_by_role("button", name="Unfollow").click()
    page.get_by_role("button", name="Follow", exact=True).wait_for()
    assert page.locator("#live-region").inner_text() == "You no longer follow this discussion."
    journey.audit()
    assert not Follow.objects.filter(discussion=discussion, user=answerer).exists()
    sign_out(journey)
    sign_in(journey, asker.email)
    journey.goto(f"/c/open-data/discussions/{discussion.pk}/")
    assert page.get_by_text("Licences are a waste of time.").count() == 0
    # Her own post offers Edit and Delete; both pages pass the audit, and the edit is marked as such.
    page.locator("#question").get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(rf"/discussions/{discussion.pk}/edit/$"))
    journey.audit()
    page.get_by_label("Text").fill("CC BY or CC0? We publish weather data.")
    page.get_by_role("button", name="Save the changes").click()
    page.wait_for_url(re.compile(rf"/c/open-data/discussions/{discussion.pk}/$"))
    journey.audit()
    assert page.locator("#question .post-edited").count() == 1
    page.locator("#question").get_by_role("link", name="Delete").click()
    page.wait_for_url(re.compile(rf"/discussions/{discussion.pk}/delete/$"))
    journey.audit()
    assert page.get_by_text("We publish weather data.").count() == 1
