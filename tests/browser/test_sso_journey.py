"""Browser journey: single sign-on through a real OpenID Connect provider running locally (oidc-provider-mock).

The first sign-in creates the person just in time with their name and org unit from the claims; after signing
out, the second finds the same person and follows their unit's new name. The provider's own pages are its, not
ours: they are not audited with axe-core, and their stylesheet (a CDN's) is answered empty, as the suite is
offline.
"""

import os
import re

import pytest

from members.models import User
from tests.members.oidc_provider import (  # noqa: F401 - the fixtures
    PROVIDER_NAME,
    oidc_provider_fixture,
    oidc_server_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADA = "ada.lovelace@example.org"


def sign_in_through_the_provider(journey, oidc_provider) -> None:
    page = journey.page
    journey.goto("/accounts/login/")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(re.compile(r"/accounts/oidc/sso/login/"))
    journey.audit()
    assert page.get_by_role("heading", level=1).inner_text() == f"Sign in with {PROVIDER_NAME}"
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(f"{oidc_provider.url}/oauth2/authorize?")))
    journey.audited.add(page.url.split("?", 1)[0])  # the provider's page, not ours
    page.get_by_label("Subject").fill(ADA)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile(r"://[^/]+/$"))  # back home, signed in
    journey.audit()


def test_sign_in_creates_then_finds_the_person_and_follows_their_org_unit(journey, oidc_provider):
    page = journey.page
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(body="", content_type="text/css"))
    oidc_provider.person(ADA, name="Ada Lovelace", department="Operations / Maintenance")

    # The sign-in page offers the provider, also on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    journey.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Or use your organization's sign-in").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    if os.environ.get("SCREENSHOT_DIR"):  # to look at it: SCREENSHOT_DIR=var/screenshots
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/sso-sign-in-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # First sign-in: created just in time, with name and org unit, kept by the provider.
    sign_in_through_the_provider(journey, oidc_provider)
    assert "Welcome, Ada" in page.get_by_role("heading", level=1).inner_text()
    person = User.objects.get(email=ADA)
    assert (person.full_name, person.directory) == ("Ada Lovelace", PROVIDER_NAME)
    assert (person.org_unit.name, person.org_unit.parent.name) == ("Maintenance", "Operations")

    # Sign out.
    page.get_by_role("button", name=re.compile("Ada")).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.audit()

    # The department is renamed at the provider; the second sign-in finds the same person and follows it.
    oidc_provider.person(ADA, name="Ada Lovelace", department="Operations / Upkeep")
    sign_in_through_the_provider(journey, oidc_provider)
    assert list(User.objects.values_list("pk", flat=True)) == [person.pk]
    person.refresh_from_db()
    assert (person.org_unit.name, person.org_unit.parent.name) == ("Upkeep", "Operations")

    # Name and org unit are the provider's: the profile form says so.
    journey.goto("/members/me/")
    assert page.get_by_text(f"Kept by {PROVIDER_NAME}").count() >= 1
