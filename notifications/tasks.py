"""Sending a notification's e-mail: at most once, whatever redelivers the task."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification
from organisations import rls


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int, organisation_id: int) -> bool:
    """E-mail a notification if its recipient wants e-mail. The row is claimed (``emailed_at``)
    before sending, so a redelivered or doubled task sends nothing; a failed send releases the
    claim for the retry."""
    with rls.tenant_context(organisation_id):
        claimed = Notification.objects.in_organisation(organisation_id).filter(
            pk=notification_id, email_requested=True, emailed_at__isnull=True
        )
        now = timezone.now()
        if not claimed.update(emailed_at=now):
            return False
        notification = (
            Notification.objects.in_organisation(organisation_id)
            .select_related("recipient__user", "recipient__organisation")
            .get(pk=notification_id)
        )
    user = notification.recipient.user
    if not user.email_notifications or not user.is_active:
        return False
    base = settings.ASCENT_BASE_URL.rstrip("/")
    context = {
        "notification": notification,
        "organisation": notification.recipient.organisation,
        "url": base + notification.url if notification.url else "",
        "settings_url": base + "/profile/",
    }
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("emails/notification.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    try:
        message.send()
    except OSError:
        with rls.tenant_context(organisation_id):
            Notification.objects.in_organisation(organisation_id).filter(pk=notification_id).update(emailed_at=None)
        raise
    return True
