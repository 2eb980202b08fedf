"""Discussion pages and actions: the list with its filters, starting one, the thread, replying with a preview,
following, accepting an answer, editing, deleting, hiding, reporting, the coordinators' reports, the @mention
links, the community home's and the home page's discussion slots, and query counts pinned at two data sizes.

Each action: success, the wrong method (405), an outsider (404), a member without the right (403) and bad input
(a clear message, nothing changed, what was typed kept).
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from activities.discussions import services
from activities.discussions.services import MAX_BODY
from activities.models import Discussion, Follow, Reply, Report
from activities.templatetags.discussion_tags import post_html
from communities.models import Community, Membership
from members.models import Profile
from tests.benchdata import seed_scaled
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of, member_of
from tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db
DANGEROUS_TAGS = {"script", "style", "iframe", "svg", "form", "button", "object", "embed", "input", "link"}
HTMX = {"HTTP_HX_REQUEST": "true"}
MEGABYTE = "x" * 1_048_576


# --- Fixtures and helpers --------------------------------------------------------------------------------


@pytest.fixture
def community():
    return CommunityFactory(name="Open Data Practice", slug="open-data")


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
def private():
    """A private community the test's users do not belong to."""
    other = CommunityFactory(name="Secret Circle", slug="secret", visibility="private")
    coordinator_of(other)
    return other


@pytest.fixture
def discussion(asker, community, coordinator):
    return services.discussion_start(
        author=asker, community=community, title="How do you version datasets?", body="We keep **copies**."
    )


def start(community, author, title="A question", body="Some text", **changes) -> Discussion:
    discussion = services.discussion_start(author=author, community=community, title=title, body=body)
    if changes:
        Discussion.objects.filter(pk=discussion.pk).update(**changes)
        discussion.refresh_from_db()
    return discussion


def reply_to(discussion, author, body="Try a manifest file.") -> Reply:
    return services.reply_add(author=author, discussion=discussion, body=body)


def url(name: str, discussion: Discussion, *args) -> str:
    return reverse(f"activities:{name}", args=[discussion.community.slug, discussion.pk, *args])


def list_url(community, **query) -> str:
    base = reverse("activities:discussions", args=[community.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def fresh(obj):
    obj.refresh_from_db()
    return obj


class TagCollector(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(tag, name.lower(), value or "") for name, value in attrs]


def login(client, user):
    client.force_login(user)
    return client


# --- The list ----------------------------------------------------------------------------------------------


def test_list_requires_login(client, community):
    response = client.get(list_url(community))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_list_rejects_post(client, asker, community):
    assert login(client, asker).post(list_url(community)).status_code == 405


def test_list_of_a_private_community_is_404_for_an_outsider(client, asker, private):
    assert login(client, asker).get(list_url(private)).status_code == 404


def test_list_newest_activity_first_pinned_on_top_with_badges_counts_and_times(
    client, community, asker, answerer, coordinator
):
    now = timezone.now()
    old = start(community, asker, "Old and pinned", pinned=True, last_activity_at=now - timedelta(days=9))
    quiet = start(community, asker, "Quiet one", last_activity_at=now - timedelta(days=5))
    busy = start(community, asker, "Busy one")
    answer = reply_to(busy, answerer)
    services.reply_accept(actor=asker, discussion=busy, reply=answer)
    answered = start(community, answerer, "Answered one", last_activity_at=now - timedelta(days=2))
    reply_to(answered, asker)
    Discussion.objects.filter(pk=answered.pk).update(last_activity_at=now - timedelta(days=1))

    response = login(client, asker).get(list_url(community))

    assert response.status_code == 200
    assert response.context["tab"] == "discussions"
    titles = [d.title for d in response.context["page"].object_list]
    assert titles == ["Old and pinned", "Busy one", "Answered one", "Quiet one"]
    text = response.text
    assert 'aria-current="page" href="/c/open-data/discussions/">Discussions</a>' in text
    row = text[text.index("Busy one") :]
    row = row[: row.index("</li>")]
    assert "Solved" in row and "<strong>1</strong> reply" in row and "Ada Asker" in row
    assert re.search(r'<time datetime="[^"]+" title="\w+day \d+ \w+ \d{4}, \d\d:\d\d \w+">', row)
    answered_row = text[text.index("Answered one") :]
    assert "Answered" in answered_row[: answered_row.index("</li>")]
    assert "Pinned" in text[text.index("Old and pinned") :][:400]
    assert quiet.get_absolute_url() in text and old.get_absolute_url() in text
    assert "Start a discussion" in text


def test_list_filters_are_links_that_work_without_javascript(client, community, asker, answerer, coordinator):
    long_ago = timezone.now() - timedelta(days=3)
    waiting = start(community, asker, "Waiting for an answer", created_at=long_ago, last_activity_at=long_ago)
    start(community, asker, "Asked an hour ago")
    answered = start(community, answerer, "Answered by Ada", created_at=long_ago)
    reply_to(answered, asker)
    solved = start(community, answerer, "Solved by Cora")
    services.reply_accept(actor=answerer, discussion=solved, reply=reply_to(solved, coordinator))
    login(client, asker)

    def titles(show: str) -> set[str]:
        response = client.get(list_url(community, show=show))
        assert response.status_code == 200
        assert f'aria-current="page" href="/c/open-data/discussions/?show={show}"' in response.text
        return {d.title for d in response.context["page"].object_list}

    assert titles("unanswered") == {waiting.title}
    assert titles("unsolved") == {"Waiting for an answer", "Asked an hour ago", "Answered by Ada"}
    assert titles("mine") == {"Waiting for an answer", "Asked an hour ago", "Answered by Ada"}
    response = client.get(list_url(community, show="nonsense"))
    assert len(response.context["page"].object_list) == 4 and response.context["show"] == "all"


def test_list_is_paginated(client, settings, community, asker):
    settings.PAGE_SIZE = 2
    for n in range(5):
        start(community, asker, f"Question {n}")
    login(client, asker)
    first = client.get(list_url(community))
    assert len(first.context["page"].object_list) == 2
    assert "Page 1 of 3" in first.text and 'href="?page=2"' in first.text
    last = client.get(list_url(community, page=3))
    assert [d.title for d in last.context["page"].object_list] == ["Question 0"]


def test_list_empty_states_say_what_would_be_there_and_the_next_step(client, community, asker):
    outsider_of_listed = UserFactory()
    response = login(client, asker).get(list_url(community))
    assert "No discussions yet." in response.text and "Start the first one" in response.text
    response = client.get(list_url(community, show="unsolved"))
    assert "Nothing unsolved" in response.text
    response = login(client, outsider_of_listed).get(list_url(community))
    assert "No discussions yet." in response.text and "join Open Data Practice" in response.text
    assert "Start a discussion" not in response.text


def test_hidden_discussions_and_replies_stay_out_of_the_list_and_its_counts(
    client, community, asker, answerer, coordinator
):
    hidden = start(community, asker, "Spam spam spam")
    services.post_hide(actor=coordinator, post=hidden, reason="Spam")
    kept = start(community, asker, "A real question")
    reply_to(kept, answerer)
    services.post_hide(actor=coordinator, post=reply_to(kept, answerer, "rude"), reason="Rude")

    for viewer in (asker, coordinator):
        response = login(client, viewer).get(list_url(community))
        assert "Spam spam spam" not in response.text
        assert "<strong>1</strong> reply" in response.text


def test_coordinators_see_the_open_reports_count(client, community, discussion, coordinator, answerer):
    services.post_report(reporter=answerer, post=discussion, reason="Off topic")
    response = login(client, coordinator).get(list_url(community))
    assert "Open reports" in response.text and 'text-bg-danger">1</span>' in response.text
    assert "Open reports" not in login(client, answerer).get(list_url(community)).text


def _bulk_discussions(community, authors, count: int) -> None:
    now = timezone.now()
    Discussion.objects.bulk_create(
        [
            Discussion(
                community=community,
                author=authors[n % len(authors)],
                title=f"Question {n}",
                body="text",
                created_at=now - timedelta(minutes=n),
                last_activity_at=now - timedelta(minutes=n),
                reply_count=n % 3,
                first_answer_at=now if n % 2 else None,
            )
            for n in range(count)
        ]
    )


def test_list_query_count_is_constant(client, community, asker, answerer, coordinator):
    """1 the signed-in user, 2 the community with whether the viewer sponsors it and their membership, 3 how many
    discussions match, 4 the page of them with their authors and whether the viewer follows each. The session
    lives in Redis, and holds the viewer's time zone."""
    login(client, asker)

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)  # so that table grows tenfold despite the pinned one
        _bulk_discussions(community, [asker, answerer, coordinator], 20 * scale)

    assert_constant_queries(client, list_url(community), grow=grow, expected=4)
    assert community.discussions.count() == 20 + 200


def test_list_query_count_for_coordinators_and_filters_is_constant(client, community, asker, coordinator):
    """As a coordinator on the "mine" tab: the four queries above plus 5 the open reports count."""
    login(client, coordinator)

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        _bulk_discussions(community, [asker, coordinator], 20 * scale)
        Report.objects.bulk_create(
            [
                Report(discussion=d, reporter=asker, reason="Off topic")
                for d in community.discussions.all()[: 2 * scale]
            ]
        )

    assert_constant_queries(client, list_url(community, show="mine"), grow=grow, expected=5)


# --- Starting a discussion ---------------------------------------------------------------------------------


def start_url(community) -> str:
    return reverse("activities:discussion_start", args=[community.slug])


def test_member_starts_a_discussion_and_follows_it(client, community, asker):
    response = login(client, asker).post(
        start_url(community), {"title": " How do you name datasets? ", "body": "We use dates. @nobody"}
    )
    discussion = Discussion.objects.get(community=community)
    assert response.status_code == 302
    assert response["Location"] == discussion.get_absolute_url()
    assert discussion.title == "How do you name datasets?" and discussion.author == asker
    assert Follow.objects.filter(discussion=discussion, user=asker).exists()
    assert "Your discussion is started" in messages_of(response)[0]


def test_start_form_for_members_and_a_notice_for_others(client, community, asker):
    response = login(client, asker).get(start_url(community))
    assert response.status_code == 200
    assert 'name="title"' in response.text and 'name="body"' in response.text
    assert "Preview" in response.text
    response = login(client, UserFactory()).get(start_url(community))
    assert response.status_code == 200
    assert 'name="title"' not in response.text and "join Open Data Practice" in response.text


def test_start_rejects_other_methods(client, community, asker):
    assert login(client, asker).put(start_url(community)).status_code == 405


def test_start_in_a_private_community_is_404_for_an_outsider(client, asker, private):
    login(client, asker)
    assert client.get(start_url(private)).status_code == 404
    assert client.post(start_url(private), {"title": "Hi", "body": "Hello"}).status_code == 404
    assert not Discussion.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "Some text"}, "Give the discussion a title"),
        ({"title": "   ", "body": "Some text"}, "Give the discussion a title"),
        ({"title": "A title", "body": ""}, "Write something: the text cannot be empty."),
        ({"title": "A title", "body": "  \n "}, "Write something: the text cannot be empty."),
        ({"title": "A title", "body": MEGABYTE}, "The text is too long (1,048,576 characters)"),
        ({"title": "x" * 201, "body": "Some text"}, "at most 200 characters"),
    ],
)
def test_start_refuses_bad_input_keeping_what_was_typed(client, community, asker, data, message):
    response = login(client, asker).post(start_url(community), data)
    assert response.status_code == 400
    assert message in response.text
    assert "Please correct this problem" in response.text
    assert not Discussion.objects.exists()
    if data["title"].strip() and len(data["title"]) < 100:
        assert f'value="{data["title"]}"' in response.text
    if data["body"].strip() and len(data["body"]) < 100:
        assert f"{data['body']}</textarea>" in response.text


