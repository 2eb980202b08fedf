"""Browser journey: sign up, verify by mail, log in, turn on TOTP, log in with a code and a recovery code."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from members.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "nia.newcomer@example.org"
PASSWORD = "a-long-enough-pass-2026"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def fresh_totp_code(secret: str, used: str) -> str:
    """A code other than `used`: allauth refuses a code a second time (replay), so wait for the next 30 s step."""
    code = totp_code(secret)
    while code == used:
        time.sleep(30 - time.time() % 30 + 0.2)
        code = totp_code(secret)
    return code


def log_in(journey, *, code: str | None = None, recovery_code: str | None = None) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    journey.audit()
    page.get_by_label("Code").fill(code or recovery_code)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()


def log_out(journey) -> None:
    page = journey.page
    page.get_by_role("button", name=re.compile("Nia")).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.audit()


def test_signup_verify_totp_and_recovery_code(journey, smtp_server, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    page = journey.page

    # Sign up.
    journey.goto("/accounts/signup/")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    journey.audit()
    assert page.get_by_role("heading", level=1).inner_text().strip()

    # Follow the link in the verification mail, and confirm.
    [mail] = smtp_server.wait_for(EMAIL)
    link = re.search(
        r"https?://\S+/accounts/confirm-email/[^/\s]+/", mail.get_body(("plain",)).get_content()
    ).group(0)
    journey.goto(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.audit()
    assert User.objects.get(email=EMAIL).emailaddress_set.get().verified

    # Log in with the password; the home page greets the newcomer.
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))
    journey.audit()
    assert "Welcome, Nia" in page.get_by_role("heading", level=1).inner_text()

    # Turn on TOTP: read the secret, type the current code; recovery codes are shown.
    page.get_by_role("button", name=re.compile("Nia")).click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    journey.audit()
    journey.goto("/accounts/2fa/totp/activate")
    # Security settings ask for the password again before changing a second factor.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate"))
    journey.audit()
    secret = page.locator("#authenticator_secret").input_value()
    activation_code = totp_code(secret)
    page.get_by_label("Authenticator code").fill(activation_code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    journey.audit()
    recovery_codes = page.locator("#recovery_codes").input_value().split()
    assert len(recovery_codes) == 10

    # Log out and back in with a TOTP code.
    log_out(journey)
    log_in(journey, code=fresh_totp_code(secret, activation_code))
    page.wait_for_url(re.compile(r"://[^/]+/$"))  # the home page (not any URL ending in a slash)
    journey.audit()
    assert "Welcome, Nia" in page.get_by_role("heading", level=1).inner_text()

    # A recovery code works once...
    log_out(journey)
    log_in(journey, recovery_code=recovery_codes[0])
    page.wait_for_url(re.compile(r"://[^/]+/$"))
    journey.audit()

    # ...and is refused the second time.
    log_out(journey)
    log_in(journey, recovery_code=recovery_codes[0])
    journey.audit()
    assert re.search(r"/accounts/2fa/authenticate/", page.url)
    assert page.get_by_role("alert").filter(has_text=re.compile("incorrect", re.I)).count() >= 1
