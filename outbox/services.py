"""Writes of the outbox: ``enqueue`` (the one way to ask for background work), the relay that
publishes jobs to Celery, what a worker records when a job ran or failed, and retry.

Why an outbox: a job published from a request can be lost (the broker is down when the request
commits) or can hold the request up (the broker is frozen). A job written as a row in the
request's own transaction exists exactly when the change that needs it does; publishing is then
an optimisation that the beat tick (``outbox.relay_pending``) repeats until a worker has run it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from organisations import rls
from organisations.models import Membership, Role
from organisations.selectors import require_role
from outbox.models import JobState, OutboxJob

logger = logging.getLogger(__name__)

#: A job that failed this many times is marked failed and waits for an operator's retry.
MAX_ATTEMPTS = 8
#: What the relay reads of a failure: enough to diagnose, never a whole traceback in a row.
ERROR_CHARS = 2000


def enqueue(task: str, *, organisation_id: int | None, kwargs: dict[str, Any], key: str = "") -> OutboxJob:
    """Record that ``task`` (a Celery task's registered name) must run with ``kwargs`` for
    ``organisation_id``, in the current transaction; publish it when that transaction commits.

    With a ``key``, asking twice for the same task and key gives the job already recorded (a
    double click, a retried request, a second dispatcher enqueue once). ``kwargs`` must be plain
    JSON and must hold no secret (rows are shown to operators): pass ids and let the task read
    or issue what it needs. Every job belongs to an organisation, so ``None`` is refused:
    platform-wide work is a beat entry (``CELERY_BEAT_SCHEDULE``) that is idempotent by itself.
    """
    from config.celery import app

    if organisation_id is None:
        raise ValueError("a background job belongs to an organisation; schedule platform work with beat")
    if task not in app.tasks:
        raise ValueError(f"no Celery task is registered as {task!r}")
    json.dumps(kwargs)  # refuse at the call site what the broker's JSON serializer would refuse later
    key = key.strip()
    if len(key) > 200:
        raise ValueError("an outbox key is at most 200 characters")
    with transaction.atomic():
        if key:
            existing = OutboxJob.objects.in_organisation(organisation_id).filter(task=task, key=key).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():  # a concurrent enqueue with the same key loses the race cleanly
                job = OutboxJob.objects.create(organisation_id=organisation_id, task=task, kwargs=kwargs, key=key)
        except IntegrityError:
            if not key:
                raise
            return OutboxJob.objects.in_organisation(organisation_id).get(task=task, key=key)
        job_id = job.pk
        transaction.on_commit(lambda: relay_one(job_id=job_id, organisation_id=organisation_id))
    return job


def enqueue_many(task: str, *, organisation_id: int, jobs: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """``enqueue`` for many jobs of one task at once, each ``(key, kwargs)`` (a dispatcher's
    batches): the rows in one statement, and one publish when the transaction commits, over one
    broker connection — a broker that is down costs the caller one failed connection, not one per
    job, and the relay publishes the rest as for ``enqueue``. Every job needs a key; a key recorded
    already gives no second job. Returns the ids of the jobs written now."""
    from config.celery import app

    if task not in app.tasks:
        raise ValueError(f"no Celery task is registered as {task!r}")
    keys = [key.strip() for key, _ in jobs]
    if not all(0 < len(key) <= 200 for key in keys):
        raise ValueError("each job of enqueue_many needs a key of 1 to 200 characters")
    if not jobs:
        return []
    arguments = [json.dumps(kwargs) for _, kwargs in jobs]  # refused here, not by the broker later
    now = timezone.now()
    table = OutboxJob._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (organisation_id, task, kwargs, key, state, attempts, last_error,'  # noqa: S608
            " created_at, available_at) SELECT %s, %s, j.kwargs, j.key, %s, 0, '', %s, %s"
            " FROM unnest(%s::text[], %s::text[]::jsonb[]) WITH ORDINALITY AS j(key, kwargs, n)"
            " ORDER BY j.n ON CONFLICT DO NOTHING RETURNING id",
            [organisation_id, task, JobState.PENDING, now, now, keys, arguments],
        )
        job_ids = sorted(int(row[0]) for row in cursor.fetchall())
        if job_ids:
            transaction.on_commit(lambda: relay_many(job_ids=job_ids, organisation_id=organisation_id))
    return job_ids


def _publish(jobs: Iterable[tuple[int, int]]) -> list[int]:
    """Publish ``(job id, organisation id)`` pairs to the broker; returns the ids published.

    The connection is the web's own, with short socket timeouts and one quick retry
    (``OUTBOX_PUBLISH_*`` settings), so a frozen or missing broker costs the caller about a
    second at most; the first failure stops the batch (the rest would fail the same way).
    """
    from config.celery import app
    from outbox.tasks import run_job

    published: list[int] = []
    options = {**app.conf.broker_transport_options, **settings.OUTBOX_PUBLISH_TRANSPORT_OPTIONS}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            for job_id, organisation_id in jobs:
                run_job.apply_async(  # in-process when Celery is eager (tests)
                    args=(job_id, organisation_id),
                    connection=connection,  # type: ignore[call-arg]  # a publish option the stubs omit
                    retry=True,
                    retry_policy=settings.OUTBOX_PUBLISH_RETRY_POLICY,
                )
                published.append(job_id)
    except Exception as exc:  # the broker is away; the rows wait for the next relay tick
        logger.warning("outbox: broker unavailable, %d job(s) left pending: %s", len(published) or 1, exc)
    return published


def relay_one(*, job_id: int, organisation_id: int) -> bool:
    """The on-commit relay: publish one job and mark it published. Never raises: the request that
    enqueued it has committed and must answer as if nothing happened."""
    if not _publish([(job_id, organisation_id)]):
        return False
    try:
        with rls.tenant_context(organisation_id):
            OutboxJob.objects.in_organisation(organisation_id).filter(pk=job_id, published_at__isnull=True).update(
                published_at=timezone.now()
            )
    except Exception:  # the job was published; the mark only spares a re-publish
        logger.exception("outbox: could not mark job %s published", job_id)
    return True


def relay_many(*, job_ids: list[int], organisation_id: int) -> int:
    """The on-commit relay of ``enqueue_many``: publish the jobs over one connection and mark those
    published. Never raises, like ``relay_one``; returns how many were published."""
    published = _publish([(job_id, organisation_id) for job_id in job_ids])
    if not published:
        return 0
    try:
        with rls.tenant_context(organisation_id):
            OutboxJob.objects.in_organisation(organisation_id).filter(
                pk__in=published, published_at__isnull=True
            ).update(published_at=timezone.now())
    except Exception:  # the jobs were published; the mark only spares a re-publish
        logger.exception("outbox: could not mark %d job(s) published", len(published))
    return len(published)


def relay_pending(*, now: Any = None, limit: int = 500) -> int:
    """One beat tick: publish what is owed and not in flight, in every organisation.

    A row is owed when it is pending and available, and either was never published (and is older
    than ``OUTBOX_RELAY_GRACE`` seconds, so the request's own on-commit relay goes first) or was
    published more than ``OUTBOX_REPUBLISH_AFTER`` seconds ago without a worker finishing it (its
    message was lost with a broker restart or a dead worker). ``SKIP LOCKED`` lets two ticks run
    at once without publishing the same rows; a duplicate message does no harm anyway (the worker
    runs only pending jobs and effects are once-only). Returns how many it published.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.OUTBOX_RELAY_GRACE)
    republish = timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER)
    with rls.dangerously_all_tenants("the outbox relay publishes every organisation's pending jobs"):
        rows = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(state=JobState.PENDING, available_at__lte=now)
            .filter(Q(published_at__isnull=True, created_at__lte=now - grace) | Q(published_at__lte=now - republish))
            .order_by("available_at", "pk")
            .values_list("pk", "organisation_id")[:limit]
        )
        if not rows:
            return 0
        published = _publish(rows)
        if published:
            OutboxJob.objects.filter(pk__in=published).update(published_at=timezone.now())
    return len(published)


