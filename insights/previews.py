"""Staff previews of each digest and report: the real mail, built from real data for a real recipient, stored
nowhere and sent to no one.

The mail is built by the kind's own builder for an unsaved delivery of the period due for the recipient now (as
the send command plans it), and rendered by the same function that sends it, into a connection that keeps the
message instead of sending it. So the preview shows exactly the subject, headers, text and HTML a recipient
would get, unsubscribe link included. The page is `insights.views.previews`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import Message

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.utils import timezone

from communities.models import Community
from core.mail import send_templated_mail
from insights.deliveries import DIGEST_KINDS, DigestKind, Period, current_period, unsaved_delivery
from members.models import NotificationPreference, User
from members.notifications import MAIL_KINDS, MailKind

SHOWN_HEADERS = ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type")


def preview_kind(key: str) -> tuple[DigestKind, MailKind]:
    """The digest or report named `key` and its kind of mail (404 for a name that is neither)."""
    if key not in DIGEST_KINDS or key not in MAIL_KINDS:
        raise Http404("No such digest or report.")
    return DIGEST_KINDS[key], MAIL_KINDS[key]


class _KeepMessages(BaseEmailBackend):
    """A mail connection that keeps what it is given: the preview renders the mail the way it is sent."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.messages: list[EmailMultiAlternatives] = []

    def send_messages(self, email_messages) -> int:
        self.messages.extend(email_messages)
        return len(email_messages)


@dataclass
class Preview:
    """What the preview page shows; `mail` is None when the builder found nothing to tell (no mail)."""

    recipient: User | None = None
    community: Community | None = None
    frequency: str = ""
    period: Period | None = None
    first_day: date | None = None  # the period's days, in the recipient's time zone
    last_day: date | None = None
    problem: str = ""  # why there is nothing to preview (no recipient, unknown user or community)
    mail: EmailMultiAlternatives | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    html: str = ""  # the mail's HTML body: the page shows it only framed
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, text (if text)


def _choose_recipient(
    digest: DigestKind, user_id: int | None, community: Community | None
) -> tuple[User | None, Community | None, str]:
    """The recipient and (for per-community kinds) community to preview: the ones asked for, else the first
    who would receive the kind (of that community, when one is asked for)."""
    pairs = list(digest.candidates([community.pk] if community else None))
    per_community = any(community_id is not None for _user, community_id in pairs)
    if user_id is None:
        if not pairs:
            where = f" in {community.name}" if community else ""
            return None, community, f"Nobody would receive this{where}."
        user_id, community_id = pairs[0]
    else:
        theirs = [community_id for candidate, community_id in pairs if candidate == user_id]
        community_id = theirs[0] if theirs else (community.pk if community else None)
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None:
        raise Http404("No such user.")
    if not per_community:
        return user, None, ""
    if community is None or community.pk != community_id:
        community = Community.objects.filter(pk=community_id).first()
    return user, community, ""


def _frequency(digest: DigestKind, mail_kind: MailKind, user: User, asked: str) -> str:
    """The frequency asked for, else the recipient's own, else the kind's default (also when they turned it off:
    staff still see what it would be)."""
    if asked in digest.frequencies:
        return asked
    own = (
        NotificationPreference.objects.filter(user=user, kind=mail_kind.key)
        .values_list("frequency", flat=True)
        .first()
    )
    return own if own in digest.frequencies else mail_kind.default


def build_preview(
    key: str, *, user_id: int | None, community: Community | None, frequency: str = ""
) -> Preview:
    """Build the kind's mail for one recipient without storing or sending anything."""
    digest, mail_kind = preview_kind(key)
    user, community, problem = _choose_recipient(digest, user_id, community)
    if user is None:
        return Preview(community=community, problem=problem)
    frequency = _frequency(digest, mail_kind, user, frequency)
    zone = getattr(getattr(user, "profile", None), "time_zone", None)
    period = current_period(frequency, zone, timezone.now(), force=True)
    preview = Preview(
        recipient=user,
        community=community,
        frequency=frequency,
        period=period,
        first_day=period.start.date(),
        last_day=period.end.date() - timedelta(days=1),
    )
    delivery = unsaved_delivery(key, period, recipient_id=user.pk, community_id=community and community.pk)
    delivery.recipient, delivery.community = user, community  # loaded already: the builder reads them
    built = digest.build([delivery]).get(delivery.pk)
    if built is None:
        return preview
    connection = _KeepMessages()
    send_templated_mail(
        template=built.template,
        to=user,
        context=built.context,
        kind=key,
        connection=connection,
        attachments=built.attachments,
    )
    if not connection.messages:  # a deactivated recipient gets nothing
        preview.problem = (
            f"{user.full_name or user.email} has left the organization: no mail is sent to them."
        )
        return preview
    preview.mail = message = connection.messages[0]
    parsed: Message = message.message()
    preview.headers = [(name, parsed[name]) for name in SHOWN_HEADERS if parsed[name]]
    preview.html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    for filename, content, mimetype in message.attachments:
        text = content if isinstance(content, str) else ""
        preview.attachments.append((filename, mimetype, text))
    return preview


def recipient_id(asked: str) -> int | None:
    """The person to preview for, picked by address (as the people suggestions fill it in) or by id: None for
    the first who would receive it, 0 for an address nobody has. A malformed id is 404."""
    if not asked:
        return None
    if asked.isdigit():
        return int(asked)
    if "@" not in asked:
        raise Http404("No such user.")
    return User.objects.filter(email__iexact=asked).values_list("pk", flat=True).first() or 0


def preview_community(slug: str) -> Community | None:
    """The community asked for by slug (None when none is asked for; 404 for an unknown one)."""
    if not slug:
        return None
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community
