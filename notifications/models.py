"""In-app notifications, for every app: a reminder, an approval, a request to align, a survey
invitation. Each belongs to one recipient (a membership) and is read only by them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from organisations.models import Membership, TenantModel


class Notification(TenantModel):
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    #: What sent it, e.g. "checkins.reminder", "okrs.align_request"; for filtering and icons.
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    #: A path inside Ascent (never another site), where the notification leads.
    url = models.CharField(max_length=500, blank=True)
    #: Idempotency: a sender that might run twice names the notification; one per recipient and key.
    key = models.CharField(max_length=200, blank=True)
    email_requested = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "recipient", "key"], condition=~Q(key=""), name="notification_unique_key"
            ),
            models.CheckConstraint(condition=Q(url="") | Q(url__startswith="/"), name="notification_url_is_a_path"),
        ]
        indexes = [
            models.Index(fields=["organisation", "recipient", "read_at"], name="notification_org_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
