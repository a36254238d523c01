"""Sending a notification's e-mail: at most once, whatever redelivers the job."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification
from organisations import rls
from outbox.effects import send_once

NOTIFICATION_EMAIL_TASK = "notifications.tasks.send_notification_email"


@shared_task
def send_notification_email(*, notification_id: int, organisation_id: int) -> bool:
    """E-mail a notification if its recipient wants e-mail, once (an outbox job: the effect
    ``notification:<id>`` is recorded before sending, so a redelivered job sends nothing)."""
    with rls.tenant_context(organisation_id):
        notification = (
            Notification.objects.in_organisation(organisation_id)
            .select_related("recipient__user", "recipient__organisation")
            .filter(pk=notification_id, email_requested=True)
            .first()
        )
    if notification is None:
        return False
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

    def send() -> None:
        message = EmailMultiAlternatives(
            subject=notification.title,
            body=render_to_string("emails/notification.txt", context),
            to=[user.email],
        )
        message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
        message.send()
        with rls.tenant_context(organisation_id):
            Notification.objects.in_organisation(organisation_id).filter(pk=notification_id).update(
                emailed_at=timezone.now()
            )

    return send_once(f"notification:{notification_id}", send, organisation_id=organisation_id)
