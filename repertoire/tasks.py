"""Mail about the repertoire: a resource's authors hear when a member applied it. Tasks take ids."""

import logging

from celery import shared_task
from django.urls import reverse

from core.mail import send_templated_mail
from members.notifications import Frequency
from members.services import notification_frequency

logger = logging.getLogger(__name__)

APPLIED = "resource_applied"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_applied_mail(application_id: int) -> int:
    """Tell a resource's authors (but the one who applied it) that a member applied it, with their story."""
    from repertoire.models import Application

    application = (
        Application.objects.select_related("user", "resource__community").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    resource = application.resource
    context = {
        "application": application,
        "resource": resource,
        "community": resource.community,
        "action_url": reverse("repertoire:resource", args=[resource.community.slug, resource.pk]),
    }
    sent = 0
    for author in resource.authors.exclude(pk=application.user_id):
        if author.is_active and notification_frequency(user=author, kind=APPLIED) != Frequency.OFF:
            sent += send_templated_mail(
                template="repertoire/applied", to=author, context=context, kind=APPLIED
            )
    return sent
