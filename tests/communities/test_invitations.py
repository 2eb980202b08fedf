"""Invitations: coordinators invite existing users (who accept or decline) and people without an account by
email, whose link leads through sign-up straight into the community."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from communities.models import EmailInvitation, Membership
from communities.services import MembershipError, email_invitation_withdraw
from communities.signals import INVITATION_SESSION_KEY, accept_invitation_on_signup
from core.rules import NotPermitted
from members.models import User
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, coordinator_of, member_of

pytestmark = pytest.mark.django_db

SIGNUP = {"full_name": "Nia Newcomer", "password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def email_invitation(community, email="nia@example.org", *, expires_in=timedelta(days=10), **kwargs):
    return EmailInvitation.objects.create(
        community=community,
        email=email,
        level=kwargs.pop("level", "occasional"),
        expires_at=timezone.now() + expires_in,
        **kwargs,
    )


# --- Existing users --------------------------------------------------------------------------------------


def test_invite_an_existing_user_who_accepts(client, django_capture_on_commit_callbacks, smtp_server):
    """The coordinator invites by address; the colleague is mailed, accepts, and the coordinator is told."""
    community = CommunityFactory(join_policy="invitation")
    coordinator = coordinator_of(community)
    colleague = UserFactory()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communities:invite", args=[community.slug]),
            {"emails": colleague.email.upper(), "level": "active", "message": "We need you."},
        )
    assert response.status_code == 302
    assert any(f"{colleague} is invited" in m for m in messages_of(response))
    [mail] = smtp_server.wait_for(colleague.email)
    assert f"invites you to join {community.name}" in mail["Subject"]
    assert "We need you." in mail.get_body(("plain",)).get_content()

    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("communities:respond", args=[community.slug]), {"answer": "accept"})
    membership = Membership.objects.get(community=community, user=colleague)
    assert (membership.status, membership.level) == ("active", "active")
    [told] = smtp_server.wait_for(coordinator.email)
    assert f"{colleague} joined {community.name}" in told["Subject"]


def test_invite_an_existing_user_who_declines(client, django_capture_on_commit_callbacks, mailoutbox):
    community = CommunityFactory(join_policy="invitation")
    coordinator = coordinator_of(community)
    colleague = UserFactory()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("communities:invite", args=[community.slug]),
            {"emails": colleague.email, "level": "peripheral"},
        )
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("communities:respond", args=[community.slug]), {"answer": "decline"})
    assert Membership.objects.get(community=community, user=colleague).status == "declined"
    assert [m.to for m in mailoutbox] == [[colleague.email], [coordinator.email]]
    assert "declined the invitation" in mailoutbox[1].subject


def test_an_expired_invitation_shows_on_the_status_and_is_refused(client):
    community = CommunityFactory(join_policy="invitation")
    colleague = UserFactory()
    MembershipFactory(
        community=community,
        user=colleague,
        status="invited",
        joined_at=None,
        invitation_expires_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(colleague)
    response = client.post(reverse("communities:respond", args=[community.slug]), {"answer": "accept"})
    assert any("expired" in m for m in messages_of(response))
    assert Membership.objects.get(community=community, user=colleague).status == "invited"


# --- By email: the landing page --------------------------------------------------------------------------


def test_invite_by_email_mails_a_sign_up_link(client, django_capture_on_commit_callbacks, smtp_server):
    community = CommunityFactory(join_policy="invitation")
    coordinator = coordinator_of(community)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communities:invite", args=[community.slug]),
            {"emails": "Nia@Example.org", "level": "occasional", "message": "Come along!"},
        )
    assert any("nia@example.org: a sign-up link" in m for m in messages_of(response))
    invitation = EmailInvitation.objects.get(community=community)
    assert (invitation.email, invitation.level, invitation.invited_by) == (
        "nia@example.org",
        "occasional",
        coordinator,
    )
    [mail] = smtp_server.wait_for("nia@example.org")
    body = mail.get_body(("plain",)).get_content()
    assert (
        f"http://testserver/c/invitation/{invitation.token}/" in body
        or f"/c/invitation/{invitation.token}/" in body
    )
    assert "Come along!" in body


def test_anonymous_landing_offers_sign_up_with_the_address_and_keeps_the_token(client):
    community = CommunityFactory(join_policy="invitation")
    invitation = email_invitation(community, message="Hello there")
    response = client.get(invitation.get_absolute_url())
    assert response.status_code == 200
    assert f"invited to {community.name}" in response.text
    assert "Hello there" in response.text
    signup = reverse("account_signup")
    assert (
        f'href="{signup}?email=nia%40example.org&amp;next=/c/invitation/{invitation.token}/"' in response.text
    )
    assert f'href="{reverse("account_login")}?next=/c/invitation/{invitation.token}/"' in response.text
    assert client.session[INVITATION_SESSION_KEY] == invitation.token


def test_unknown_expired_and_used_links(client, member):
    community = CommunityFactory()
    assert client.get(reverse("communities:email_invitation", args=["no-such-token"])).status_code == 404
    expired = email_invitation(community, "late@example.org", expires_in=-timedelta(days=1))
    response = client.get(expired.get_absolute_url())
    assert "This invitation has expired" in response.text
    used = email_invitation(community, "done@example.org")
    used.accepted_at, used.accepted_by = timezone.now(), member
    used.save()
    response = client.get(used.get_absolute_url())
    assert "already used" in response.text
    # The person who used it is simply taken to the community.
    client.force_login(member)
    response = client.get(used.get_absolute_url())
    assert response.status_code == 302 and response.url == community.get_absolute_url()


def test_email_invitation_wrong_method_and_anonymous_post(client):
    invitation = email_invitation(CommunityFactory())
    assert client.put(invitation.get_absolute_url()).status_code == 405
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Membership.objects.exists()


def test_signed_in_with_the_invited_address_accepts(client):
    community = CommunityFactory(join_policy="invitation")
    coordinator_of(community)
    person = UserFactory(email="nia@example.org")
    invitation = email_invitation(community)
    client.force_login(person)
    page = client.get(invitation.get_absolute_url())
    assert f"Accept and join {community.name}" in page.text
    response = client.post(invitation.get_absolute_url())
    assert response.url == community.get_absolute_url()
    membership = Membership.objects.get(community=community, user=person)
    assert (membership.status, membership.level) == ("active", "occasional")
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_signed_in_with_another_address_cannot_use_someone_elses_link(member_client, member):
    community = CommunityFactory(join_policy="invitation")
    invitation = email_invitation(community)
    page = member_client.get(invitation.get_absolute_url())
    assert "This invitation was sent to <strong>nia@example.org</strong>" in page.text
    assert "Accept and join" not in page.text
    response = member_client.post(invitation.get_absolute_url())
    assert "sent to another address" in response.text
    assert not Membership.objects.filter(user=member).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_signed_in_accept_of_an_expired_link_is_refused(client):
    community = CommunityFactory()
    person = UserFactory(email="nia@example.org")
    invitation = email_invitation(community, expires_in=-timedelta(minutes=1))
    client.force_login(person)
    response = client.post(invitation.get_absolute_url())
    assert "This invitation has expired" in response.text
    assert not Membership.objects.filter(user=person).exists()


# --- By email: through sign-up into the community --------------------------------------------------------


def test_sign_up_with_the_invited_address_lands_in_the_community(client, settings, mailoutbox):
    """Mandatory verification: the link proved the address, so sign-up verifies it and joins at once."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(join_policy="invitation", visibility="private")
    coordinator_of(community)
    invitation = email_invitation(community, "Nia@Example.org".lower())
    client.get(invitation.get_absolute_url())  # opening the link keeps its token in the session

    response = client.post(
        f"{reverse('account_signup')}?next={invitation.get_absolute_url()}",
        {**SIGNUP, "email": "nia@example.org", "next": invitation.get_absolute_url()},
        follow=True,
    )
    user = User.objects.get(email="nia@example.org")
    assert response.redirect_chain[-1][0] == community.get_absolute_url()
    assert response.wsgi_request.user == user  # signed in, no "check your inbox" stop
    assert f"Welcome to {community.name}!" in response.text
    assert "You are a member" in response.text
    membership = Membership.objects.get(community=community, user=user)
    assert (membership.status, membership.level) == ("active", "occasional")
    assert EmailAddress.objects.get(user=user, email="nia@example.org").verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert not any("confirm" in m.subject.lower() for m in mailoutbox)  # no second verification round
    assert INVITATION_SESSION_KEY not in client.session


