"""factory_boy factories shared by the tests."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

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
