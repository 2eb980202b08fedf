"""App configuration for repertoire: registers the kind of mail it sends, and offers “Harvest into the library” on
activities' discussion and date pages (`activities.page_actions`)."""

from django.apps import AppConfig


class RepertoireConfig(AppConfig):
    name = "repertoire"
    verbose_name = "Repertoire"

    def ready(self) -> None:
        from communities.tabs import Tab, register_tab, sees_content
        from core.markup import register_rendered
        from repertoire.models import Resource, ResourceFile

        register_rendered(Resource, "body", "body_html")
        from core import versions
        from repertoire.search import RESOURCES_VERSION

        # The site-wide search's kept results (core.search_support.kept) and the library's kept pages: a
        # resource, its tags, its authors and its files.
        versions.bump_on([Resource, ResourceFile], lambda row: [RESOURCES_VERSION], uid="repertoire.search")
        versions.bump_on_links(Resource.tags.through, [RESOURCES_VERSION], uid="repertoire.search-tags")
        versions.bump_on_links(Resource.authors.through, [RESOURCES_VERSION], uid="repertoire.authors")
        from communities.selectors import content_version_name

        # What a community's home lists (applying one records a ledger row, which bumps it too).
        versions.bump_on(
            [Resource],
            lambda row: [content_version_name(row.community_id)],
            uid="repertoire.community-content",
        )
        from members.notifications import Frequency, MailKind, register_mail_kind

        register_tab(Tab("library", "Library", "repertoire:community_library", sees_content, order=40))

        register_mail_kind(
            MailKind(
                key="resource_applied",
                label="When someone applies a resource I wrote",
                help_text="A member's story of how they used one of your resources and what came of it.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.OFF),
            )
        )

        from activities import page_actions
        from activities.models import Discussion, Occurrence
        from repertoire.page_actions import harvest_discussion, harvest_occurrence

        page_actions.register(Discussion, harvest_discussion)
        page_actions.register(Occurrence, harvest_occurrence)
