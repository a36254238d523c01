"""Writes of notifications. ``notify`` is how every app tells someone something; it is
idempotent by ``key`` so a sender that runs twice (a retried task, a double click) notifies once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Notification
from organisations.models import Membership


@transaction.atomic
def notify(
    *,
    recipient: Membership,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    email: bool = False,
) -> Notification | None:
    """Notify ``recipient`` in the app (and by e-mail with ``email``, if they want e-mail).

    Returns the notification, or None when one with this ``key`` exists already or the recipient
    is deactivated (nothing is sent to people who left).
    """
    if not title.strip():
        raise ValidationError({"title": "A notification needs a title."})
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValidationError({"url": "A notification links to a page of Ascent (a path starting with /)."})
    if not recipient.is_active:
        return None
    key = key.strip()[:200]
    if key and Notification.objects.for_actor(recipient).filter(recipient=recipient, key=key).exists():
        return None
    try:
        with transaction.atomic():  # a concurrent notify with the same key loses the race cleanly
            notification = Notification.objects.create(
                organisation_id=recipient.organisation_id,
                recipient=recipient,
                kind=kind[:60],
                title=title.strip()[:200],
                body=body.strip(),
                url=url,
                key=key,
                email_requested=email,
            )
    except IntegrityError:
        if key:
            return None
        raise
    if email:
        from notifications.tasks import NOTIFICATION_EMAIL_TASK
        from outbox.services import enqueue

        enqueue(
            NOTIFICATION_EMAIL_TASK,
            organisation_id=recipient.organisation_id,
            kwargs={"notification_id": notification.pk, "organisation_id": recipient.organisation_id},
            key=f"notification:{notification.pk}",
        )
    return notification


@transaction.atomic
def notification_mark_read(*, actor: Membership, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (again: harmless)."""
    if notification.recipient_id != actor.pk:
        from django.http import Http404

        raise Http404("No such notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.for_actor(actor).filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Membership) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return (
        Notification.objects.for_actor(actor)
        .filter(recipient=actor, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
