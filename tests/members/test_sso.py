"""Single sign-on through a real OpenID Connect provider: people created just in time, found again and kept up to
date from the claims; addresses outside the allowed domains refused with a page that says why; SSO_ONLY."""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from members.adapters import claimed_name, person_from_claims
from members.models import OrgUnit, User
from tests.factories import UserFactory
from tests.members.oidc_provider import (  # noqa: F401 - the fixtures
    PROVIDER_NAME,
    oidc_provider_fixture,
    oidc_server_fixture,
    oidc_sign_in,
)
from tests.members.test_accounts import run_django

pytestmark = pytest.mark.django_db

ADA = "ada.lovelace@example.org"


def test_first_sign_in_creates_the_person_with_name_and_org_unit(client, oidc_provider):
    """Just in time: the person, their profile and verified address, their name and their org unit (created
    nested from the claim's path), all kept by the provider from now on."""
    oidc_provider.person(
        ADA, name="Ada Lovelace", job_title="Analyst", department="Operations / Maintenance / Line 2"
    )
    response = oidc_sign_in(client, ADA)
    assert response.status_code == 302
    person = User.objects.get(email=ADA)
    assert client.session["_auth_user_id"] == str(person.pk)
    assert person.full_name == "Ada Lovelace"
    assert person.directory == PROVIDER_NAME
    line = person.org_unit
    assert [line.name, line.parent.name, line.parent.parent.name] == ["Line 2", "Maintenance", "Operations"]
    assert line.parent.parent.parent is None
    assert (person.profile.in_directory, person.profile.job_title) == (True, "Analyst")
    assert EmailAddress.objects.get(user=person).verified
    assert SocialAccount.objects.get(user=person).uid == ADA


def test_second_sign_in_finds_the_person_and_follows_a_renamed_unit(client, oidc_provider):
    oidc_provider.person(ADA, given_name="Ada", family_name="King", department="Maintenance")
    oidc_sign_in(client, ADA)
    first = User.objects.get(email=ADA)
    client.logout()

    oidc_provider.person(ADA, name="Ada Lovelace", department="Upkeep")
    response = oidc_sign_in(client, ADA)
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=ADA).count() == 1
    person = User.objects.get(email=ADA)
    assert client.session["_auth_user_id"] == str(first.pk) == str(person.pk)
    assert (first.full_name, first.org_unit.name) == ("Ada King", "Maintenance")
    assert (person.full_name, person.org_unit.name) == ("Ada Lovelace", "Upkeep")
    assert SocialAccount.objects.filter(user=person).count() == 1


def test_someone_who_signed_up_by_hand_is_connected_not_doubled(client, oidc_provider):
    """The provider vouches for the address (email_verified), so the existing account is signed into and from
    then on kept by the provider."""
    by_hand = UserFactory(email=ADA, full_name="ada")  # with a verified address and a usable password
    oidc_provider.person(ADA, name="Ada Lovelace", department="Operations")
    response = oidc_sign_in(client, ADA)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(by_hand.pk)
    by_hand.refresh_from_db()
    assert (by_hand.full_name, by_hand.org_unit.name, by_hand.directory) == (
        "Ada Lovelace",
        "Operations",
        PROVIDER_NAME,
    )
    assert SocialAccount.objects.get(user=by_hand).uid == ADA
    assert User.objects.count() == 1


def test_profile_form_says_the_provider_keeps_name_and_org_unit(client, oidc_provider):
    oidc_provider.person(ADA, name="Ada Lovelace", department="Operations")
    oidc_sign_in(client, ADA)
    page = client.get(reverse("members:edit_profile"))
    assert f"Kept by {PROVIDER_NAME}: change it there" in page.text


def test_an_address_outside_the_allowed_domains_gets_a_page_that_says_why(client, oidc_provider):
    oidc_provider.person("ada@gmail.com", name="Ada Lovelace")
    response = oidc_sign_in(client, "ada@gmail.com")
    assert response.status_code == 403
    text = " ".join(response.text.split())
    assert "You cannot sign in with this address" in text
    assert "Acme Login signed you in as <strong>ada@gmail.com</strong>" in text
    assert "open only to addresses ending in <strong>@example.org</strong>." in text
    assert "ask your organization's CoPsite administrators" in text
    assert "Skip to main content" in text  # our layout
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_refusal_names_every_allowed_domain(client, oidc_provider, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org", "example.com", "acme.test"]
    oidc_provider.person("ada@gmail.com")
    text = " ".join(oidc_sign_in(client, "ada@gmail.com").text.split())
    assert (
        "ending in <strong>@example.org</strong>, <strong>@example.com</strong> or <strong>@acme.test</strong>."
        in text
    )


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"name": " Ada Lovelace "}, "Ada Lovelace"),
        ({"given_name": "Ada", "family_name": "King"}, "Ada King"),
        ({"name": "", "given_name": "Ada"}, "Ada"),
        ({"name": ["Ada"]}, "Ada"),
        ({}, ""),
    ],
)
def test_claimed_name(claims, expected):
    assert claimed_name(claims) == expected


