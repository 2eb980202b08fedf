"""App configuration for activities: registers the kinds of mail it sends."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        # Each room's tasks, registered wherever Django is set up (workers included).
        import activities.calendar.tasks
        import activities.discussions.tasks  # noqa: F401
        from activities.discussions.markup import render_post
        from activities.models import Activity, Discussion, Occurrence, Reply
        from communities.tabs import Tab, register_tab, sees_content
        from core.markup import register_rendered

        register_rendered(Discussion, "body", "body_html", render_post)
        register_rendered(Reply, "body", "body_html", render_post)
        register_rendered(Activity, "description", "description_html")
        register_rendered(Occurrence, "notes", "notes_html")
        from activities.calendar.search import ACTIVITIES_VERSION
        from activities.discussions.search import DISCUSSIONS_VERSION, REPLIES_VERSION
        from core import versions

        # The site-wide search's kept results (core.search_support.kept).
        versions.bump_on([Activity, Occurrence], lambda row: [ACTIVITIES_VERSION], uid="activities.search")
        versions.bump_on([Discussion], lambda row: [DISCUSSIONS_VERSION], uid="activities.search-discussions")
        versions.bump_on([Reply], lambda row: [REPLIES_VERSION], uid="activities.search-replies")
        from communities.selectors import content_version_name

        # What a community's home lists (a reply saves its discussion, so the discussion bumps it).
        versions.bump_on(
            [Discussion, Activity, Occurrence],
            lambda row: [content_version_name(row.community_id)],
            uid="activities.community-content",
        )
        from activities.discussions.selectors import thread_version_name

        # What a thread's page keeps for its readers (its discussion, its pages of replies).
        versions.bump_on([Discussion], lambda row: [thread_version_name(row.pk)], uid="activities.thread")
        versions.bump_on(
            [Reply], lambda row: [thread_version_name(row.discussion_id)], uid="activities.thread-reply"
        )
        from members.notifications import Frequency, MailKind, register_mail_kind

        register_tab(
            Tab(
                "activities",
                "Activities",
                "activities:community_calendar",
                sees_content,
                order=20,
            )
        )
        register_tab(Tab("discussions", "Discussions", "activities:discussions", sees_content, order=30))

        every = (Frequency.IMMEDIATELY, Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF)
        for kind in (
            # The calendar's: sent at once or not at all (the default).
            MailKind(
                key="activity_reminders",
                label="Reminders of activities I'm going to",
                help_text="A reminder a day before each activity you said you would attend.",
            ),
            MailKind(
                key="activity_changes",
                label="Changes to activities I'm going to",
                help_text="A cancelled date, or a seat that freed up for you on the waitlist.",
            ),
            # The discussions': at once, or gathered daily or weekly.
            MailKind(
                key="discussion_replies",
                label="Replies in discussions I follow",
                help_text="You follow the discussions you start or reply to; unfollow any in one click.",
                allowed=every,
            ),
            MailKind(
                key="mentions",
                label="When someone @mentions me",
                help_text="A post that names you with your @handle (the part of your address before the @).",
                allowed=every,
            ),
            MailKind(
                key="discussion_reports",
                audience="coordinators",
                label="Reported posts in communities I coordinate",
                help_text="When a member reports a post to the coordinators.",
                allowed=every,
            ),
        ):
            register_mail_kind(kind)
