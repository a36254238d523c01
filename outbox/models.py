"""The outbox: a job is a row written in the transaction of the change that needs it, so a job
exists exactly when its change does, whatever the broker is doing (docs/architecture.md,
Background jobs)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from organisations.models import TenantModel


class JobState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Done"
    FAILED = "failed", "Failed"


class OutboxJob(TenantModel):
    """One background job owed to one organisation.

    ``pending`` until a worker has run it to the end (being published is not enough: a broker
    that restarts without persistence loses its messages, and the relay then publishes again);
    ``sent`` once it ran; ``failed`` after ``outbox.services.MAX_ATTEMPTS`` failures, until an
    operator retries it. Every job belongs to an organisation: platform housekeeping (expired
    sessions, cycle states) is scheduled by beat directly, is idempotent and owes nobody anything.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "task", "state"], name="outbox_job_org_task_state_idx"),
            # The relay's scan reads only pending rows: a partial index stays as small as the backlog.
            models.Index(
                fields=["organisation", "available_at"],
                name="outbox_job_pending_idx",
                condition=models.Q(state="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "task", "key"], condition=~models.Q(key=""), name="outbox_job_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.state})"


class Effect(TenantModel):
    """An effect that happened (an e-mail went out), by a unique key: ``outbox.effects.send_once``
    writes it before sending, so nothing that runs a job again can repeat the effect."""

    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="outbox_effect_unique_key")]

    def __str__(self) -> str:
        return self.key