def test_claims_leave_alone_what_they_do_not_say(settings):
    """No org unit claim: the unit stays; no name or job title: they stay. An empty claim clears the unit."""
    settings.OIDC_NAME = PROVIDER_NAME
    unit = OrgUnit.objects.create(name="Operations")
    person = UserFactory(full_name="Ada Lovelace", org_unit=unit)
    person.profile.job_title = "Analyst"
    person.profile.save()
    person_from_claims(person, {"email": person.email})
    person.refresh_from_db()
    assert (person.full_name, person.org_unit, person.directory) == ("Ada Lovelace", unit, PROVIDER_NAME)
    assert person.profile.job_title == "Analyst"
    person_from_claims(person, {"department": ""})
    person.refresh_from_db()
    assert person.org_unit is None


def test_group_path_claims_and_another_claim_name(settings):
    """A Keycloak group path ("/Operations/Maintenance", in a list) names nested units; the claim is a setting."""
    settings.OIDC_NAME = PROVIDER_NAME
    settings.OIDC_ORG_UNIT_CLAIM = "groups"
    person = UserFactory(org_unit=None)
    person_from_claims(person, {"groups": ["/Operations/Maintenance"], "department": "Ignored"})
    person.refresh_from_db()
    assert person.org_unit.name == "Maintenance"
    assert person.org_unit.parent.name == "Operations"


def test_a_unit_name_too_long_is_skipped_not_a_failed_sign_in(settings):
    settings.OIDC_NAME = PROVIDER_NAME
    person = UserFactory(org_unit=None)
    person_from_claims(person, {"name": "Ada Lovelace", "department": "x" * 500})
    person.refresh_from_db()
    assert (person.full_name, person.org_unit) == ("Ada Lovelace", None)


def test_a_person_kept_by_another_directory_is_left_to_it(settings):
    """SCIM (or the CSV import) keeps this person: sign-in does not fight it over their name and unit."""
    settings.OIDC_NAME = PROVIDER_NAME
    person = UserFactory(full_name="Ada Lovelace", org_unit=None, directory="Entra ID (SCIM)")
    person_from_claims(person, {"name": "Someone Else", "department": "Elsewhere"})
    person.refresh_from_db()
    assert (person.full_name, person.org_unit, person.directory) == ("Ada Lovelace", None, "Entra ID (SCIM)")


