"""One-click unsubscribe: a signed link per person and kind of mail, no login needed; the page asks, a POST (the
page's button, or a mail client's RFC 8058 one-click POST without cookies or CSRF token) turns exactly that kind
off. Every notification mail carries the link and the List-Unsubscribe headers; account mails do not."""

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.calendar import services as activity_services
from activities.calendar import tasks as activity_tasks
from activities.discussions import services as discussion_services
from activities.discussions import tasks as discussion_tasks
from communities import tasks as community_tasks
from communities.models import EmailInvitation, MembershipEvent
from core.unsubscribe import SALT, read_unsubscribe_token, unsubscribe_token, unsubscribe_url
from members.models import NotificationPreference
from members.notifications import MAIL_KINDS, Frequency, MailKind
from members.services import notification_frequency, notification_unsubscribe
from repertoire import services as repertoire_services
from repertoire import tasks as repertoire_tasks
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

SITE = "https://cops.example.org"
INVALID = "This link is not valid"
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def ada(db):
    return UserFactory(full_name="Ada Lovelace", email="ada.lovelace@example.org")


def path_for(user, kind: str) -> str:
    return reverse("members:unsubscribe", args=[unsubscribe_token(user.pk, kind)])


def stored(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "frequency"))


def one_click(path: str):
    """What a mail client does (RFC 8058): a POST with only this body, no cookies and no CSRF token."""
    return Client(enforce_csrf_checks=True).post(path, data=ONE_CLICK, content_type=FORM)


# --- Tokens ----------------------------------------------------------------------------------------------


def test_a_token_names_the_person_and_the_kind(ada):
    token = unsubscribe_token(ada.pk, "mentions")
    assert read_unsubscribe_token(token) == (ada.pk, "mentions")
    assert unsubscribe_url(ada.pk, "mentions") == f"{SITE}/members/unsubscribe/{token}/"


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "",
        # signed with another salt (another feature's token), or not a dict, or with the wrong types
        signing.dumps({"u": 1, "k": "mentions"}, salt="something.else"),
        signing.dumps([1, "mentions"], salt=SALT),
        signing.dumps({"u": "1", "k": "mentions"}, salt=SALT),
    ],
    # Signed tokens carry a timestamp: stable ids, so that every pytest-xdist worker collects the same tests.
    ids=["nonsense", "empty", "other-salt", "not-a-dict", "wrong-types"],
)
def test_a_token_that_was_not_made_here_reads_as_none(token):
    assert read_unsubscribe_token(token) is None


def test_a_tampered_token_reads_as_none(ada):
    token = unsubscribe_token(ada.pk, "mentions")
    other = unsubscribe_token(ada.pk + 1, "mentions")
    payload, signature = token.rsplit(":", 1)
    assert read_unsubscribe_token(f"{other.rsplit(':', 1)[0]}:{signature}") is None  # someone else's payload
    assert read_unsubscribe_token(f"{payload}:{signature[:-2]}xy") is None  # a changed signature


# --- The page --------------------------------------------------------------------------------------------


def test_get_asks_with_one_button_and_changes_nothing(client, ada):
    response = client.get(path_for(ada, "mentions"))

    assert response.status_code == 200
    html = response.text
    label = MAIL_KINDS["mentions"].label
    assert f"Stop “{label}” mails to a***@example.org?" in html
    assert "ada.lovelace@example.org" not in html  # a forwarded link does not tell the address
    assert html.count('<form method="post">') == 1
    assert "Stop these mails</button>" in html
    assert not NotificationPreference.objects.exists()
    assert "no-cache" in response["Cache-Control"]


def test_get_says_when_the_kind_is_already_off(client, ada):
    NotificationPreference.objects.create(user=ada, kind="mentions", frequency="off")
    html = client.get(path_for(ada, "mentions")).text
    assert "mails are already off" in html
    assert f'href="{reverse("members:notifications")}"' in html
    assert "Stop these mails</button>" not in html


def test_the_page_button_with_its_csrf_token_turns_the_kind_off(ada):
    browser = Client(enforce_csrf_checks=True)
    path = path_for(ada, "discussion_replies")
    page = browser.get(path).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(path, {"csrfmiddlewaretoken": csrf})

    assert response.status_code == 200
    assert "Done: you will not receive “Replies in discussions I follow” mails at a***@example.org" in (
        response.text
    )
    assert f'href="{reverse("members:notifications")}"' in response.text
    assert stored(ada) == {"discussion_replies": "off"}


def test_a_mail_clients_one_click_post_turns_the_kind_off_without_csrf_or_cookies(ada):
    response = one_click(path_for(ada, "discussion_replies"))
    assert response.status_code == 200
    assert "Done: you will not receive" in response.text
    assert stored(ada) == {"discussion_replies": "off"}


