"""App configuration for insights (reads every app below it; nothing below imports it): registers the digests
and reports it sends as notification kinds members can tune, and their builders; keeps its cached figures in
step with the data (`insights.cached.watch`)."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from communities.tabs import Tab, register_tab
        from insights import rules
        from insights.deliveries import DigestKind, register_digest

        register_tab(Tab("health", "Health", "insights:community", rules.may_read_health, order=60))
        from insights import cached

        cached.watch()  # the figures kept in the cache are made again when their community's data changes
        from insights.digests import coordinator, member, sponsor
        from members.notifications import Frequency, MailKind, register_mail_kind

        # Each digest or report: its kind of mail (what members tune) and the module that finds its recipients
        # and builds it. It is sent at the frequencies its mail offers, except off.
        digests = (
            (
                MailKind(
                    key="coordinator_digest",
                    audience="coordinators",
                    label="Coordinator digest of each community I coordinate",
                    help_text="Requests and invitations waiting, who joined or left, upcoming activities, "
                    "unanswered discussions and reports, new resources and stories, and the health checks that "
                    "need you.",
                    default=Frequency.WEEKLY,
                    allowed=(Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
                ),
                coordinator,
            ),
            (
                MailKind(
                    key="sponsor_report",
                    audience="sponsors",
                    label="Report on the communities I sponsor",
                    help_text="The period's figures against the one before, stages, reach, the value created and "
                    "the best stories, with a CSV of the figures.",
                    default=Frequency.MONTHLY,
                    allowed=(Frequency.WEEKLY, Frequency.MONTHLY, Frequency.OFF),
                ),
                sponsor,
            ),
            (
                MailKind(
                    key="member_digest",
                    label="Digest of my communities",
                    help_text="New discussions and resources, upcoming activities, and replies to discussions I "
                    "follow. Nothing is sent when there is nothing new.",
                    default=Frequency.WEEKLY,
                    allowed=(Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF),
                ),
                member,
            ),
        )
        for kind, builder in digests:
            register_mail_kind(kind)
            register_digest(
                DigestKind(
                    key=kind.key,
                    candidates=builder.candidates,
                    build=builder.build,
                    frequencies=tuple(f for f in kind.allowed if f != Frequency.OFF),
                )
            )
