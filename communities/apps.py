"""App configuration for communities: registers the kinds of mail it sends."""

from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from members.notifications import Frequency, MailKind, register_mail_kind

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
                label="Requests to join communities I coordinate",
                help_text="When someone asks to join, or answers an invitation. Digests arrive with the coordinator digest.",
                default=Frequency.IMMEDIATELY,
                allowed=(Frequency.IMMEDIATELY, Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
            )
        )
