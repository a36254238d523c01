"""The outbox's two Celery tasks: the worker side of every job, and the relay's beat tick."""

from __future__ import annotations

import logging
import traceback

from celery import shared_task

from outbox import services
from outbox.effects import running_for

logger = logging.getLogger(__name__)


@shared_task(name="outbox.run_job")
def run_job(job_id: int, organisation_id: int) -> None:
    """Run one outbox job: the registered task ``job.task`` with ``job.kwargs``, in this process.

    Only a pending job runs, so a second delivery of a finished job does nothing; a failure is
    recorded on the row and retried by the relay with backoff (never by Celery's own retry,
    which would bypass the row). Late acknowledgement (``CELERY_TASK_ACKS_LATE``) brings the
    message back if the worker dies mid-job; effects inside are once-only (``send_once``).
    """
    from config.celery import app

    job = services.job_started(job_id=job_id, organisation_id=organisation_id)
    if job is None:
        return
    try:
        with running_for(organisation_id):
            app.tasks[job.task](**job.kwargs)
    except Exception as exc:
        logger.warning("outbox job %s (%s) failed, attempt %s: %s", job.pk, job.task, job.attempts, exc)
        services.job_failed(job=job, error="".join(traceback.format_exception_only(exc)).strip())
        return
    services.job_finished(job=job)
    logger.info("outbox job %s (%s) done", job.pk, job.task)


@shared_task(name="outbox.relay_pending")
def relay_pending() -> int:
    """Beat tick (``outbox-relay`` in ``CELERY_BEAT_SCHEDULE``): publish jobs still owed."""
    return services.relay_pending()
