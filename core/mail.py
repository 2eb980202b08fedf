"""Sending mail from templates: a subject, a plain-text and an HTML body per kind, absolute links."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from core.unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)


def send_templated_mail(
    *,
    template: str,
    to,
    context: dict,
    reply_to: list[str] | None = None,
    kind: str | None = None,
    connection=None,
    attachments: tuple[tuple[str, str, str], ...] = (),
) -> bool:
    """Render `<template>_subject.txt`, `_body.txt` and `_body.html` from templates/mail/ and send them.

    `to` is a user (anything with `email`, `is_active` and `pk`; skipped when they left the organization) or a
    bare address (an invitation to someone without an account). `kind` is the notification kind (members.notifications) a user can turn off: the mail
    then carries a one-click unsubscribe link (`unsubscribe_url` in the context, for the footer) and the
    `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058); account mails pass no kind. `connection`
    reuses one SMTP connection for a batch; `attachments` are (filename, content, mimetype). Returns whether a
    message was sent; SMTP errors propagate (callers that retry need them).
    """
    if not isinstance(to, str):
        if not to.is_active:
            logger.info("not mailing %s: deactivated", to.pk)
            return False
        address, recipient = to.email, to
    else:
        address, recipient = to, None
    headers = {}
    unsubscribe = ""
    if kind and recipient is not None:
        unsubscribe = unsubscribe_url(recipient.pk, kind)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    context = {
        **context,
        "unsubscribe_url": unsubscribe,
        "recipient": recipient,
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    text = render_to_string(f"mail/{template}_body.txt", context)
    html = render_to_string(f"mail/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=text,
        to=[address],
        reply_to=reply_to,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    logger.info("sent %s mail to %s", template, recipient.pk if recipient else "an invitee")
    return True
