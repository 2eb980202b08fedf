"""App configuration for members."""

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from core import versions, viewer_zone  # noqa: F401 - viewer_zone connects the sign-in receiver
        from members.models import OrgUnit, Profile, User
        from members.selectors import PEOPLE_VERSION

        # "people": names, initials and org units as pages that cache people's fragments show them.
        versions.bump_on([User, Profile, OrgUnit], lambda instance: [PEOPLE_VERSION], uid="members.people")
