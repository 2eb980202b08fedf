"""App configuration for activities: registers the kinds of mail it sends."""

from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
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