def test_sso_only_offers_the_provider_and_refuses_every_password_form():
    """SSO_ONLY (read once at start-up, so in a fresh process): the sign-in page shows only the provider's button;
    a password sign-in is refused; sign-up, password reset and password change are not there."""
    result = run_django(
        "from django.test import Client\n"
        "c = Client()\n"
        "login = c.get('/accounts/login/').text\n"
        "print('PASSWORD_FIELD', 'type=\"password\"' in login)\n"
        "print('BUTTON', 'Sign in with Acme Login' in login)\n"
        "print('FORMS', login.count('<form'))\n"
        "print('SIGNUP_LINK', '/accounts/signup/' in login)\n"
        "print('RESET_LINK', '/accounts/password/reset/' in login)\n"
        "from django.conf import settings\n"
        "print('CSP', *settings.SECURE_CSP['form-action'])\n"
        "print('POST', c.post('/accounts/login/', {'login': 'a@example.org', 'password': 'x' * 12}).status_code)\n"
        "for path in ('/accounts/signup/', '/accounts/password/reset/', '/accounts/password/change/'):\n"
        "    print('GET', path, c.get(path).status_code)\n",
        SSO_ONLY="true",
        OIDC_NAME="Acme Login",
        OIDC_CLIENT_ID="copsite",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_SERVER_URL="https://id.example.org",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    lines = set(result.stdout.splitlines())
    assert {
        "PASSWORD_FIELD False",
        "BUTTON True",
        "SIGNUP_LINK False",
        "RESET_LINK False",
        "POST 403",
    } <= lines
    for path in ("/accounts/signup/", "/accounts/password/reset/", "/accounts/password/change/"):
        assert f"GET {path} 404" in lines
    # "Sign in with" posts to us and we redirect to the provider: the browser must let that form go there.
    assert "CSP 'self' https://id.example.org" in lines


def test_a_provider_that_sends_no_address_gets_a_page_that_says_so(client, oidc_provider):
    requests.put(
        f"{oidc_provider.url}/users/ada", json={"name": "Ada Lovelace"}, timeout=5
    ).raise_for_status()
    response = oidc_sign_in(client, "ada")
    assert response.status_code == 403
    assert "Acme Login did not tell CoPsite your email address" in " ".join(response.text.split())
    assert not User.objects.exists()


def test_a_deactivated_person_is_not_signed_in(client, oidc_provider):
    person = UserFactory(email=ADA, is_active=False)
    oidc_provider.person(ADA, name="Ada Lovelace")
    response = oidc_sign_in(client, ADA)
    assert response["Location"] == reverse("account_inactive")
    assert "_auth_user_id" not in client.session
    assert User.objects.get().pk == person.pk


def test_an_address_the_provider_does_not_vouch_for_is_confirmed_by_mail(client, oidc_provider, settings):
    """Entra ID sends no email_verified: with verification mandatory, the new person confirms their address."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    oidc_provider.person(ADA, name="Ada Lovelace", email_verified=False)
    response = oidc_sign_in(client, ADA)
    assert response["Location"] == reverse("account_email_verification_sent")
    person = User.objects.get(email=ADA)
    assert not EmailAddress.objects.get(user=person).verified
    assert person.directory == PROVIDER_NAME


SSO_ONLY_ENV = {
    "SSO_ONLY": "true",
    "OIDC_NAME": "Acme Login",
    "OIDC_CLIENT_ID": "copsite",
    "OIDC_CLIENT_SECRET": "s3cret",
    "OIDC_SERVER_URL": "https://id.example.org",
    "ALLOWED_HOSTS": "testserver",
}


def test_sso_only_pages_for_a_signed_in_person_and_an_invitation_link_work():
    """SSO_ONLY drops allauth's email, password and sign-up pages: no page may still link to them (a 500 for
    everyone signed in, or for everyone following an invitation, if one did)."""
    result = run_django(
        "import datetime\n"
        "from django.db import transaction\n"
        "from django.test import Client\n"
        "from django.utils import timezone\n"
        "from communities.models import EmailInvitation\n"
        "from tests.factories import CommunityFactory, UserFactory\n"
        "with transaction.atomic():\n"
        "    c = Client(raise_request_exception=False)\n"
        "    community = CommunityFactory()\n"
        "    invitation = EmailInvitation.objects.create(community=community, email='new@example.org',\n"
        "        expires_at=timezone.now() + datetime.timedelta(days=3))\n"
        "    page = c.get(invitation.get_absolute_url())\n"
        "    print('INVITATION', page.status_code, 'Sign in with Acme Login' in page.text)\n"
        "    c.force_login(UserFactory())\n"
        "    for path in ('/', '/members/me/', community.get_absolute_url()):\n"
        "        print('SIGNED_IN', path, c.get(path).status_code)\n"
        "    transaction.set_rollback(True)\n",
        **SSO_ONLY_ENV,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("SIGNED_IN") and not line.endswith(" 200")] == []
    assert len([line for line in lines if line.startswith("SIGNED_IN")]) == 3
    assert "INVITATION 200 True" in lines


def test_entra_ids_verified_domain_claim_vouches_for_the_address(client, oidc_provider, settings):
    """Entra ID sends `xms_edov` (the address's domain is verified) instead of `email_verified`: a person made by
    SCIM or by hand is signed into, and a new person needs no confirmation mail."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    by_hand = UserFactory(email=ADA)
    requests.put(  # as Entra ID: no email_verified at all
        f"{oidc_provider.url}/users/{ADA}",
        json={"email": ADA, "name": "Ada Lovelace", "xms_edov": True},
        timeout=5,
    ).raise_for_status()
    assert oidc_sign_in(client, ADA).status_code == 302
    assert client.session["_auth_user_id"] == str(by_hand.pk)

    client.logout()
    grace = "grace.hopper@example.org"
    requests.put(
        f"{oidc_provider.url}/users/{grace}", json={"email": grace, "xms_edov": "true"}, timeout=5
    ).raise_for_status()
    response = oidc_sign_in(client, grace)
    assert response["Location"] == "/"
    assert EmailAddress.objects.get(email=grace).verified


def test_without_a_verified_claim_the_address_is_not_vouched_for(client, oidc_provider):
    """No `email_verified`, `xms_edov` false: an account made by hand with the address is not signed into."""
    by_hand = UserFactory(email=ADA)
    requests.put(
        f"{oidc_provider.url}/users/{ADA}", json={"email": ADA, "xms_edov": False}, timeout=5
    ).raise_for_status()
    oidc_sign_in(client, ADA)
    assert client.session.get("_auth_user_id") != str(by_hand.pk)
    assert not SocialAccount.objects.filter(user=by_hand).exists()
