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
        from members.models import Tag
        from members.search import PEOPLE_SEARCH_VERSION, TAGS_VERSION

        # The site-wide search's kept results (core.search_support.kept): people, and what tags name.
        versions.bump_on(
            [User, Profile, OrgUnit, Tag], lambda instance: [PEOPLE_SEARCH_VERSION], uid="members.search"
        )
        versions.bump_on([Tag], lambda instance: [TAGS_VERSION], uid="members.search-tags")
        versions.bump_on_links(
            Profile.expertise.through, [PEOPLE_SEARCH_VERSION], uid="members.search-expertise"
        )
