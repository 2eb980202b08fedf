"""seed_demo: realistic data, idempotent; --scale adds a benchmark set with bulk inserts."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
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


def test_seed_demo_communities_cover_stages_policies_visibility_and_levels():
    call_command("seed_demo")
    communities = Community.objects.all()
    assert 10 <= communities.count() <= 15
    assert set(communities.values_list("stage", flat=True)) == {
        "potential",
        "coalescing",
        "maturing",
        "stewardship",
        "transformation",
    }
    assert set(communities.values_list("join_policy", flat=True)) == {"open", "approval", "invitation"}
    assert set(communities.values_list("visibility", flat=True)) == {"listed", "private"}
    active = Membership.objects.filter(status="active")
    assert set(active.values_list("level", flat=True)) == {
        "core",
        "active",
        "occasional",
        "peripheral",
        "transactional",
    }
    assert Membership.objects.filter(status="requested").exists()
    assert Membership.objects.filter(status="invited").exists()
    for community in communities:
        assert community.memberships.filter(status="active", role="coordinator").exists(), community
        assert community.sponsorships.exists(), community
    # History the services would have written, spread over the past year.
    assert MembershipEvent.objects.filter(kind="joined").count() == active.count()
    assert Participation.objects.filter(kind="joined").count() == active.count()
    first, last = (
        MembershipEvent.objects.order_by("at").first().at,
        MembershipEvent.objects.order_by("at").last().at,
    )
    assert (last - first).days > 150


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