def test_unsubscribing_twice_is_harmless(ada):
    path = path_for(ada, "mentions")
    assert one_click(path).status_code == 200
    assert one_click(path).status_code == 200
    assert stored(ada) == {"mentions": "off"}
    assert NotificationPreference.objects.count() == 1


def test_only_the_kind_of_the_link_is_turned_off(ada):
    """A link for mentions stops mentions; the person's other choices stay as they were."""
    NotificationPreference.objects.create(user=ada, kind="discussion_replies", frequency="daily")
    one_click(path_for(ada, "mentions"))
    assert stored(ada) == {"discussion_replies": "daily", "mentions": "off"}


def test_the_link_unsubscribes_its_person_not_whoever_is_signed_in(member_client, member, ada):
    member_client.post(path_for(ada, "mentions"))
    assert stored(ada) == {"mentions": "off"}
    assert stored(member) == {}


def test_a_deactivated_person_can_still_unsubscribe(ada):
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    assert one_click(path_for(ada, "mentions")).status_code == 200
    assert stored(ada) == {"mentions": "off"}


def test_other_methods_are_refused(client, ada):
    path = path_for(ada, "mentions")
    assert client.put(path, data=ONE_CLICK, content_type=FORM).status_code == 405
    assert client.delete(path).status_code == 405
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_gets_a_friendly_page_and_changes_nothing(client, ada, method):
    token = unsubscribe_token(ada.pk, "mentions")
    path = reverse("members:unsubscribe", args=[token[:-3] + "abc"])

    response = getattr(client, method)(path)

    assert response.status_code == 200
    assert INVALID in response.text
    assert f'href="{reverse("members:notifications")}"' in response.text
    assert "Stop these mails</button>" not in response.text
    assert not NotificationPreference.objects.exists()


def test_a_link_for_an_unknown_kind_or_a_deleted_person_gets_the_friendly_page(client, ada):
    gone = UserFactory()
    gone_path = path_for(gone, "mentions")
    gone.delete()
    for path in (path_for(ada, "no_such_kind"), gone_path):
        assert INVALID in client.get(path).text
        response = one_click(path)
        assert response.status_code == 200 and INVALID in response.text
    assert not NotificationPreference.objects.exists()


def test_a_kind_that_cannot_be_turned_off_is_refused(client, ada, monkeypatch):
    monkeypatch.setitem(
        MAIL_KINDS, "always", MailKind(key="always", label="Always", help_text="", allowed=("immediately",))
    )
    assert INVALID in one_click(path_for(ada, "always")).text
    assert not NotificationPreference.objects.exists()


def test_the_service_turns_a_kind_off_once(ada):
    assert notification_unsubscribe(user=ada, kind="mentions") is True
    assert notification_unsubscribe(user=ada, kind="mentions") is False
    assert notification_frequency(user=ada, kind="mentions") == Frequency.OFF


# --- The mails -------------------------------------------------------------------------------------------


def _activity(community):
    """A date 12 hours from now, scheduled by a coordinator."""
    start = (
        (timezone.now() + timedelta(hours=12))
        .astimezone(ZoneInfo("Europe/Berlin"))
        .replace(tzinfo=None, second=0, microsecond=0)
    )
    activity = activity_services.activity_schedule(
        actor=coordinator_of(community),
        community=community,
        title="Practice round",
        start_local=start,
        end_local=start + timedelta(hours=1),
        time_zone="Europe/Berlin",
        place="Room 4.12",
        online_link="",
        capacity=None,
    )
    return activity.occurrences.get()


def _going(community):
    occurrence = _activity(community)
    person = member_of(community)
    rsvp = activity_services.rsvp_set(user=person, occurrence=occurrence, answer="going")
    return person, occurrence, rsvp


def send_reminder(community):
    person, _, rsvp = _going(community)
    assert activity_tasks.send_reminder(rsvp.pk) == 1
    return person


def send_cancellation(community):
    person, occurrence, rsvp = _going(community)
    activity_services.occurrence_cancel(actor=coordinator_of(community), occurrence=occurrence, reason="Ill")
    assert activity_tasks.send_occurrence_cancelled(occurrence.pk, [rsvp.pk]) == 1
    return person


def _discussion(community):
    asker = member_of(community)
    discussion = discussion_services.discussion_start(
        author=asker, community=community, title="How do you version datasets?", body="Dated folders."
    )
    return asker, discussion


def send_reply(community):
    asker, discussion = _discussion(community)
    reply = discussion_services.reply_add(
        author=member_of(community), discussion=discussion, body="Manifests."
    )
    assert discussion_tasks.send_reply_mail(reply.pk) == 1
    return asker


