"""factory_boy factories shared by the tests."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from members.models import OrgUnit, Profile, Tag, User

PASSWORD = "a-long-test-password"
_PASSWORD_HASH = make_password(PASSWORD)  # hashed once for the whole run


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.TEAM


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """An active user with a verified primary address, a profile, and the password PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = _PASSWORD_HASH
    org_unit = factory.SubFactory(OrgUnitFactory)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            Profile.objects.get_or_create(user=self)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Community"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    domain = "Getting better at something we all do."
    join_policy = "open"
    visibility = "listed"
    stage = "coalescing"


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active membership at peripheral level unless told otherwise."""

    class Meta:
        model = "communities.Membership"

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    status = "active"
    level = "peripheral"
    role = "member"
    joined_at = factory.LazyFunction(timezone.now)


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "communities.Sponsorship"

    community = factory.SubFactory(CommunityFactory)
    sponsor = factory.SubFactory(UserFactory)
    since = datetime.date(2026, 1, 15)


def coordinator_of(community, **kwargs):
    """A new user who coordinates `community` (core group)."""
    return MembershipFactory(community=community, role="coordinator", level="core", **kwargs).user


def member_of(community, level: str = "peripheral", **kwargs):
    """A new user who is an active member of `community`."""
    return MembershipFactory(community=community, level=level, **kwargs).user


class ValueStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "insights.ValueStory"

    community = factory.SubFactory(CommunityFactory)
    cycle = "realized"
    title = factory.Sequence(lambda n: f"Result {n}")
    story = "Fewer repeat incidents after we shared the runbook."
    evidence = "Incident log, Q3."
    happened_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)


class SnapshotFactory(factory.django.DjangoModelFactory):
    """A stored daily snapshot (figures default to zero); history charts read these."""

    class Meta:
        model = "insights.Snapshot"

    community = factory.SubFactory(CommunityFactory)
    day = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
