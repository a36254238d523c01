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


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_reminders(organisation_id: int, delivery_ids: list[int]) -> int:
    """Send one batch of ledger rows. A row is sent at most once: it is locked and must still be
    pending; a redelivered or doubled batch finds it sent and skips it."""
    return delivery.send_batch(organisation_id=organisation_id, delivery_ids=delivery_ids)
