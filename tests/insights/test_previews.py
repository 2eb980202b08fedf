"""Staff previews of the digests and reports: the real mail for real data, for staff only, stored and sent
nowhere; the HTML body framed under a policy of its own."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activities.models import Discussion
from insights.deliveries import due_period
from insights.models import Delivery
from members.notifications import Frequency
from tests.factories import CommunityFactory, SponsorshipFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

KINDS = ("coordinator_digest", "member_digest", "sponsor_report")


def preview_url(kind: str, **query: str) -> str:
    url = reverse("insights:preview", args=[kind])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def people() -> dict[str, dict]:
    """Two communities, each with a coordinator, a member, a sponsor and a discussion an outsider started last
    week; the guild's people come first (lowest ids), so they are the default recipients."""
    now = timezone.localtime(timezone.now(), ZoneInfo("UTC")).replace(hour=23)
    week = due_period(Frequency.WEEKLY, now)
    outsider = UserFactory(full_name="Olga Outsider")
    found = {}
    for slug in ("guild", "circle"):
        community = CommunityFactory(name=slug.title(), slug=slug)
        found[slug] = {
            "community": community,
            "coordinator": coordinator_of(community, user=UserFactory(full_name=f"Cora {slug.title()}")),
            "member": member_of(community, user=UserFactory(full_name=f"Mo {slug.title()}")),
            "sponsor": SponsorshipFactory(
                community=community, sponsor=UserFactory(full_name=f"Sasha {slug.title()}")
            ).sponsor,
        }
        moment = week.start + timedelta(hours=30)
        Discussion.objects.create(
            community=community,
            author=outsider,
            title=f"News in {community.name}",
            body="Anyone?",
            created_at=moment,
            last_activity_at=moment,
        )
    return found


# --- Who may see them ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [reverse("insights:preview_list"), preview_url("member_digest")])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [reverse("insights:preview_list"), preview_url("member_digest")])
def test_members_who_are_not_staff_are_refused(member_client, url):
    assert member_client.get(url).status_code == 403


def test_coordinators_and_sponsors_are_refused_too(client, people):
    for role in ("coordinator", "sponsor"):
        client.force_login(people["guild"][role])
        assert client.get(preview_url("coordinator_digest")).status_code == 403


def test_only_get_is_allowed(staff_client):
    assert staff_client.post(preview_url("member_digest")).status_code == 405


# --- The list --------------------------------------------------------------------------------------------


def test_the_list_links_every_kind(staff_client):
    response = staff_client.get(reverse("insights:preview_list"))
    assert response.status_code == 200
    for kind in KINDS:
        assert f'href="{reverse("insights:preview", args=[kind])}"' in response.text
    assert "Report on the communities I sponsor" in response.text
    assert "Weekly digest or Monthly (by default monthly)" in response.text


# --- One kind --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "says"),
    [
        ("coordinator_digest", "coordinator", "News in Guild"),
        ("member_digest", "coordinator", "News in Guild"),  # the guild's coordinator is its first member
        ("sponsor_report", "sponsor", "Guild"),
    ],
)
def test_each_kind_shows_the_real_mail_of_its_first_recipient(
    staff_client, people, mailoutbox, kind, role, says
):
    recipient = people["guild"][role]
    response = staff_client.get(preview_url(kind))
    assert response.status_code == 200
    page = response.text
    assert f"({recipient.email})" in page
    preview = response.context["preview"]
    assert preview.recipient == recipient and preview.mail is not None
    # Subject and headers as sent, the text version in a <pre>, the HTML version framed.
    assert f'<td class="text-break">{escape(preview.mail.subject)}</td>' in page
    assert "List-Unsubscribe-Post" in page and "List-Unsubscribe=One-Click" in page
    assert says in preview.mail.body
    assert f'bg-body-tertiary mail-text">{escape(preview.mail.body)}</pre>' in page
    assert 'title="The HTML version of the mail" sandbox' in page
    framed = staff_client.get(response.context["html_url"])
    assert framed.status_code == 200
    # The same HTML body (its unsubscribe token is signed anew at each render, with the time).
    assert framed.text.lower().startswith("<!doctype html>") and says in framed.text
    assert framed.text.split("/members/unsubscribe/")[0] == preview.html.split("/members/unsubscribe/")[0]
    assert (
        "sandbox" in framed["Content-Security-Policy"]
        and "script-src" not in framed["Content-Security-Policy"]
    )
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    # Nothing stored, nothing sent.
    assert Delivery.objects.count() == 0
    assert mailoutbox == []


