"""The kinds of mail a member can tune, and how often they want each. Apps register their kinds at start-up."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    MONTHLY = "monthly", "Monthly"
    OFF = "off", "Off"


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what it is, its default frequency and the frequencies that make sense for it."""

    key: str
    label: str
    help_text: str
    default: str = Frequency.IMMEDIATELY
    allowed: tuple[str, ...] = (Frequency.IMMEDIATELY, Frequency.OFF)
    # Who can receive it, when not everyone: a name registered with register_audience ("coordinators", "sponsors").
    audience: str = ""


MAIL_KINDS: dict[str, MailKind] = {}


def register_mail_kind(kind: MailKind) -> None:
    """Called from each app's AppConfig.ready(); registering the same key again replaces it."""
    if kind.default not in kind.allowed:
        raise ValueError(f"{kind.key}: default {kind.default!r} is not one of {kind.allowed}")
    MAIL_KINDS[kind.key] = kind


# Predicates answering whether a person belongs to an audience; registered by the app that knows (members itself
# knows nothing of communities, coordinators or sponsors).
AUDIENCES: dict[str, Callable] = {}


def register_audience(name: str, belongs: Callable) -> None:
    AUDIENCES[name] = belongs


def kinds_for(user) -> list[str]:
    """The registered kinds of mail `user` can receive (each audience asked once)."""
    answers: dict[str, bool] = {}
    keys = []
    for key, kind in MAIL_KINDS.items():
        if kind.audience:
            if kind.audience not in answers:
                answers[kind.audience] = bool(AUDIENCES[kind.audience](user))
            if not answers[kind.audience]:
                continue
        keys.append(key)
    return keys
