"""The social-account adapter: names from the identity provider, the same domain rule as sign-up."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.test import RequestFactory

from members.adapters import SocialAccountAdapter
from members.models import User

pytestmark = pytest.mark.django_db


def sociallogin_for(email: str) -> SocialLogin:
    return SocialLogin(user=User(email=email), account=SocialAccount(provider="sso", uid="123"))


def test_social_signup_follows_allowed_domains(settings):
    adapter, request = SocialAccountAdapter(), RequestFactory().get("/")
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    assert adapter.is_open_for_signup(request, sociallogin_for("ada@example.org"))
    assert not adapter.is_open_for_signup(request, sociallogin_for("ada@other.com"))
    assert not adapter.is_open_for_signup(request, sociallogin_for(""))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"email": "ada@example.org", "name": "Ada Lovelace"}, "Ada Lovelace"),
        ({"email": "ada@example.org", "first_name": "Ada", "last_name": "King"}, "Ada King"),
        ({"email": "ada@example.org"}, "ada"),
    ],
)
def test_social_user_gets_full_name(data, expected):
    login = sociallogin_for("")
    user = SocialAccountAdapter().populate_user(RequestFactory().get("/"), login, data)
    assert user.full_name == expected
