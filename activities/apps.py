"""App configuration for activities: registers the kinds of mail it sends."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        # Each room's tasks, registered wherever Django is set up (workers included).
        import activities.calendar.tasks
        import activities.discussions.tasks  # noqa: F401
        from members.notifications import Frequency, MailKind, register_mail_kind

        register_mail_kind(
            MailKind(
                key="activity_reminders",
                label="Reminders of activities I'm going to",
                help_text="A reminder a day before each activity you said you would attend.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.OFF),
            )
        )
        register_mail_kind(
            MailKind(
                key="activity_changes",
                label="Changes to activities I'm going to",
                help_text="A cancelled date, or a seat that freed up for you on the waitlist.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.OFF),
            )
        )
        every = (Frequency.IMMEDIATELY, Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF)
        register_mail_kind(
            MailKind(
                key="discussion_replies",
                label="Replies in discussions I follow",
                help_text="You follow the discussions you start or reply to; unfollow any in one click.",
                default=Frequency.IMMEDIATELY,
                allowed=every,
            )
        )
        register_mail_kind(
            MailKind(
                key="mentions",
                label="When someone @mentions me",
                help_text="A post that names you with your @handle (the part of your address before the @).",
                default=Frequency.IMMEDIATELY,
                allowed=every,
            )
        )
        register_mail_kind(
            MailKind(
                key="discussion_reports",
                audience="coordinators",
                label="Reported posts in communities I coordinate",
                help_text="When a member reports a post to the coordinators.",
                default=Frequency.IMMEDIATELY,
                allowed=every,
            )
        )
