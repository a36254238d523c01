"""Reads of notifications: always the actor's own (nobody reads another member's, admins included)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Notification
from organisations.models import Membership


def notification_list(*, actor: Membership, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.for_actor(actor).filter(recipient=actor)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(*, actor: Membership) -> int:
    return notification_list(actor=actor, unread_only=True).count()


def access_notification(actor: Membership, notification_id: int) -> Notification:
    notification = notification_list(actor=actor).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification")
    return notification
