"""App configuration for communities: registers the kinds of mail it sends and who the directory finds in a
community (members sits below and asks); an invitation link leads through sign-up into the community."""

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from communities.models import Community
        from communities.selectors import coordinates_anything, directory_members, sponsors_anything
        from communities.signals import accept_invitation_on_signup
        from core.markup import register_rendered
        from members import community_filter
        from members.notifications import Frequency, MailKind, register_audience, register_mail_kind

        register_audience("coordinators", coordinates_anything)
        register_audience("sponsors", sponsors_anything)
        community_filter.register(directory_members)
        register_rendered(Community, "description", "description_html")
        self._register_tabs()

        user_signed_up.connect(
            accept_invitation_on_signup, dispatch_uid="communities_accept_invitation_on_signup"
        )
        from django.db.models.signals import post_delete, post_save

        from communities.models import Membership, Participation, Sponsorship
        from communities.selectors import MEMBERSHIPS_VERSION, content_version_name, people_version_name
        from communities.signals import forget_sponsor_flag
        from core import versions

        versions.bump_on(
            [Membership],
            lambda row: [people_version_name(row.community_id), MEMBERSHIPS_VERSION],
            uid="communities.people",
        )
        versions.bump_on(
            [Sponsorship],
            lambda row: [people_version_name(row.community_id), MEMBERSHIPS_VERSION],
            uid="communities.sponsors",
        )
        versions.bump_on(
            [Community],
            lambda row: [people_version_name(row.pk), content_version_name(row.pk)],
            uid="communities.community",
        )
        versions.bump_on(
            [Participation], lambda row: [content_version_name(row.community_id)], uid="communities.content"
        )
        from communities.search import COMMUNITIES_VERSION

        # The site-wide search's kept results (core.search_support.kept): every hit shows its community.
        versions.bump_on([Community], lambda row: [COMMUNITIES_VERSION], uid="communities.search")
        versions.bump_on_links(Community.topics.through, [COMMUNITIES_VERSION], uid="communities.topics")

        post_save.connect(
            forget_sponsor_flag, sender=Sponsorship, dispatch_uid="communities_sponsor_flag_save"
        )
        post_delete.connect(
            forget_sponsor_flag, sender=Sponsorship, dispatch_uid="communities_sponsor_flag_delete"
        )

        register_mail_kind(
            MailKind(
                key="membership_decisions",
                label="Decisions about my memberships",
                help_text="Invitations, approvals, declines, removals and changes a coordinator makes to your membership.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.OFF),
            )
        )
        register_mail_kind(
            MailKind(
                key="membership_requests",
                audience="coordinators",
                label="Requests to join communities I coordinate",
                help_text="When someone asks to join, or answers an invitation. Digests arrive with the coordinator digest.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
            )
        )

    @staticmethod
    def _register_tabs() -> None:
        from communities import rules
        from communities.tabs import Tab, register_tab, sees_content

        for tab in (
            Tab("overview", "Overview", "communities:home", lambda access: True, order=10),
            Tab("members", "Members", "communities:members", sees_content, order=50),
            Tab("manage", "Manage members", "communities:manage_members", rules.may_manage, order=70),
            Tab("settings", "Settings", "communities:settings", rules.may_manage, order=80),
            Tab(
                "staff",
                "Sponsors & archive",
                "communities:sponsors",
                lambda access: rules.may_administer(access.viewer),
                order=90,
            ),
        ):
            register_tab(tab)
