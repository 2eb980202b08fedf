"""What the apps' table-driven rule tests share: reading a table written out in the test, and making a person who
is a given role to a community."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import MembershipFactory, SponsorshipFactory, UserFactory, member_of


def table(text: str, roles: list[str]) -> dict[tuple[str, str], bool]:
    """A table whose header names `roles` and whose rows are a rule and a yes/no per role, as {(rule, role): bool}."""
    header, *lines = text.strip().splitlines()
    assert header.split() == list(roles), header
    expected = {}
    for line in lines:
        rule, *answers = line.split()
        assert len(answers) == len(roles), line
        assert set(answers) <= {"yes", "no"}, line
        expected.update({(rule, role): answer == "yes" for role, answer in zip(roles, answers, strict=True)})
    return expected


def person(role: str, community):
    """A new user who is `role` to `community`: outsider, former (left), requested, invited (not expired),
    peripheral or core member, coordinator (at the active level, so the role alone counts), sponsor (not a
    member) or staff (not a member)."""
    if role == "outsider":
        return UserFactory()
    if role == "former":
        return MembershipFactory(community=community, status="left").user
    if role == "requested":
        return MembershipFactory(community=community, status="requested", joined_at=None).user
    if role == "invited":
        return MembershipFactory(
            community=community,
            status="invited",
            joined_at=None,
            invitation_expires_at=timezone.now() + timedelta(days=3),
        ).user
    if role == "peripheral":
        return member_of(community)
    if role == "core":
        return member_of(community, "core")
    if role == "coordinator":
        return MembershipFactory(community=community, role="coordinator", level="active").user
    if role == "sponsor":
        return SponsorshipFactory(community=community).sponsor
    if role == "staff":
        return UserFactory(is_staff=True)
    raise AssertionError(role)