def job_started(*, job_id: int, organisation_id: int) -> OutboxJob | None:
    """A worker claims a delivery: count the attempt; None when there is nothing to run (done,
    failed, unknown, or out of attempts, which marks it failed)."""
    with rls.tenant_context(organisation_id):
        jobs = OutboxJob.objects.in_organisation(organisation_id)
        if not jobs.filter(pk=job_id, state=JobState.PENDING).update(attempts=F("attempts") + 1):
            return None
        job = jobs.get(pk=job_id)
        if job.attempts > MAX_ATTEMPTS:
            # Deliveries that never came back (a job that kills its worker each time) end here.
            jobs.filter(pk=job_id).update(
                state=JobState.FAILED,
                finished_at=timezone.now(),
                last_error=(job.last_error or "the worker died while running it")[:ERROR_CHARS],
            )
            return None
        return job


def job_finished(*, job: OutboxJob) -> None:
    with rls.tenant_context(job.organisation_id):
        OutboxJob.objects.in_organisation(job.organisation_id).filter(pk=job.pk, state=JobState.PENDING).update(
            state=JobState.SENT, finished_at=timezone.now(), last_error=""
        )


def job_failed(*, job: OutboxJob, error: str) -> None:
    """Record a failure: retried later with exponential backoff (10 s, 20 s … capped at an hour)
    by the relay, or failed for good after ``MAX_ATTEMPTS``."""
    now = timezone.now()
    changes: dict[str, Any] = {"last_error": error[:ERROR_CHARS], "published_at": None}
    if job.attempts >= MAX_ATTEMPTS:
        changes |= {"state": JobState.FAILED, "finished_at": now}
    else:
        changes["available_at"] = now + timedelta(seconds=min(10 * 2 ** (job.attempts - 1), 3600))
    with rls.tenant_context(job.organisation_id):
        OutboxJob.objects.in_organisation(job.organisation_id).filter(pk=job.pk, state=JobState.PENDING).update(
            **changes
        )