def test_the_text_version_is_escaped_in_the_page(staff_client, people):
    """The text body is rendered with autoescape off (it is plain text): the page must escape it itself."""
    Discussion.objects.filter(community=people["guild"]["community"]).update(
        title="<script>alert(1)</script>"
    )
    response = staff_client.get(preview_url("member_digest"))
    assert "<script>alert(1)</script>" in response.context["preview"].mail.body
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_sponsor_report_shows_its_csv(staff_client, people):
    response = staff_client.get(preview_url("sponsor_report"))
    [(name, mimetype, text)] = response.context["preview"].attachments
    assert name.endswith(".csv") and mimetype == "text/csv"
    assert "Guild" in text and "Guild" in response.text


def test_a_chosen_recipient_and_community(staff_client, people):
    circle = people["circle"]
    response = staff_client.get(
        preview_url("coordinator_digest", user=str(circle["coordinator"].pk), community="circle")
    )
    preview = response.context["preview"]
    assert (preview.recipient, preview.community) == (circle["coordinator"], circle["community"])
    assert "News in Circle" in preview.mail.body and "News in Guild" not in preview.mail.body
    assert ", about Circle:" in response.text


def test_the_recipient_is_picked_by_address_with_suggestions(staff_client, people):
    """Issue 14, item 18: staff typed a numeric user id; now a name, completed to an address."""
    coordinator = people["circle"]["coordinator"]
    response = staff_client.get(preview_url("coordinator_digest", user=coordinator.email.upper()))
    assert response.context["preview"].recipient == coordinator
    assert 'list="people-suggestions"' in response.text and 'id="people-suggestions"' in response.text
    response = staff_client.get(preview_url("coordinator_digest", user="nobody@example.org"))
    assert response.status_code == 200
    assert "Nobody at CoPsite has the address nobody@example.org." in response.text


def test_staff_find_the_previews_in_their_menu(staff_client, client, people):
    assert reverse("insights:preview_list") in staff_client.get(reverse("home")).text
    client.force_login(people["circle"]["coordinator"])
    assert reverse("insights:preview_list") not in client.get(reverse("home")).text


def test_a_community_alone_picks_its_first_recipient(staff_client, people):
    response = staff_client.get(preview_url("member_digest", community="circle"))
    assert response.context["preview"].recipient == people["circle"]["coordinator"]


def test_a_recipient_alone_gets_their_own_community(staff_client, people):
    response = staff_client.get(
        preview_url("coordinator_digest", user=str(people["circle"]["coordinator"].pk))
    )
    assert response.context["preview"].community == people["circle"]["community"]


def test_the_frequency_sets_the_period(staff_client, people):
    response = staff_client.get(preview_url("member_digest", frequency="daily"))
    preview = response.context["preview"]
    yesterday = timezone.localtime(timezone.now(), ZoneInfo("UTC")).date() - timedelta(days=1)
    assert (preview.frequency, preview.period.key) == ("daily", yesterday.isoformat())
    assert '<option value="daily" selected>' in response.text


def test_nothing_new_says_no_mail_would_be_sent(staff_client, people):
    Discussion.objects.all().delete()
    response = staff_client.get(preview_url("member_digest"))
    assert response.status_code == 200
    assert "Nothing new for them in this period: no mail would be sent." in response.text
    assert staff_client.get(response.context["html_url"]).status_code == 404


def test_a_community_nobody_would_hear_about(staff_client, people):
    CommunityFactory(name="Empty", slug="empty")
    response = staff_client.get(preview_url("member_digest", community="empty"))
    assert response.status_code == 200
    assert "Nobody would receive this in Empty." in response.text


@pytest.mark.parametrize(
    "url",
    [
        preview_url("weekly_news"),
        preview_url("member_digest", user="999999"),
        preview_url("member_digest", user="abc"),
        preview_url("member_digest", community="nowhere"),
    ],
)
def test_unknown_kinds_users_and_communities_are_not_found(staff_client, people, url):
    assert staff_client.get(url).status_code == 404
