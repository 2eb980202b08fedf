"""A real OpenID Connect provider for the tests (oidc-provider-mock, offline), and the site configured for it.

`oidc_server` starts the provider once per session on a free local port; `oidc_provider` points the single
sign-on settings at it for one test (allauth reads SOCIALACCOUNT_PROVIDERS at every request) and gives a person's
claims with `provider.person(email, **claims)`. A test module imports the fixtures' functions
(`oidc_server_fixture`, `oidc_provider_fixture`) to use them. `oidc_sign_in` runs the whole redirect dance with
the test client: our start page, the provider's authorize form (answered as that person), and our callback.
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

PROVIDER_ID = "sso"
PROVIDER_NAME = "Acme Login"


@dataclass
class Provider:
    url: str

    def person(self, email: str, **claims) -> str:
        """Tell the provider who `email` is (the subject is the address); returns the subject."""
        claims = {"email": email, "email_verified": True, **claims}
        response = requests.put(f"{self.url}/users/{email}", json=claims, timeout=5)
        response.raise_for_status()
        return email


@pytest.fixture(name="oidc_server", scope="session")
def oidc_server_fixture():
    logging.getLogger("werkzeug").setLevel(
        logging.WARNING
    )  # not a line per request in a failing test's output
    with run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(name="oidc_provider")
def oidc_provider_fixture(oidc_server, settings) -> Provider:
    """The site signs in through the local provider, as `copsite/settings.py` configures it from OIDC_*."""
    settings.OIDC_NAME = PROVIDER_NAME
    settings.OIDC_SERVER_URL = oidc_server
    settings.OIDC_CLIENT_ID = "copsite"
    settings.OIDC_CLIENT_SECRET = "s3cret"
    settings.SSO_ENABLED = True
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": "copsite",
                    "secret": "s3cret",
                    "settings": {"server_url": oidc_server},
                }
            ]
        }
    }
    # As copsite/settings.py allows the provider's origin as a form's destination (checked in test_sso.py).
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], oidc_server],
    }
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    return Provider(url=oidc_server)


def oidc_sign_in(client: Client, subject: str):
    """Sign in as `subject` through the provider; returns our callback's response."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert start.status_code == 302, start
    authorize = requests.post(start["Location"], data={"sub": subject}, allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    callback = urlsplit(authorize.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")