def test_start_refused_for_a_non_member_and_in_an_archived_community(client, community, asker):
    response = login(client, UserFactory()).post(start_url(community), {"title": "Hi", "body": "Hello there"})
    assert response.status_code == 400
    assert "Join Open Data Practice to take part in its discussions." in response.text
    assert "Hello there</textarea>" in response.text
    Community.objects.filter(pk=community.pk).update(archived_at=timezone.now())
    response = login(client, asker).get(start_url(community))
    assert "is archived" in response.text and 'name="body"' not in response.text
    response = client.post(start_url(community), {"title": "Hi", "body": "Hello"})
    assert response.status_code == 400
    assert "Open Data Practice is archived: its discussions are kept for reference only." in response.text
    assert not Discussion.objects.exists()


def test_start_preview_without_javascript_keeps_the_text_and_saves_nothing(client, community, asker):
    response = login(client, asker).post(
        start_url(community),
        {"title": "Draft", "body": "Hello **world** <script>x()</script>", "preview": "1"},
    )
    assert response.status_code == 200
    assert "<strong>world</strong>" in response.text
    assert "<script>x()" not in response.text
    assert (
        'value="Draft"' in response.text
        and "Hello **world** &lt;script&gt;x()&lt;/script&gt;</textarea>" in (response.text)
    )
    assert "Please correct" not in response.text
    assert not Discussion.objects.exists()


# --- Preview (htmx) ----------------------------------------------------------------------------------------


def preview_url(community) -> str:
    return reverse("activities:discussion_preview", args=[community.slug])


