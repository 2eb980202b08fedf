"""Sign-up, email verification and the optional single sign-on, through allauth in our layout."""

import re
import subprocess
import sys

import pytest
from django.urls import reverse

from members.models import User
from tests.fixtures.services import ROOT, worker_env

pytestmark = pytest.mark.django_db

SIGNUP = {"full_name": "Nia Newcomer", "password1": "a-long-enough-pass", "password2": "a-long-enough-pass"}


def test_signup_outside_allowed_domains_is_refused(client, settings):
    """With SIGNUP_EMAIL_DOMAINS set, another domain gets a clear message and no account."""
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "nia@elsewhere.com"})
    assert response.status_code == 200
    assert "Only addresses ending in @example.org may sign up." in response.text
    assert 'value="Nia Newcomer"' in response.text  # what was typed is kept
    assert not User.objects.filter(email="nia@elsewhere.com").exists()


def test_signup_creates_user_with_profile_and_mails_a_verification_link(client, settings, smtp_server):
    """A sign-up stores the full name, creates the profile and sends the verification link over SMTP."""
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Nia@Example.org"})
    assert response.status_code == 302
    user = User.objects.get(email="nia@example.org")
    assert user.full_name == "Nia Newcomer"
    assert user.profile.in_directory
    [mail] = smtp_server.wait_for("nia@example.org")
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", mail.get_body(("plain",)).get_content())


def test_login_page_is_ours_and_has_no_sso_button_without_provider(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert "Skip to main content" in response.text
    assert "Sign in with" not in response.text


def test_login_page_offers_sso_when_a_provider_is_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme Login",
                    "client_id": "copsite",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://id.example.org"},
                }
            ]
        }
    }
    response = client.get(reverse("account_login"))
    assert "Acme Login" in response.text
    assert 'name="password"' in response.text


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python with Django set up in a fresh process (for settings read once at start-up)."""
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=worker_env(DJANGO_SETTINGS_MODULE="copsite.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sso_only_removes_password_forms():
    """With SSO_ONLY the login page offers the provider and no password field; sign-up is closed."""
    result = run_django(
        "from django.test import Client\n"
        "c = Client()\n"
        "login = c.get('/accounts/login/')\n"
        "print('STATUS', login.status_code)\n"
        "print('PASSWORD', 'name=\"password\"' in login.text)\n"
        "print('BUTTON', 'Acme Login' in login.text)\n"
        "print('SIGNUP', c.get('/accounts/signup/').status_code)\n",
        SSO_ONLY="true",
        OIDC_NAME="Acme Login",
        OIDC_CLIENT_ID="copsite",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_SERVER_URL="https://id.example.org",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    assert "STATUS 200" in result.stdout
    assert "PASSWORD False" in result.stdout
    assert "BUTTON True" in result.stdout
    assert "SIGNUP 200" not in result.stdout


def test_sso_only_without_provider_stops_start_up():
    result = run_django("", SSO_ONLY="true")
    assert result.returncode != 0
    assert "SSO_ONLY" in result.stderr


def test_rate_limits_stay_on(client, member):
    """Repeated failed logins for one account are refused even with the right password."""
    for _ in range(5):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong-password"})
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "a-long-test-password"}
    )
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session
