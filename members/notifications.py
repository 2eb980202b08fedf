"""The kinds of mail a member can tune, and how often they want each. Apps register their kinds at start-up."""

from dataclasses import dataclass

from django.db import models


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off"


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what it is, its default frequency and the frequencies that make sense for it."""

    key: str
    label: str
    help_text: str
    default: str = Frequency.IMMEDIATELY
    allowed: tuple[str, ...] = (Frequency.IMMEDIATELY, Frequency.OFF)


MAIL_KINDS: dict[str, MailKind] = {}


def register_mail_kind(kind: MailKind) -> None:
    """Called from each app's AppConfig.ready(); registering the same key again replaces it."""
    if kind.default not in kind.allowed:
        raise ValueError(f"{kind.key}: default {kind.default!r} is not one of {kind.allowed}")
    MAIL_KINDS[kind.key] = kind