@transaction.atomic
def job_retry(*, actor: Membership, job: OutboxJob) -> OutboxJob:
    """An operator runs a failed (or stuck pending) job again, now: attempts start over."""
    require_role(actor, Role.ADMIN)
    job = OutboxJob.objects.for_actor(actor).select_for_update().get(pk=job.pk)
    if job.state == JobState.SENT:
        raise ValidationError("This job already ran; there is nothing to retry.")
    return _requeue(job)


def _requeue(job: OutboxJob) -> OutboxJob:
    job.state = JobState.PENDING
    job.attempts = 0
    job.available_at = timezone.now()
    job.published_at = None
    job.finished_at = None
    job.save(update_fields=["state", "attempts", "available_at", "published_at", "finished_at"])
    job_id, organisation_id = job.pk, job.organisation_id
    transaction.on_commit(lambda: relay_one(job_id=job_id, organisation_id=organisation_id))
    return job


def job_retry_by_id(*, job_id: int) -> OutboxJob:
    """The operator's command: run one job again, whichever organisation it belongs to."""
    with rls.dangerously_all_tenants("the operator's command retries a job of any organisation"):
        job = OutboxJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise ValueError(f"no job {job_id}")
        if job.state == JobState.SENT:
            raise ValueError(f"job {job_id} already ran; there is nothing to retry")
        return _requeue(job)


def jobs_retry_failed(*, organisation_id: int | None = None) -> int:
    """The operator's command: put every failed job (of one organisation, or of all) back."""
    count = 0
    if organisation_id is not None:
        with rls.tenant_context(organisation_id):
            for job in (
                OutboxJob.objects.in_organisation(organisation_id).select_for_update().filter(state=JobState.FAILED)
            ):
                _requeue(job)
                count += 1
        return count
    with rls.dangerously_all_tenants("the operator's command retries failed jobs of every organisation"):
        for job in OutboxJob.objects.select_for_update().filter(state=JobState.FAILED):
            _requeue(job)
            count += 1
    return count


def broker_reachable() -> bool:
    """Whether the broker answers now, within the publish timeouts (for a supervisor's "broker
    down / back" line, e.g. ``make run``'s)."""
    from config.celery import app

    options = {**app.conf.broker_transport_options, **settings.OUTBOX_PUBLISH_TRANSPORT_OPTIONS}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0)
            channel: Any = connection.default_channel
            client = getattr(channel, "client", None)
            if client is not None:
                client.ping()  # a frozen Redis accepts the connection but never answers
    except Exception:
        return False
    return True
