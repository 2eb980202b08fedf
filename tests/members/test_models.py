"""User model: email login, initials, manager."""

import pytest
from django.contrib.auth import authenticate

from members.models import OrgUnit, Tag, User
from members.services import email_domain_allowed

pytestmark = pytest.mark.django_db


def test_create_user_normalizes_email_and_logs_in_by_email():
    user = User.objects.create_user("Ada.Lovelace@Example.ORG", "a-long-password", full_name="Ada Lovelace")
    assert user.email == "ada.lovelace@example.org"
    assert authenticate(email="ada.lovelace@example.org", password="a-long-password") == user
    assert str(user) == "Ada Lovelace"
    assert user.get_short_name() == "Ada"


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("", "pw")


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser("root@example.org", "a-long-password", full_name="Root")
    assert admin.is_staff and admin.is_superuser


@pytest.mark.parametrize(
    ("name", "email", "initials"),
    [("Ada Lovelace", "a@x.org", "AL"), ("", "grace.hopper@x.org", "GH"), ("Plato", "p@x.org", "P")],
)
def test_initials(name, email, initials):
    assert User(full_name=name, email=email).initials == initials


def test_org_unit_tree_and_tag_slug():
    division = OrgUnit.objects.create(name="Operations", kind=OrgUnit.Kind.DIVISION)
    team = OrgUnit.objects.create(name="Logistics", kind=OrgUnit.Kind.TEAM, parent=division)
    assert list(division.children.all()) == [team]
    assert str(team) == "Logistics"
    tag = Tag.objects.create(name="Root cause analysis")
    assert tag.slug == "root-cause-analysis"
    assert str(tag) == "Root cause analysis"


def test_email_domain_allowed(settings):
    settings.SIGNUP_EMAIL_DOMAINS = []
    assert email_domain_allowed("anyone@anywhere.com")
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    assert email_domain_allowed("me@Example.org")
    assert not email_domain_allowed("me@evil.example.org.com")
