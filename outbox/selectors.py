"""Reads of the outbox: an organisation's jobs, per kind, for its operators."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from organisations.models import Membership
from outbox.models import JobState, OutboxJob


def kind_label(task: str) -> str:
    """``organisations.tasks.send_invitation_email`` → "Send invitation email"."""
    return task.rsplit(".", 1)[-1].replace("_", " ").capitalize()


@dataclass(frozen=True)
class KindSummary:
    task: str
    label: str
    pending: int
    failed: int
    sent: int


def job_summary(*, actor: Membership) -> list[KindSummary]:
    rows = (
        OutboxJob.objects.for_actor(actor)
        .values("task")
        .annotate(
            pending=Count("pk", filter=Q(state=JobState.PENDING)),
            failed=Count("pk", filter=Q(state=JobState.FAILED)),
            sent=Count("pk", filter=Q(state=JobState.SENT)),
        )
        .order_by("task")
    )
    return [KindSummary(r["task"], kind_label(r["task"]), r["pending"], r["failed"], r["sent"]) for r in rows]


def job_list(*, actor: Membership, state: str = "", task: str = "") -> QuerySet[OutboxJob]:
    jobs = OutboxJob.objects.for_actor(actor)
    if state:
        jobs = jobs.filter(state=state)
    if task:
        jobs = jobs.filter(task=task)
    return jobs.order_by("-created_at", "-pk")


def access_job(actor: Membership, job_id: int) -> OutboxJob:
    job = OutboxJob.objects.for_actor(actor).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job")
    return job


def latest_jobs_by_kwarg(
    *, organisation_id: int, task: str, kwarg: str, values: list[int] | None = None
) -> dict[int, OutboxJob]:
    """The latest job of ``task`` per value of ``kwargs[kwarg]`` (an id; only ``values`` when
    given), in one query: what a page listing objects shows of the job each one is owed (an
    invitation's e-mail)."""
    jobs = OutboxJob.objects.in_organisation(organisation_id).filter(task=task)
    if values is not None:
        jobs = jobs.filter(**{f"kwargs__{kwarg}__in": values})
    latest: dict[int, OutboxJob] = {}
    for job in jobs.order_by("pk"):
        value = job.kwargs.get(kwarg) if isinstance(job.kwargs, dict) else None
        if isinstance(value, int):
            latest[value] = job
    return latest
