"""Who sees a community is one rule: `Community.objects.visible_to(viewer)` (pages, search, feeds, digests) and
`readers_q(community)` (the same rule from the people's side, for mail to many) must agree for every person."""

import pytest
from django.utils import timezone

from communities.models import Community, Membership, readers_q
from members.models import User
from tests.factories import CommunityFactory, MembershipFactory, SponsorshipFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def people_and_communities():
    listed = CommunityFactory(name="Listed", visibility="listed")
    private = CommunityFactory(name="Private", visibility="private")
    archived = CommunityFactory(name="Archived private", visibility="private", archived_at=timezone.now())
    people = {"outsider": UserFactory(), "staff": UserFactory(is_staff=True)}
    for community in (listed, private, archived):
        key = community.name.split()[0].lower()
        people[f"member of {key}"] = member_of(community)
        people[f"coordinator of {key}"] = member_of(community, role=Membership.Role.COORDINATOR)
        people[f"left {key}"] = MembershipFactory(community=community, status=Membership.Status.LEFT).user
        people[f"asked {key}"] = MembershipFactory(
            community=community, status=Membership.Status.REQUESTED
        ).user
        people[f"sponsor of {key}"] = SponsorshipFactory(community=community).sponsor
    return people, (listed, private, archived)


def test_both_sides_of_the_rule_agree_for_every_person_and_community():
    people, communities = people_and_communities()
    for community in communities:
        readers = set(User.objects.filter(readers_q(community)).values_list("pk", flat=True))
        for role, person in people.items():
            sees = Community.objects.visible_to(person).filter(pk=community.pk).exists()
            assert sees == (person.pk in readers), f"{role} and {community.name}"


def test_the_rule_is_what_the_docs_say():
    people, (listed, private, _archived) = people_and_communities()
    seeing_private = {
        role
        for role, person in people.items()
        if person.pk in set(User.objects.filter(readers_q(private)).values_list("pk", flat=True))
    }
    assert seeing_private == {"staff", "member of private", "coordinator of private", "sponsor of private"}
    assert User.objects.filter(readers_q(listed)).count() == len(people)
    visible_to_outsider = set(Community.objects.visible_to(people["outsider"]).values_list("name", flat=True))
    assert visible_to_outsider == {"Listed"}
    assert set(Community.objects.visible_to(people["outsider"]).current().values_list("name", flat=True)) == {
        "Listed"
    }
    assert set(Community.objects.visible_to(people["staff"]).current().values_list("name", flat=True)) == {
        "Listed",
        "Private",
    }