def test_sign_up_with_another_address_verifies_as_usual_and_does_not_join(client, settings, mailoutbox):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(join_policy="invitation")
    invitation = email_invitation(community)
    client.get(invitation.get_absolute_url())
    response = client.post(
        reverse("account_signup"),
        {**SIGNUP, "email": "someone.else@example.org", "next": invitation.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="someone.else@example.org")
    assert not Membership.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified
    assert any(re.search(r"/accounts/confirm-email/", m.body) for m in mailoutbox)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_sign_up_without_an_invitation_link_is_unchanged(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(join_policy="invitation")
    email_invitation(community)  # invited, but this visitor never opened the link
    client.post(reverse("account_signup"), {**SIGNUP, "email": "nia@example.org"})
    user = User.objects.get(email="nia@example.org")
    assert not Membership.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified


def test_sign_up_after_the_link_expired_does_not_join(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(join_policy="invitation")
    invitation = email_invitation(community)
    client.get(invitation.get_absolute_url())
    EmailInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.post(reverse("account_signup"), {**SIGNUP, "email": "nia@example.org"})
    user = User.objects.get(email="nia@example.org")
    assert not Membership.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified


# --- Withdrawing an invitation by email ------------------------------------------------------------------


def withdraw_url(community, invitation) -> str:
    return reverse("communities:withdraw_invitation", args=[community.slug, invitation.pk])


def test_withdraw_an_email_invitation(client):
    community = CommunityFactory()
    client.force_login(coordinator_of(community))
    invitation = email_invitation(community)
    response = client.post(withdraw_url(community, invitation), {"next": "/c/x/?page=2"})
    assert response.url == "/c/x/?page=2"
    assert not EmailInvitation.objects.filter(pk=invitation.pk).exists()
    assert any("withdrawn" in m for m in messages_of(response))
    assert client.get(invitation.get_absolute_url()).status_code == 404  # the link no longer works


def test_withdraw_refuses_other_communities_accepted_ones_members_and_outsiders(client, member):
    community = CommunityFactory(visibility="private")
    coordinator = coordinator_of(community)
    elsewhere = email_invitation(CommunityFactory(), "x@example.org")
    accepted = email_invitation(community, "y@example.org", accepted_at=timezone.now())
    mine = email_invitation(community, "z@example.org")
    client.force_login(coordinator)
    assert client.post(withdraw_url(community, elsewhere)).status_code == 404
    assert client.post(withdraw_url(community, accepted)).status_code == 404
    assert client.get(withdraw_url(community, mine)).status_code == 405
    client.force_login(member_of(community))
    assert client.post(withdraw_url(community, mine)).status_code == 403
    client.force_login(member)
    assert client.post(withdraw_url(community, mine)).status_code == 404  # private: outsiders see nothing
    assert EmailInvitation.objects.filter(community=community).count() == 2


def test_withdraw_service_refuses_non_coordinators_and_twice(member):
    community = CommunityFactory()
    coordinator = coordinator_of(community)
    invitation = email_invitation(community)
    with pytest.raises(NotPermitted):
        email_invitation_withdraw(actor=member, invitation=invitation)
    email_invitation_withdraw(actor=coordinator, invitation=invitation)
    with pytest.raises(MembershipError, match="already accepted or withdrawn"):
        email_invitation_withdraw(actor=coordinator, invitation=invitation)


# --- The sign-up handler on its own (e.g. a sign-up through the identity provider) -----------------------


def signed_up(client, user):
    """Call the handler as allauth would, with the session of `client`."""
    request = RequestFactory().post("/accounts/signup/")
    request.session = client.session
    request._messages = FallbackStorage(request)
    accept_invitation_on_signup(sender=User, request=request, user=user)
    return request


def test_handler_verifies_an_address_allauth_did_not_cache(client):
    community = CommunityFactory()
    invitation = email_invitation(community)
    client.get(invitation.get_absolute_url())
    user = User.objects.create_user(email="nia@example.org", password="a-long-enough-pass", full_name="Nia")
    EmailAddress.objects.create(user=user, email="nia@example.org", primary=True, verified=False)
    request = signed_up(client, user)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(community=community, user=user).is_active
    assert INVITATION_SESSION_KEY not in request.session


def test_handler_adds_the_verified_address_when_there_is_none(client):
    community = CommunityFactory()
    invitation = email_invitation(community)
    client.get(invitation.get_absolute_url())
    user = User.objects.create_user(email="nia@example.org", password="a-long-enough-pass", full_name="Nia")
    signed_up(client, user)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("nia@example.org", True, True)


def test_handler_changes_nothing_when_the_invitation_cannot_be_accepted(client):
    """An archived community cannot take the member: no joining, and the address stays unverified."""
    community = CommunityFactory(archived_at=timezone.now())
    invitation = email_invitation(community)
    client.get(invitation.get_absolute_url())
    user = User.objects.create_user(email="nia@example.org", password="a-long-enough-pass", full_name="Nia")
    EmailAddress.objects.create(user=user, email="nia@example.org", primary=True, verified=False)
    request = signed_up(client, user)
    assert not EmailAddress.objects.get(user=user).verified
    assert not Membership.objects.filter(user=user).exists()
    assert request.session[INVITATION_SESSION_KEY] == invitation.token
