"""Celery tasks of check-ins: the dispatcher's tick (beat, every five minutes) and the sender of
ledger batches. Tasks take ids, set the tenant and call the code that decides."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from checkins import delivery, reminders

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def dispatch_reminders(now: str | None = None) -> int:
    """One tick (``manage.py dispatch_reminders`` runs the same synchronously)."""
    moment = datetime.fromisoformat(now) if now else None
    return reminders.dispatch(moment).total


@shared_task(ignore_result=True)
def send_reminders(*, organisation_id: int, delivery_ids: list[int]) -> int:
    """Send one batch of ledger rows (an outbox job: a failure is retried by the relay). A row is
    sent once: the in-app notification is keyed by the row and the e-mail goes through
    ``send_once``; a redelivered or doubled batch finds the row sent and skips it."""
    return delivery.send_batch(organisation_id=organisation_id, delivery_ids=delivery_ids)
