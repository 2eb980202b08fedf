"""Membership mail over real SMTP: one per kind, plain text and HTML, the action as an absolute link near the top,
why the person got it and how to change that at the bottom; preferences and departures respected."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone

from communities import tasks
from communities.models import EmailInvitation, MembershipEvent
from members.models import NotificationPreference
from tests.factories import CommunityFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

Kind = MembershipEvent.Kind
NOTIFICATIONS = "/members/me/notifications/"
NOTE = "Tom's <script>alert(1)</script> note"


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return text, message.get_body(("html",)).get_content()


def assert_well_formed(message, action: str, *, settings_link: bool = True) -> tuple[str, str]:
    """The action link is absolute and near the top of both parts; the reason and the settings at the bottom."""
    text, html = parts(message)
    link = f"{settings.SITE_URL}{action}"
    assert message["Subject"].strip().startswith(f"[{settings.SITE_NAME}] ")
    assert link in text and f'href="{link}"' in html
    assert text.index(link) < len(text) / 2 + 200, "the action link should come first, not last"
    footer = text.split("\n-- \n", 1)[1]
    assert "You received this because" in footer
    assert (f"{settings.SITE_URL}{NOTIFICATIONS}" in footer) is settings_link
    assert "You received this because" in html
    assert (
        "&#x27;" not in text and "&amp;" not in text and "&lt;" not in text
    )  # plain text is not HTML-escaped
    return text, html


def event_for(kind, *, community=None, user=None, actor=None, **values) -> MembershipEvent:
    community = community or CommunityFactory(name="Release Engineering", slug="release-engineering")
    return MembershipEvent.objects.create(
        community=community,
        user=user or UserFactory(full_name="Mia O'Member"),
        actor=actor or UserFactory(full_name="Cora Coordinator"),
        kind=kind,
        at=timezone.now(),
        **values,
    )


MEMBER_KINDS = [
    (
        Kind.INVITED,
        {"to_value": "active", "note": NOTE},
        "Cora Coordinator invites you to join Release Engineering",
    ),
    (
        Kind.APPROVED,
        {"to_value": "occasional", "note": NOTE},
        "Welcome to Release Engineering: your request was approved",
    ),
    (Kind.DECLINED, {"note": NOTE}, "Your request to join Release Engineering was declined"),
    (Kind.REMOVED, {"note": NOTE}, "You are no longer a member of Release Engineering"),
    (
        Kind.LEVEL_CHANGED,
        {"from_value": "peripheral", "to_value": "active"},
        "Your commitment level in Release Engineering is now active",
    ),
    (
        Kind.ROLE_CHANGED,
        {"from_value": "member", "to_value": "coordinator"},
        "You are now a coordinator of Release Engineering",
    ),
    (
        Kind.ROLE_CHANGED,
        {"from_value": "coordinator", "to_value": "member"},
        "You are no longer a coordinator of Release Engineering",
    ),
]


@pytest.mark.parametrize(("kind", "values", "subject"), MEMBER_KINDS)
def test_decision_mail_to_the_member(smtp_server, kind, values, subject):
    event = event_for(kind, **values)
    assert tasks.send_membership_event_mail(event.pk) == 1
    [message] = smtp_server.wait_for(event.user.email)
    assert message["Subject"].strip() == f"[{settings.SITE_NAME}] {subject}"
    text, html = assert_well_formed(message, "/c/release-engineering/")
    assert "Hello Mia," in text
    if values.get("note"):
        assert NOTE in text  # as typed
        assert "&lt;script&gt;" in html and "<script>" not in html  # escaped in HTML


def test_level_and_role_mail_name_the_levels_and_roles(smtp_server):
    level = event_for(Kind.LEVEL_CHANGED, from_value="transactional", to_value="core")
    tasks.send_membership_event_mail(level.pk)
    text, _ = parts(smtp_server.wait_for(level.user.email)[0])
    assert "from transactional to core group" in text
    assert "Welcome to the core group" in text


COORDINATOR_KINDS = [
    (Kind.REQUESTED, {"to_value": "active", "note": NOTE}, "Mia O'Member asks to join Release Engineering"),
    (Kind.INVITATION_ACCEPTED, {"to_value": "occasional"}, "Mia O'Member joined Release Engineering"),
    (Kind.INVITATION_DECLINED, {}, "Mia O'Member declined the invitation to Release Engineering"),
]


@pytest.mark.parametrize(("kind", "values", "subject"), COORDINATOR_KINDS)
def test_mail_to_the_coordinators(smtp_server, kind, values, subject):
    community = CommunityFactory(name="Release Engineering", slug="release-engineering")
    first, second = coordinator_of(community), coordinator_of(community)
    member_of(community, "core")  # not a coordinator: not told
    event = event_for(kind, community=community, **values)
    assert tasks.send_membership_event_mail(event.pk) == 2
    for coordinator in (first, second):
        [message] = smtp_server.wait_for(coordinator.email)
        assert message["Subject"].strip() == f"[{settings.SITE_NAME}] {subject}"
        text, _ = assert_well_formed(message, "/c/release-engineering/members/manage/")
        assert "you coordinate Release Engineering" in text
        assert "daily or weekly digest" in text
    assert len(smtp_server.messages) == 2


def test_a_request_without_a_message_says_so(smtp_server):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    event = event_for(Kind.REQUESTED, community=community, to_value="peripheral")
    tasks.send_membership_event_mail(event.pk)
    text, _ = parts(smtp_server.wait_for(coordinator.email)[0])
    assert "They left no message." in text


def test_email_invitation_mail(smtp_server):
    community = CommunityFactory(name="Release Engineering", slug="release-engineering")
    inviter = coordinator_of(community)
    invitation = EmailInvitation.objects.create(
        community=community,
        email="nia@example.org",
        level="occasional",
        message=NOTE,
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=14),
    )
    assert tasks.send_email_invitation(invitation.pk) == 1
    [message] = smtp_server.wait_for("nia@example.org")
    assert (
        message["Subject"].strip()
        == f"[{settings.SITE_NAME}] {inviter} invites you to join Release Engineering on {settings.SITE_NAME}"
    )
    text, html = assert_well_formed(message, f"/c/invitation/{invitation.token}/", settings_link=False)
    assert "Hello" not in text  # no account, no name yet
    assert "as occasional member" in text
    assert "nia@example.org" in text and "ignore this mail" in text
    assert invitation.expires_at.strftime("%Y") in text
    assert NOTE in text and "&lt;script&gt;" in html


def test_an_accepted_email_invitation_is_not_mailed(smtp_server):
    invitation = EmailInvitation.objects.create(
        community=CommunityFactory(),
        email="nia@example.org",
        expires_at=timezone.now() + timedelta(days=14),
        accepted_at=timezone.now(),
    )
    assert tasks.send_email_invitation(invitation.pk) == 0


def test_orphaned_communities_mail_to_staff(smtp_server):
    staff = UserFactory(is_staff=True)
    UserFactory(is_staff=True, is_active=False)
    departed = UserFactory(full_name="Dana Departed")
    communities = [CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")]
    assert tasks.send_orphaned_communities_mail([c.pk for c in communities], departed.pk) == 1
    [message] = smtp_server.wait_for(staff.email)
    assert message["Subject"].strip() == f"[{settings.SITE_NAME}] 2 communities need a coordinator"
    text, html = assert_well_formed(message, "/c/attention/")
    assert "Dana Departed left the organization" in text
    for community in communities:
        assert f"{settings.SITE_URL}{community.get_absolute_url()}" in text
        assert community.name in html
    assert "cannot be turned off" in text


def test_decisions_off_sends_nothing(smtp_server):
    event = event_for(Kind.APPROVED, to_value="active")
    NotificationPreference.objects.create(user=event.user, kind="membership_decisions", frequency="off")
    assert tasks.send_membership_event_mail(event.pk) == 0
    assert smtp_server.messages == []


def test_requests_in_a_digest_are_not_mailed_at_once(smtp_server):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    NotificationPreference.objects.create(user=coordinator, kind="membership_requests", frequency="daily")
    event = event_for(Kind.REQUESTED, community=community)
    assert tasks.send_membership_event_mail(event.pk) == 0


def test_a_deactivated_member_gets_no_mail(smtp_server):
    event = event_for(Kind.REMOVED, note="Left the company")
    event.user.is_active = False
    event.user.save()
    assert tasks.send_membership_event_mail(event.pk) == 0
    assert smtp_server.messages == []


def test_every_kind_the_tasks_send_has_its_three_templates():
    kinds = {*tasks.TO_MEMBER, *tasks.TO_COORDINATORS, "email_invitation", "orphaned"}
    for kind in kinds:
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(f"mail/communities/{kind}_{part}")