def test_preview_returns_the_sanitized_html_with_mentions_linked(client, community, asker):
    body = "Ask @ben about it. <img src=x onerror=alert(1)> [click](javascript:alert(1))"
    response = login(client, asker).post(preview_url(community), {"body": body}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert '<a class="mention" href="/members/by-handle/ben/">@ben</a>' in html
    assert "onerror" not in html and "javascript:" not in html
    assert "<html" not in html and "Preview" in html


def test_preview_of_nothing_or_too_much_says_so(client, community, asker):
    login(client, asker)
    assert "Nothing to preview yet" in client.post(preview_url(community), {"body": "  "}, **HTMX).text
    response = client.post(preview_url(community), {"body": "y" * (MAX_BODY + 1)}, **HTMX)
    assert "The text is too long" in response.text


def test_preview_needs_a_post_login_and_content_access(client, community, asker, private):
    assert client.post(preview_url(community), {"body": "x"}).status_code == 302
    login(client, asker)
    assert client.get(preview_url(community)).status_code == 405
    assert client.post(preview_url(private), {"body": "x"}, **HTMX).status_code == 404


# --- The thread --------------------------------------------------------------------------------------------


def test_thread_shows_question_accepted_answer_under_it_replies_with_anchors(
    client, discussion, asker, answerer, coordinator
):
    first = reply_to(discussion, answerer, "Use a manifest, ask @cora")
    second = reply_to(discussion, coordinator, "We use DVC.")
    services.reply_accept(actor=asker, discussion=discussion, reply=second)
    services.post_edit(user=answerer, post=first, body="Use a manifest file, ask @cora")
    gone = reply_to(discussion, asker, "Never mind this")
    services.post_delete(user=asker, post=gone)

    response = login(client, answerer).get(discussion.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "How do you version datasets?" in text and "We keep <strong>copies</strong>." in text
    question, accepted, replies = (
        text.index('id="question"'),
        text.index('id="accepted-answer"'),
        text.index('id="replies-heading"'),
    )
    assert question < accepted < replies
    assert "We use DVC." in text[accepted:replies]
    assert f'id="reply-{first.pk}"' in text and f'id="reply-{second.pk}"' in text
    assert (
        f'id="reply-{gone.pk}"' in text and "Deleted by its author." in text and "Never mind this" not in text
    )
    assert "edited <time" in text[text.index(f'id="reply-{first.pk}"') :]
    assert '<a class="mention" href="/members/by-handle/cora/">@cora</a>' in text
    assert "Solved" in text
    # The answerer's own post has Edit and Delete; the others offer Report.
    own = text[text.index(f'id="reply-{first.pk}"') : text.index(f'id="reply-{gone.pk}"')]
    assert url("reply_edit", discussion, first.pk) in own and url("reply_delete", discussion, first.pk) in own
    assert url("reply_report", discussion, first.pk) not in own
    assert url("discussion_report", discussion) in text
    assert url("discussion_edit", discussion) not in text
    assert "Accept this answer" not in text and url("discussion_pin", discussion) not in text
    assert "Unfollow" in text


def test_thread_actions_by_right(client, discussion, asker, answerer, coordinator):
    answer = reply_to(discussion, answerer)
    response = login(client, asker).get(discussion.get_absolute_url())
    assert "Accept this answer" in response.text
    assert url("discussion_edit", discussion) in response.text
    assert url("reply_hide", discussion, answer.pk) not in response.text

    response = login(client, coordinator).get(discussion.get_absolute_url())
    text = response.text
    assert "Accept this answer" in text
    assert url("reply_hide", discussion, answer.pk) in text and url("discussion_hide", discussion) in text
    assert url("discussion_pin", discussion) in text and url("discussion_lock", discussion) in text


def test_thread_shows_hidden_posts_only_to_coordinators_and_their_authors_with_who_and_why(
    client, discussion, answerer, coordinator
):
    rude = reply_to(discussion, answerer, "Something rude")
    services.post_hide(actor=coordinator, post=rude, reason="Not kind")
    for viewer, sees in ((coordinator, True), (answerer, True), (member_of(discussion.community), False)):
        text = login(client, viewer).get(discussion.get_absolute_url()).text
        assert ("Something rude" in text) is sees
        assert ("Hidden by Cora Coordinator" in text and "Not kind" in text) is sees
    text = login(client, coordinator).get(discussion.get_absolute_url()).text
    assert url("reply_unhide", discussion, rude.pk) in text


def test_a_hidden_discussion_is_404_except_for_its_author_and_coordinators(
    client, discussion, asker, answerer, coordinator
):
    services.post_hide(actor=coordinator, post=discussion, reason="Duplicate")
    assert login(client, answerer).get(discussion.get_absolute_url()).status_code == 404
    response = login(client, asker).get(discussion.get_absolute_url())
    assert response.status_code == 200 and "Hidden by Cora Coordinator" in response.text
    assert "Duplicate" in response.text
    assert "no longer open for replies" in response.text
    assert login(client, coordinator).get(discussion.get_absolute_url()).status_code == 200


def test_thread_replies_are_paginated_and_a_reply_link_opens_its_page(client, settings, discussion, answerer):
    settings.PAGE_SIZE = 2  # four replies per page
    replies = [reply_to(discussion, answerer, f"Answer number {n}") for n in range(9)]
    login(client, answerer)
    response = client.get(discussion.get_absolute_url())
    assert [r.pk for r in response.context["page"].object_list] == [r.pk for r in replies[:4]]
    assert "Page 1 of 3" in response.text
    response = client.get(f"{discussion.get_absolute_url()}?reply={replies[5].pk}")
    assert response.context["page"].number == 2
    assert f'id="reply-{replies[5].pk}"' in response.text
    assert client.get(discussion.get_absolute_url() + "?page=3").context["page"].number == 3


def test_thread_pages_count_what_each_viewer_sees(client, settings, discussion, asker, answerer, coordinator):
    """The number of replies the pages are cut from comes with the discussion (one query): a deleted reply keeps
    its place for everyone, a hidden one counts only for the coordinators and its author, as the page shows."""
    settings.PAGE_SIZE = 1  # two replies per page
    for n in range(2):
        reply_to(discussion, answerer, f"Answer number {n}")
    services.post_delete(user=answerer, post=reply_to(discussion, answerer, "Never mind"))
    services.post_hide(actor=coordinator, post=reply_to(discussion, answerer, "Rude"), reason="Not kind")
    services.post_hide(actor=coordinator, post=reply_to(discussion, asker, "Rude too"), reason="Not kind")
    for viewer, seen, pages in (
        (member_of(discussion.community), 3, 2),
        (answerer, 4, 2),
        (coordinator, 5, 3),
    ):
        response = login(client, viewer).get(discussion.get_absolute_url())
        paginator = response.context["page"].paginator
        assert paginator.count == seen and paginator.num_pages == pages
        assert f"Page 1 of {pages}." in response.text
        last = login(client, viewer).get(f"{discussion.get_absolute_url()}?page={pages}")
        assert len(last.context["page"].object_list) == seen - 2 * (pages - 1)


def test_thread_shows_a_former_members_posts_without_a_name(client, discussion, asker, answerer):
    """A post whose author's account is gone: "A former member", "?" for initials, and "a former member" where
    the accepted answer's place points under the question."""
    accepted = reply_to(discussion, answerer, "Use a manifest")
    reply_to(discussion, answerer, "And tag the releases")
    services.reply_accept(actor=asker, discussion=discussion, reply=accepted)
    answerer.delete()
    text = login(client, asker).get(discussion.get_absolute_url()).text
    assert text.count('<span class="avatar avatar-sm" aria-hidden="true">?</span>') == 2
    assert text.count('<span class="visually-hidden">Reply by </span>A former member</span>') == 2
    assert "The accepted answer, by a former member:" in text


def test_thread_wrong_method_outsider_and_other_community(client, discussion, asker, private):
    login(client, asker)
    assert client.post(discussion.get_absolute_url()).status_code == 405
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    wrong_slug = reverse("activities:discussion", args=[CommunityFactory().slug, discussion.pk])
    assert client.get(wrong_slug).status_code == 404


def test_thread_for_non_members_and_locked_discussions_has_no_reply_form(client, discussion, coordinator):
    response = login(client, UserFactory()).get(discussion.get_absolute_url())
    assert response.status_code == 200
    assert 'name="body"' not in response.text and "join Open Data Practice" in response.text
    services.discussion_lock(actor=coordinator, discussion=discussion, locked=True)
    response = login(client, coordinator).get(discussion.get_absolute_url())
    assert 'name="body"' not in response.text and "This discussion is locked" in response.text


def _bulk_replies(discussion, authors, count: int) -> None:
    now = timezone.now()
    Reply.objects.bulk_create(
        [
            Reply(
                discussion=discussion,
                author=authors[n % len(authors)],
                body=f"Reply {n} @ben",
                created_at=now,
            )
            for n in range(count)
        ]
    )


def test_thread_query_count_is_constant(client, discussion, asker, answerer, coordinator):
    """Seen again: 1 the signed-in user, 2 the community with whether the viewer sponsors it and their
    membership, 3 whether the viewer follows the discussion and wrote a reply a coordinator hid; the discussion
    and its page of replies are kept for their readers (`thread_discussion`). Mentions are linked without a
    query. The session lives in Redis, and holds the viewer's time zone."""
    answer = reply_to(discussion, answerer)
    services.reply_accept(actor=asker, discussion=discussion, reply=answer)
    login(client, answerer)

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        _bulk_replies(discussion, [asker, answerer, coordinator], 20 * scale)

    assert_constant_queries(client, discussion.get_absolute_url(), grow=grow, expected=3)
    assert discussion.replies.count() == 1 + 20 + 200


def test_thread_query_count_is_constant_with_no_cached_post(client, discussion, asker, answerer, coordinator):
    """With nothing kept (after a change of the data): the user, the community with the membership, 3 the
    discussion with its author, accepted answer, how many replies the viewer sees and the viewer's own answers,
    4 the page of replies with their authors and who hid them."""
    answer = reply_to(discussion, answerer)
    services.reply_accept(actor=asker, discussion=discussion, reply=answer)
    login(client, answerer)

    def grow(scale: int) -> None:
        seed_scaled(scale)
        CommunityFactory.create_batch(6 * scale)
        _bulk_replies(discussion, [asker, answerer, coordinator], 20 * scale)

    assert_constant_queries(client, discussion.get_absolute_url(), grow=grow, expected=4, cold=True)


def _post_html(text: str, anchor: str) -> str:
    """One post's article in a thread page."""
    start = text.rindex("<article", 0, text.index(f'id="{anchor}"'))
    return text[start : text.index("</article>", start)]


def test_a_posts_kept_part_follows_every_change_it_shows(client, discussion, asker, answerer, coordinator):
    """What everyone sees of a post is kept as a fragment under a digest of what it shows: seen again, the page is
    the one made afresh, and each change of the post (its text, its author's name, hiding, deleting, the accepted
    answer, the author leaving) shows at once, while the actions stay the viewer's own."""
    answer = reply_to(discussion, answerer, "First answer")
    other = reply_to(discussion, coordinator, "Second answer")
    page = discussion.get_absolute_url()
    login(client, answerer)
    first = client.get(page).text
    assert _without_tokens(client.get(page).text) == _without_tokens(first)

    services.post_edit(user=answerer, post=answer, body="A better **answer**")
    text = client.get(page).text
    assert "A better <strong>answer</strong>" in text and "First answer" not in text
    assert "edited <time" in _post_html(text, f"reply-{answer.pk}")

    answerer.full_name = "Benjamin Answerer"
    answerer.save()
    text = client.get(page).text
    assert "Reply by </span>Benjamin Answerer</span>" in text and "Ben Answerer" not in text

    services.reply_accept(actor=asker, discussion=discussion, reply=other)
    text = client.get(page).text
    assert 'id="accepted-answer"' in text and "Accepted answer</span>" in _post_html(text, "accepted-answer")

    services.post_hide(actor=coordinator, post=answer, reason="Off topic")
    text = client.get(page).text
    assert "Hidden by Cora Coordinator" in text and "Off topic" in text  # its author sees why
    assert 'class="post post-hidden"' in text

    # Another viewer sees the same kept parts with their own actions: no Edit or Delete of someone else's post.
    text = login(client, coordinator).get(page).text
    hidden = _post_html(text, f"reply-{answer.pk}")
    assert "Show again" in text and url("reply_edit", discussion, answer.pk) not in hidden
    assert url("reply_unhide", discussion, answer.pk) in text
    assert "Off topic" in hidden

    services.post_delete(user=coordinator, post=other)
    text = client.get(page).text
    assert "Second answer" not in text and "Deleted by its author." in _post_html(text, f"reply-{other.pk}")


def test_a_readers_kept_page_follows_every_change_it_shows(client, discussion, asker, answerer, coordinator):
    """A member who wrote none of the replies sees a page kept for every such reader (its replies' HTML, under
    the thread's version): seen again it is the page made afresh, with no read of the replies, and every change
    (a new reply, an edit, a name, the accepted answer, hiding, deleting) shows at once. Who wrote a reply on the
    page gets their own actions on it, not the readers' page."""
    answer = reply_to(discussion, answerer, "First answer")
    other = reply_to(discussion, coordinator, "Second answer")
    page = discussion.get_absolute_url()
    reader = member_of(discussion.community)
    login(client, reader)
    first = client.get(page).text
    with CaptureQueriesContext(connection) as seen_again:
        again = client.get(page).text
    assert _without_tokens(again) == _without_tokens(first)
    queries = [query["sql"] for query in seen_again.captured_queries]
    # What is the viewer's alone is read; the thread (the discussion, its replies) is not.
    assert queries[-1].startswith("SELECT EXISTS(")
    assert not [
        sql
        for sql in queries
        if sql.startswith(('SELECT "activities_discussion"', 'SELECT "activities_reply"'))
    ]
    assert (
        url("reply_report", discussion, answer.pk) in first
        and url("reply_edit", discussion, answer.pk) not in first
    )

    third = reply_to(discussion, asker, "Third answer")
    assert f'id="reply-{third.pk}"' in client.get(page).text
    services.post_edit(user=answerer, post=answer, body="A better **answer**")
    assert "A better <strong>answer</strong>" in client.get(page).text
    answerer.full_name = "Benjamin Answerer"
    answerer.save()
    assert "Reply by </span>Benjamin Answerer</span>" in client.get(page).text
    services.reply_accept(actor=asker, discussion=discussion, reply=other)
    text = client.get(page).text
    assert "The accepted answer, by Cora Coordinator" in text and 'id="accepted-answer"' in text
    services.post_hide(actor=coordinator, post=answer, reason="Off topic")
    text = client.get(page).text
    assert "A better" not in text and f'id="reply-{answer.pk}"' not in text
    services.post_delete(user=asker, post=third)
    assert "Deleted by its author." in _post_html(client.get(page).text, f"reply-{third.pk}")

    # The answerer wrote a reply on the page: Edit and Delete on it, no Report (their own rows, not the readers').
    text = login(client, answerer).get(page).text
    assert "Off topic" in text and url("reply_report", discussion, answer.pk) not in text
    assert url("reply_delete", discussion, answer.pk) in text


def test_a_kept_thread_is_not_shown_under_another_community(client, discussion, answerer):
    """What is kept of a thread is kept for its own community: the same number under another community's address
    is not found, before and after the thread was seen."""
    reply_to(discussion, answerer, "An answer")
    elsewhere = CommunityFactory()
    MembershipFactory(community=elsewhere, user=answerer)
    login(client, answerer)
    wrong = reverse("activities:discussion", args=[elsewhere.slug, discussion.pk])
    assert client.get(wrong).status_code == 404
    assert client.get(discussion.get_absolute_url()).status_code == 200
    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize("viewer", ["answerer", "reader"])
def test_a_kept_post_shows_its_times_as_of_now(client, discussion, answerer, monkeypatch, viewer):
    """The times of a post are not kept with it: a page seen later says how long ago as of then, for its author
    (their own rows) and for a reader (the page kept for readers)."""
    answer = reply_to(discussion, answerer, "An answer")
    Reply.objects.filter(pk=answer.pk).update(created_at=timezone.now() - timedelta(hours=2))
    login(client, answerer if viewer == "answerer" else member_of(discussion.community))
    assert "2\xa0hours ago" in _post_html(
        client.get(discussion.get_absolute_url()).text, f"reply-{answer.pk}"
    )
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    text = _post_html(client.get(discussion.get_absolute_url()).text, f"reply-{answer.pk}")
    assert "3\xa0days ago" in text and "2\xa0hours ago" not in text


@pytest.mark.parametrize("viewer", ["answerer", "reader"])
def test_a_post_whose_text_holds_the_time_mark_is_shown_whole(
    client, discussion, answerer, monkeypatch, viewer
):
    """Should a post's text ever hold the mark that stands for its times in the kept part (PostgreSQL refuses it,
    so the body is made to hold it here), it is shown as made afresh, with its times (a reader's page of replies
    too)."""
    from activities.discussions import views

    answer = reply_to(discussion, answerer, "An answer")
    odd = mark_safe(f"<p>odd {views.TIME_MARK} text</p>")  # noqa: S308 - a fixed text
    monkeypatch.setattr(views, "post_body", lambda post: odd)
    who = answerer if viewer == "answerer" else member_of(discussion.community)
    for _ in range(2):  # made, then read from the cache
        text = login(client, who).get(discussion.get_absolute_url()).text
        for anchor in ("question", f"reply-{answer.pk}"):
            post = _post_html(text, anchor)
            assert f"<p>odd {views.TIME_MARK} text</p>" in post and "<time datetime=" in post


def _without_tokens(text: str) -> str:
    """A page without its CSRF tokens and nonces, which change with every request."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


# --- Replying ----------------------------------------------------------------------------------------------


def test_member_replies_and_lands_on_the_reply(client, discussion, answerer):
    response = login(client, answerer).post(url("discussion_reply", discussion), {"body": "Try **DVC**."})
    reply = Reply.objects.get(discussion=discussion)
    assert response.status_code == 302
    assert response["Location"] == f"{discussion.get_absolute_url()}?reply={reply.pk}#reply-{reply.pk}"
    assert fresh(discussion).reply_count == 1 and discussion.is_answered
    assert Follow.objects.filter(discussion=discussion, user=answerer).exists()
    assert "Your reply is posted" in messages_of(response)[0]


def test_reply_rejects_get(client, discussion, answerer):
    assert login(client, answerer).get(url("discussion_reply", discussion)).status_code == 405


def test_reply_in_a_private_community_is_404_for_an_outsider(client, private, asker):
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    response = login(client, asker).post(url("discussion_reply", elsewhere), {"body": "Hi"})
    assert response.status_code == 404
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something: the text cannot be empty."),
        ("   ", "Write something: the text cannot be empty."),
        (MEGABYTE, "The text is too long (1,048,576 characters); keep it under 50,000."),
    ],
)
def test_reply_refuses_bad_input(client, discussion, answerer, body, message):
    response = login(client, answerer).post(url("discussion_reply", discussion), {"body": body})
    assert response.status_code == 400
    assert message in response.text
    assert not Reply.objects.exists() and fresh(discussion).reply_count == 0


def test_reply_to_a_locked_discussion_is_refused_keeping_the_text(client, discussion, answerer, coordinator):
    services.discussion_lock(actor=coordinator, discussion=discussion, locked=True)
    response = login(client, answerer).post(
        url("discussion_reply", discussion), {"body": "My careful answer"}
    )
    assert response.status_code == 400
    assert "This discussion is locked: no new replies." in response.text
    assert "My careful answer</textarea>" in response.text
    assert not Reply.objects.exists()


def test_reply_by_a_non_member_is_refused(client, discussion):
    response = login(client, UserFactory()).post(url("discussion_reply", discussion), {"body": "Drive-by"})
    assert response.status_code == 400
    assert "Join Open Data Practice to take part" in response.text
    assert not Reply.objects.exists()


def test_reply_preview_without_javascript_keeps_the_text(client, discussion, answerer):
    response = login(client, answerer).post(
        url("discussion_reply", discussion), {"body": "Draft with _emphasis_", "preview": "1"}
    )
    assert response.status_code == 200
    assert "<em>emphasis</em>" in response.text and "Draft with _emphasis_</textarea>" in response.text
    assert not Reply.objects.exists()


# --- Following ---------------------------------------------------------------------------------------------


def test_follow_and_unfollow_without_javascript(client, discussion, answerer):
    login(client, answerer)
    response = client.post(url("discussion_follow", discussion), {"on": "1"})
    assert response.status_code == 302 and response["Location"] == discussion.get_absolute_url()
    assert Follow.objects.filter(discussion=discussion, user=answerer).exists()
    assert "You follow this discussion" in messages_of(response)[0]
    response = client.post(url("discussion_follow", discussion), {"on": "0"})
    assert not Follow.objects.filter(discussion=discussion, user=answerer).exists()
    assert "You no longer follow" in messages_of(response)[-1]


def test_follow_with_htmx_swaps_the_box_and_announces(client, discussion, asker):
    response = login(client, asker).post(url("discussion_follow", discussion), {"on": "0"}, **HTMX)
    assert response.status_code == 200
    assert 'id="follow-box"' in response.text and ">Follow</button>" in response.text
    follow = url("discussion_follow", discussion)
    assert f'action="{follow}"' in response.text and f'data-hx-post="{follow}"' in response.text
    assert 'data-hx-swap-oob="innerHTML:#live-region">You no longer follow this discussion.' in response.text
    assert "<html" not in response.text
    assert not Follow.objects.filter(discussion=discussion, user=asker).exists()


def test_follow_bad_input_wrong_method_and_outsider(client, discussion, answerer, private):
    login(client, answerer)
    response = client.post(url("discussion_follow", discussion), {"on": "maybe"})
    assert "Choose to follow or to stop following." in messages_of(response)[0]
    assert not Follow.objects.filter(user=answerer).exists()
    assert client.get(url("discussion_follow", discussion)).status_code == 405
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.post(url("discussion_follow", elsewhere), {"on": "1"}).status_code == 404


# --- Accepting an answer -----------------------------------------------------------------------------------


def test_author_accepts_moves_and_clears_the_accepted_answer(
    client, discussion, asker, answerer, coordinator
):
    first, second = reply_to(discussion, answerer), reply_to(discussion, coordinator)
    login(client, asker)
    response = client.post(url("discussion_accept", discussion), {"reply": first.pk})
    assert response.status_code == 302 and fresh(discussion).accepted_reply == first
    assert "Marked as the accepted answer." in messages_of(response)[0]
    client.post(url("discussion_accept", discussion), {"reply": second.pk, "page": 2})
    assert fresh(discussion).accepted_reply == second
    response = client.post(url("discussion_accept", discussion), {"reply": ""})
    assert fresh(discussion).accepted_reply is None
    assert "The accepted answer mark is removed." in messages_of(response)[-1]


def test_coordinator_accepts_with_htmx_and_gets_the_thread_back(client, discussion, answerer, coordinator):
    answer = reply_to(discussion, answerer, "The answer")
    response = login(client, coordinator).post(
        url("discussion_accept", discussion), {"reply": answer.pk}, **HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="discussion-thread">')
    assert 'id="accepted-answer"' in response.text and "Unmark as the accepted answer" in response.text
    assert 'data-hx-swap-oob="innerHTML:#live-region">Marked as the accepted answer.' in response.text
    assert fresh(discussion).accepted_reply == answer


def test_accept_by_another_member_is_403(client, discussion, answerer):
    answer = reply_to(discussion, answerer)
    response = login(client, answerer).post(url("discussion_accept", discussion), {"reply": answer.pk})
    assert response.status_code == 403
    assert fresh(discussion).accepted_reply is None


def test_accepting_a_reply_from_another_discussion_is_refused(client, discussion, community, asker, answerer):
    other = start(community, answerer, "Another question")
    elsewhere = reply_to(other, asker)
    login(client, asker)
    response = client.post(url("discussion_accept", discussion), {"reply": elsewhere.pk})
    assert response.status_code == 302
    assert messages_of(response) == ["That reply belongs to another discussion."]
    assert fresh(discussion).accepted_reply is None and fresh(other).accepted_reply is None
    response = client.post(url("discussion_accept", discussion), {"reply": 987654})
    assert "does not exist" in messages_of(response)[-1]
    response = client.post(url("discussion_accept", discussion), {"reply": "abc"}, **HTMX)
    assert "Choose a reply to accept." in response.text


def test_accept_wrong_method_and_outsider(client, discussion, asker, private):
    login(client, asker)
    assert client.get(url("discussion_accept", discussion)).status_code == 405
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.post(url("discussion_accept", elsewhere), {"reply": ""}).status_code == 404


# --- Pin and lock ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "field"), [("discussion_pin", "pinned"), ("discussion_lock", "locked")])
def test_coordinators_pin_and_lock(client, discussion, coordinator, answerer, private, name, field):
    login(client, coordinator)
    response = client.post(url(name, discussion), {"on": "1"})
    assert response.status_code == 302 and getattr(fresh(discussion), field) is True
    client.post(url(name, discussion), {"on": "0"})
    assert getattr(fresh(discussion), field) is False
    response = client.post(url(name, discussion), {"on": "sideways"})
    assert messages_of(response)[-1] == "Choose on or off."
    assert client.get(url(name, discussion)).status_code == 405
    assert login(client, answerer).post(url(name, discussion), {"on": "1"}).status_code == 403
    assert getattr(fresh(discussion), field) is False
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.post(url(name, elsewhere), {"on": "1"}).status_code == 404


def test_pinned_discussions_come_first(client, community, asker, coordinator):
    first = start(community, asker, "First asked")
    start(community, asker, "Asked later")
    login(client, coordinator).post(url("discussion_pin", first), {"on": "1"})
    titles = [d.title for d in client.get(list_url(community)).context["page"].object_list]
    assert titles == ["First asked", "Asked later"]


# --- Editing and deleting ----------------------------------------------------------------------------------


def test_author_edits_the_discussion_and_a_reply(client, discussion, asker, answerer):
    login(client, asker)
    response = client.get(url("discussion_edit", discussion))
    assert response.status_code == 200 and 'value="How do you version datasets?"' in response.text
    response = client.post(url("discussion_edit", discussion), {"title": "Versioning data", "body": "Edited"})
    assert response.status_code == 302
    discussion = fresh(discussion)
    assert (discussion.title, discussion.body) == ("Versioning data", "Edited") and discussion.edited_at
    answer = reply_to(discussion, answerer, "First try")
    login(client, answerer)
    response = client.post(url("reply_edit", discussion, answer.pk), {"body": "Second try"})
    assert response["Location"] == f"{discussion.get_absolute_url()}?reply={answer.pk}#reply-{answer.pk}"
    assert fresh(answer).body == "Second try" and answer.edited_at
    assert "edited <time" in client.get(discussion.get_absolute_url()).text


def test_editing_someone_elses_post_is_403(client, discussion, answerer, coordinator):
    login(client, answerer)
    assert client.get(url("discussion_edit", discussion)).status_code == 403
    response = client.post(url("discussion_edit", discussion), {"title": "Mine now", "body": "Ha"})
    assert response.status_code == 403
    answer = reply_to(discussion, coordinator)
    assert client.post(url("reply_edit", discussion, answer.pk), {"body": "Ha"}).status_code == 403
    assert fresh(discussion).title == "How do you version datasets?" and fresh(answer).edited_at is None


def test_a_removed_author_gets_403_and_no_edit_links(client, discussion, asker, answerer, community):
    """Removed from the community, its author no longer edits, deletes or accepts (issue 14, item 2)."""
    answer = reply_to(discussion, answerer, "First try")
    Membership.objects.filter(community=community, user__in=[asker, answerer]).update(status="removed")
    login(client, answerer)
    for name in ("reply_edit", "reply_delete"):
        assert client.get(url(name, discussion, answer.pk)).status_code == 403
        assert client.post(url(name, discussion, answer.pk), {"body": "Ha"}).status_code == 403
    page = client.get(discussion.get_absolute_url()).text
    assert url("reply_edit", discussion, answer.pk) not in page
    assert url("reply_delete", discussion, answer.pk) not in page
    login(client, asker)
    assert client.post(url("discussion_edit", discussion), {"title": "T", "body": "B"}).status_code == 403
    assert client.post(url("discussion_accept", discussion), {"reply": answer.pk}).status_code == 403
    assert "Accept this answer" not in client.get(discussion.get_absolute_url()).text
    assert fresh(answer).edited_at is None and fresh(discussion).accepted_reply is None


def test_the_author_of_a_hidden_reply_may_delete_it_but_not_edit_it(
    client, discussion, answerer, coordinator
):
    answer = reply_to(discussion, answerer, "Off-topic rant")
    login(client, coordinator).post(url("reply_hide", discussion, answer.pk), {"reason": "Off-topic"})
    login(client, answerer)
    assert client.get(url("reply_edit", discussion, answer.pk)).status_code == 403
    assert client.post(url("reply_edit", discussion, answer.pk), {"body": "Other"}).status_code == 403
    page = client.get(discussion.get_absolute_url()).text
    assert (
        url("reply_edit", discussion, answer.pk) not in page
        and url("reply_delete", discussion, answer.pk) in page
    )
    assert client.post(url("reply_delete", discussion, answer.pk)).status_code == 302
    assert fresh(answer).body == "Off-topic rant" and answer.deleted_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Fine", "body": ""}, "Write something"),
        ({"title": "", "body": "Fine"}, "Give the discussion a title"),
        ({"title": "Fine", "body": MEGABYTE}, "The text is too long"),
    ],
)
def test_edit_refuses_bad_input_keeping_the_text(client, discussion, asker, data, message):
    response = login(client, asker).post(url("discussion_edit", discussion), data)
    assert response.status_code == 400 and message in response.text
    assert fresh(discussion).body == "We keep **copies**." and discussion.edited_at is None


def test_edit_preview_wrong_method_and_outsider(client, discussion, asker, private):
    login(client, asker)
    response = client.post(
        url("discussion_edit", discussion), {"title": "T", "body": "_new_", "preview": "1"}
    )
    assert (
        response.status_code == 200
        and "<em>new</em>" in response.text
        and "_new_</textarea>" in response.text
    )
    assert fresh(discussion).edited_at is None
    assert client.put(url("discussion_edit", discussion)).status_code == 405
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.get(url("discussion_edit", elsewhere)).status_code == 404


def test_author_deletes_a_reply_after_confirming_and_a_placeholder_stays(client, discussion, answerer):
    answer = reply_to(discussion, answerer, "Regrettable")
    login(client, answerer)
    response = client.get(url("reply_delete", discussion, answer.pk))
    assert (
        response.status_code == 200 and "Regrettable" in response.text and "cannot be undone" in response.text
    )
    response = client.post(url("reply_delete", discussion, answer.pk))
    assert response.status_code == 302 and fresh(answer).is_deleted
    assert fresh(discussion).reply_count == 0
    text = client.get(discussion.get_absolute_url()).text
    assert "Deleted by its author." in text and "Regrettable" not in text
    response = client.post(url("reply_delete", discussion, answer.pk))
    assert messages_of(response)[-1] == "This post was already deleted."


def test_deleting_someone_elses_post_wrong_method_and_outsider(client, discussion, answerer, private):
    login(client, answerer)
    assert client.post(url("discussion_delete", discussion)).status_code == 403
    assert not fresh(discussion).is_deleted
    assert client.put(url("discussion_delete", discussion)).status_code == 405
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.post(url("discussion_delete", elsewhere)).status_code == 404
    assert client.post(url("reply_delete", discussion, 987654)).status_code == 404


# --- Hiding and reporting ----------------------------------------------------------------------------------


def test_coordinator_hides_and_unhides_a_reply_with_a_reason(client, discussion, answerer, coordinator):
    answer = reply_to(discussion, answerer, "Off topic rant")
    login(client, coordinator)
    response = client.get(url("reply_hide", discussion, answer.pk))
    assert response.status_code == 200 and "Off topic rant" in response.text
    response = client.post(url("reply_hide", discussion, answer.pk), {"reason": "Off topic"})
    assert response.status_code == 302
    answer = fresh(answer)
    assert answer.is_hidden and answer.hidden_by == coordinator and answer.hidden_reason == "Off topic"
    assert fresh(discussion).reply_count == 0
    response = client.post(url("reply_unhide", discussion, answer.pk))
    assert response.status_code == 302 and not fresh(answer).is_hidden
    assert fresh(discussion).reply_count == 1


def test_hiding_needs_a_reason_and_a_coordinator(client, discussion, answerer, coordinator, private):
    login(client, coordinator)
    response = client.post(url("discussion_hide", discussion), {"reason": "   "})
    assert response.status_code == 400 and "Say why, in a sentence." in response.text
    assert not fresh(discussion).is_hidden
    assert client.put(url("discussion_hide", discussion)).status_code == 405
    assert client.get(url("discussion_unhide", discussion)).status_code == 405
    login(client, answerer)
    assert client.get(url("discussion_hide", discussion)).status_code == 403
    assert client.post(url("discussion_hide", discussion), {"reason": "I dislike it"}).status_code == 403
    assert client.post(url("discussion_unhide", discussion)).status_code == 403
    assert not fresh(discussion).is_hidden
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert client.post(url("discussion_hide", elsewhere), {"reason": "x"}).status_code == 404


def test_member_reports_a_post(client, discussion, answerer, coordinator):
    login(client, answerer)
    response = client.get(url("discussion_report", discussion))
    assert response.status_code == 200 and "What is wrong with it?" in response.text
    response = client.post(url("discussion_report", discussion), {"reason": "Contains a customer's name"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reply, report.reason) == (answerer, None, "Contains a customer's name")
    assert "Reported" in messages_of(response)[0]
    response = client.post(url("discussion_report", discussion), {"reason": "Again"})
    assert response.status_code == 400 and "You already reported this" in response.text
    assert Report.objects.count() == 1


def test_report_bad_input_non_member_wrong_method_and_outsider(client, discussion, answerer, private):
    login(client, answerer)
    response = client.post(url("discussion_report", discussion), {"reason": ""})
    assert response.status_code == 400 and "Say why, in a sentence." in response.text
    assert client.put(url("discussion_report", discussion)).status_code == 405
    assert (
        login(client, UserFactory()).post(url("discussion_report", discussion), {"reason": "x"}).status_code
        == 403
    )
    elsewhere = start(private, private.memberships.get().user, "Private matters")
    assert login(client, answerer).get(url("discussion_report", elsewhere)).status_code == 404
    assert not Report.objects.exists()


def reports_url(community) -> str:
    return reverse("activities:discussion_reports", args=[community.slug])


def test_coordinators_see_open_reports_and_resolve_them(client, community, discussion, answerer, coordinator):
    answer = reply_to(discussion, answerer, "Questionable")
    services.post_report(reporter=fresh(discussion).author, post=answer, reason="Not nice")
    services.post_report(reporter=answerer, post=discussion, reason="Duplicate")
    login(client, coordinator)
    response = client.get(reports_url(community))
    assert response.status_code == 200
    text = response.text
    assert "Not nice" in text and "Duplicate" in text and "Questionable" in text
    assert f"?reply={answer.pk}#reply-{answer.pk}" in text
    assert url("reply_hide", discussion, answer.pk) in text
    report = Report.objects.get(reason="Duplicate")
    resolve = reverse("activities:resolve_report", args=[community.slug, report.pk])
    response = client.post(resolve)
    assert response.status_code == 302 and fresh(report).resolved_by == coordinator
    assert "Duplicate" not in client.get(reports_url(community)).text
    response = client.post(resolve)
    assert messages_of(response)[-1] == "This report was already dealt with."
    # Hiding the post resolves its reports too.
    client.post(url("reply_hide", discussion, answer.pk), {"reason": "Unkind"})
    assert "No open reports" in client.get(reports_url(community)).text


def test_reports_are_for_coordinators_only(client, community, discussion, answerer, coordinator, private):
    report = services.post_report(reporter=answerer, post=discussion, reason="Spam")
    resolve = reverse("activities:resolve_report", args=[community.slug, report.pk])
    login(client, answerer)
    assert client.get(reports_url(community)).status_code == 403
    assert client.post(resolve).status_code == 403
    assert fresh(report).resolved_at is None
    assert client.get(reports_url(private)).status_code == 404
    login(client, coordinator)
    assert client.post(reports_url(community)).status_code == 405
    assert client.get(resolve).status_code == 405
    other = CommunityFactory()
    MembershipFactory(community=other, user=coordinator, role="coordinator", level="core")
    assert client.post(reverse("activities:resolve_report", args=[other.slug, report.pk])).status_code == 404


# --- Mentions: post_html and the by-handle link ------------------------------------------------------------


def test_post_html_links_mentions_in_text_only():
    html = post_html(
        "Hi @grace.mensah and @ben. Mail ben@example.org.\n\n"
        '[ask @ada](https://example.org/@ada) `@code` ![@img](https://example.org/@img.png "@title")'
    )
    assert '<a class="mention" href="/members/by-handle/grace.mensah/">@grace.mensah</a>' in html
    assert '<a class="mention" href="/members/by-handle/ben/">@ben</a>.' in html
    assert "ben@example.org" in html and "by-handle/example.org" not in html
    for untouched in ("ada", "code", "img", "title"):
        assert f"by-handle/{untouched}/" not in html
    assert '<a href="https://example.org/@ada" rel="nofollow noopener">ask @ada</a>' in html
    assert "<code>@code</code>" in html


def test_post_html_needs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        post_html("Thanks @someone, and @someone.else!")


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> @ben",
        "<img src=x onerror=alert(1)> @ben",
        '<a href="#" onclick="alert(1)">x</a> @ben',
        "<svg onload=alert(1)></svg>",
        "[click @ben](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '[x](https://example.org "title\\" onmouseover=\\"alert(1))',
        '![@ben" onerror="alert(1)](https://example.org/x.png)',
        "[<img src=x onerror=alert(1)>](https://example.org)",
        "<a href='java&#x73;cript:alert(1)'>@ben</a>",
        "@ben<style>body{display:none}</style><iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))">@ben</p>',
        "<form action=https://evil.example><button>@ben</button></form>",
    ],
)
def test_post_html_never_lets_anything_executable_through(body):
    """Parsed as a browser would: no dangerous element, no event handler or style attribute, and every URL
    relative, http(s) or mailto (text inside an attribute value, like an alt text, is only text)."""
    html = post_html(body)
    parser = TagCollector()
    parser.feed(html)
    assert not parser.tags & DANGEROUS_TAGS, html
    for _tag, name, value in parser.attributes:
        assert not name.startswith("on") and name != "style", html
        if name in ("href", "src"):
            scheme = re.match(r"\s*([^/?#]*?):", value)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), html
    assert "<script" not in html.lower()


def test_by_handle_opens_the_one_persons_profile_else_the_directory(client, member):
    grace = UserFactory(email="grace.mensah@example.org", full_name="Grace Mensah")
    UserFactory(email="sam@example.org")
    UserFactory(email="sam@example.com")
    login(client, member)
    response = client.get(reverse("members:by_handle", args=["Grace.Mensah"]))
    assert response.status_code == 302 and response["Location"] == reverse("members:profile", args=[grace.pk])
    response = client.get(reverse("members:by_handle", args=["sam"]))
    assert response["Location"] == reverse("members:directory") + "?q=sam"
    response = client.get(reverse("members:by_handle", args=["no.body"]))
    assert response["Location"] == reverse("members:directory") + "?q=no+body"
    Profile.objects.filter(user=grace).update(in_directory=False)
    response = client.get(reverse("members:by_handle", args=["grace.mensah"]))
    assert response["Location"].startswith(reverse("members:directory"))
    assert client.post(reverse("members:by_handle", args=["sam"])).status_code == 405


# --- The community home's and the home page's slots --------------------------------------------------------


def test_community_home_shows_the_latest_discussions_with_reply_counts(
    client, community, asker, answerer, coordinator
):
    for n in range(6):
        start(community, asker, f"Question {n}")
    latest = Discussion.objects.get(title="Question 5")
    reply_to(latest, answerer)
    reply_to(latest, coordinator)
    hidden = start(community, asker, "Hidden one")
    services.post_hide(actor=coordinator, post=hidden, reason="Spam")
    response = login(client, asker).get(reverse("communities:home", args=[community.slug]))
    slot = response.text[response.text.index('id="recent-discussions"') :]
    slot = slot[: slot.index("</section>")]
    assert slot.count('class="latest-discussion"') == 5
    assert "Question 5" in slot and "2 replies" in slot and "Question 0" not in slot
    assert "Hidden one" not in slot
    assert "See all discussions" in slot and "Start a discussion" in slot


def test_community_home_without_discussions(client, community, asker):
    response = login(client, asker).get(reverse("communities:home", args=[community.slug]))
    assert "No discussions yet." in response.text and "Start the first one" in response.text


def test_home_shows_recent_activity_in_my_communities_only(client, community, asker, answerer, coordinator):
    asked = start(community, answerer, "Fresh question")
    reply_to(asked, coordinator, "A reply")
    elsewhere = CommunityFactory(name="Not mine")
    start(elsewhere, member_of(elsewhere), "Someone else's question")
    archived = CommunityFactory(name="Old times")
    MembershipFactory(community=archived, user=asker)
    old = start(archived, asker, "Archived question")
    Community.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    hidden = start(community, answerer, "Hidden question")
    services.post_hide(actor=coordinator, post=hidden, reason="Spam")

    response = login(client, asker).get(reverse("home"))
    text = response.text
    section = text[text.index('id="recent-activity"') :]
    assert "Cora Coordinator replied to" in section and "Ben Answerer started" in section
    assert asked.get_absolute_url() in section and "Open Data Practice" in section
    for absent in ("Someone else's question", old.title, "Hidden question"):
        assert absent not in section
    assert Membership.objects.filter(user=asker).count() == 2


def test_home_recent_activity_empty_state(client, member):
    response = login(client, member).get(reverse("home"))
    assert "New discussions and replies in your communities will appear here." in response.text


def test_an_archived_community_keeps_its_discussions_readable_but_unchanged(
    client, community, discussion, answerer, coordinator
):
    answer = reply_to(discussion, answerer, "Kept for reference")
    services.post_hide(actor=coordinator, post=answer, reason="Outdated")
    Community.objects.filter(pk=community.pk).update(archived_at=timezone.now())
    login(client, coordinator)
    response = client.get(discussion.get_absolute_url())
    assert response.status_code == 200 and "is archived" in response.text
    assert 'name="body"' not in response.text and "Accept this answer" not in response.text
    response = client.post(url("discussion_pin", discussion), {"on": "1"})
    assert "is archived" in messages_of(response)[-1] and not fresh(discussion).pinned
    response = client.post(url("discussion_hide", discussion), {"reason": "Old"})
    assert response.status_code == 400 and "is archived" in response.text
    response = client.post(url("reply_unhide", discussion, answer.pk))
    assert "is archived" in messages_of(response)[-1] and fresh(answer).is_hidden
    assert "Kept for reference" not in login(client, answerer).get(list_url(community)).text
    assert "How do you version datasets?" in client.get(list_url(community)).text


def test_a_link_to_an_unknown_reply_opens_the_first_page(client, discussion, answerer):
    login(client, answerer)
    for wanted in ("987654", "abc"):
        response = client.get(f"{discussion.get_absolute_url()}?reply={wanted}")
        assert response.status_code == 200 and response.context["page"].number == 1
