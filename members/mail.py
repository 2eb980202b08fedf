"""Sending mail from templates: a subject, a plain-text and an HTML body per kind, absolute links."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from members.models import User

logger = logging.getLogger(__name__)


def send_templated_mail(
    *, template: str, to: User | str, context: dict, reply_to: list[str] | None = None
) -> bool:
    """Render `<template>_subject.txt`, `_body.txt` and `_body.html` from templates/mail/ and send them.

    `to` is a user (skipped when they left the organization) or a bare address (an invitation to someone
    without an account). Returns whether a message was sent.
    """
    if isinstance(to, User):
        if not to.is_active:
            logger.info("not mailing %s: deactivated", to.pk)
            return False
        address, recipient = to.email, to
    else:
        address, recipient = to, None
    context = {
        **context,
        "recipient": recipient,
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    text = render_to_string(f"mail/{template}_body.txt", context)
    html = render_to_string(f"mail/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}", body=text, to=[address], reply_to=reply_to
    )
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("sent %s mail to %s", template, recipient.pk if recipient else "an invitee")
    return True
