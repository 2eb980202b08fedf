"""seed_demo: realistic data, idempotent; --scale adds a benchmark set with bulk inserts."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command

from members.demo import DEMO_PASSWORD
from members.models import OrgUnit, Profile, Tag, User

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, OrgUnit, Tag, Profile, EmailAddress)}


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    call_command("seed_demo")
    assert counts() == first
    assert first["User"] >= 30
    assert first["OrgUnit"] >= 20
    assert "priya.raman@demo.copsite.example" in out and DEMO_PASSWORD in out
    assert authenticate(email="priya.raman@demo.copsite.example", password=DEMO_PASSWORD)
    priya = User.objects.get(email="priya.raman@demo.copsite.example")
    assert priya.org_unit.name == "Developer Experience"
    assert priya.org_unit.parent.parent.name == "Engineering"
    assert priya.profile.expertise.count() == 3


def test_seed_scale_multiplies_every_table(capsys):
    call_command("seed_demo", "--scale", "2")
    after_two = counts()
    assert after_two == {"User": 200, "OrgUnit": 20, "Tag": 40, "Profile": 200, "EmailAddress": 200}
    call_command("seed_demo", "--scale", "4")
    assert counts() == {key: value * 3 for key, value in after_two.items()}
    assert Profile.expertise.through.objects.count() == 600 * 3
    assert "600 members" not in capsys.readouterr().out
    member = User.objects.filter(email__endswith="@bench.copsite.example").first()
    assert member.check_password(DEMO_PASSWORD)


def test_seed_scale_rejects_negative():
    with pytest.raises(SystemExit):
        call_command("seed_demo", "--scale", "-1")