def send_mention(community):
    grace = member_of(community)
    _, discussion = _discussion(community)
    assert discussion_tasks.send_mention_mail(discussion.pk, None, [grace.pk]) == 1
    return grace


def send_report(community):
    coordinator = coordinator_of(community)
    _, discussion = _discussion(community)
    report = discussion_services.post_report(reporter=member_of(community), post=discussion, reason="Spam")
    assert discussion_tasks.send_report_mail(report.pk) == 1
    return coordinator


def _event(community, kind, user):
    return MembershipEvent.objects.create(
        community=community, user=user, actor=UserFactory(), kind=kind, at=timezone.now(), to_value="active"
    )


def send_decision(community):
    person = UserFactory()
    event = _event(community, MembershipEvent.Kind.APPROVED, person)
    assert community_tasks.send_membership_event_mail(event.pk) == 1
    return person


def send_request(community):
    coordinator = coordinator_of(community)
    event = _event(community, MembershipEvent.Kind.REQUESTED, UserFactory())
    assert community_tasks.send_membership_event_mail(event.pk) == 1
    return coordinator


def send_applied(community):
    author = member_of(community, "active")
    resource = repertoire_services.resource_create(
        actor=author, community=community, title="Checklist", summary="What we ask.", body="1. Timeline"
    )
    application = repertoire_services.resource_apply(
        actor=member_of(community), resource=resource, story="Cut our review to 40 min."
    )
    assert repertoire_tasks.send_applied_mail(application.pk) == 1
    return author


SENDERS = {
    "activity_reminders": send_reminder,
    "activity_changes": send_cancellation,
    "discussion_replies": send_reply,
    "mentions": send_mention,
    "discussion_reports": send_report,
    "membership_decisions": send_decision,
    "membership_requests": send_request,
    "resource_applied": send_applied,
}


@pytest.mark.parametrize("kind", SENDERS)
def test_each_notification_mail_carries_its_one_click_unsubscribe(kind, mailoutbox, settings, tmp_path):
    """The real mail has the List-Unsubscribe headers and the link in both parts' footers; following the link as
    a mail client does turns exactly that kind off for exactly that person."""
    settings.MEDIA_ROOT = tmp_path
    recipient = SENDERS[kind](CommunityFactory())
    [message] = [m for m in mailoutbox if m.to == [recipient.email]]
    headers = message.message()

    match = re.fullmatch(
        r"<(https://cops\.example\.org/members/unsubscribe/([^/]+)/)>", headers["List-Unsubscribe"]
    )
    assert match, headers["List-Unsubscribe"]
    url, token = match.groups()
    assert headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert read_unsubscribe_token(token) == (recipient.pk, kind)
    footer = message.body.split("\n-- \n", 1)[1]
    assert f"in one click: {url}\n" in footer
    [(html, _)] = message.alternatives
    assert f'href="{url}"' in html.split("border-top", 1)[1]  # in the footer

    response = one_click(urlsplit(url).path)

    assert response.status_code == 200
    assert stored(recipient) == {kind: "off"}


def test_every_kind_a_task_mails_at_once_is_covered():
    """A kind registered later (by an app that mails immediately) needs its own case above; digests and reports
    are covered by insights' tests."""
    digests = {"coordinator_digest", "sponsor_report", "member_digest"}
    assert set(SENDERS) == set(MAIL_KINDS) - digests


def test_mail_to_someone_without_an_account_has_no_unsubscribe(mailoutbox):
    community = CommunityFactory()
    invitation = EmailInvitation.objects.create(
        community=community,
        email="nia@example.org",
        invited_by=coordinator_of(community),
        expires_at=timezone.now() + timedelta(days=14),
    )
    assert community_tasks.send_email_invitation(invitation.pk) == 1
    [message] = mailoutbox
    assert "List-Unsubscribe" not in message.message()
    assert "/members/unsubscribe/" not in message.body
    assert "in one click" not in message.body


def test_staff_mail_that_cannot_be_turned_off_has_no_unsubscribe(mailoutbox):
    UserFactory(is_staff=True)
    assert community_tasks.send_orphaned_communities_mail([CommunityFactory().pk], UserFactory().pk) == 1
    [message] = mailoutbox
    assert "List-Unsubscribe" not in message.message()
    assert "/members/unsubscribe/" not in message.body + message.alternatives[0][0]


def test_a_password_reset_mail_has_no_unsubscribe(client, ada, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": ada.email})
    assert response.status_code == 302
    [message] = mailoutbox
    assert "reset" in message.subject.lower()
    headers = message.message()
    assert "List-Unsubscribe" not in headers and "List-Unsubscribe-Post" not in headers
    assert "/members/unsubscribe/" not in message.body
