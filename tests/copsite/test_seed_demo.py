"""seed_demo: realistic data, idempotent; --scale adds a benchmark set with bulk inserts."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from communities.models import Community, Membership, MembershipEvent, Participation, Sponsorship
from copsite.demo.members import DEMO_PASSWORD
from members.models import OrgUnit, Profile, Tag, User

# Each test builds the whole demo (or a scaled set): in `make test`, left out of `make test-fast`.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def counts() -> dict[str, int]:
    models = (
        User,
        OrgUnit,
        Tag,
        Profile,
        EmailAddress,
        Community,
        Membership,
        MembershipEvent,
        Participation,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_seed_scale_multiplies_every_table(capsys):
    call_command("seed_demo", "--scale", "2")
    after_two = counts()
    assert after_two == {
        "User": 200,
        "OrgUnit": 20,
        "Tag": 40,
        "Profile": 200,
        "EmailAddress": 200,
        "Community": 6,
        "Membership": 1200,
        "MembershipEvent": 1206,  # a join per membership, and a coordinator appointment per community
        "Participation": after_two["Participation"],
    }
    call_command("seed_demo", "--scale", "4")
    after_six = counts()
    for table in ("User", "OrgUnit", "Tag", "Profile", "EmailAddress", "Community"):
        assert after_six[table] == 3 * after_two[table], table
    assert after_six["Membership"] == 200 * 6 + 400 * 6
    assert Sponsorship.objects.count() == 18
    assert Profile.expertise.through.objects.count() == 600 * 3
    assert "600 members" not in capsys.readouterr().out
    member = User.objects.filter(email__endswith="@bench.copsite.example").first()
    assert member.check_password(DEMO_PASSWORD)


def test_seed_scale_rejects_negative():
    with pytest.raises(SystemExit):
        call_command("seed_demo", "--scale", "-1")
