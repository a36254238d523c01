"""The isolation sweep's cases for the outbox: a job in each world, so a foreign write to it shows."""

from __future__ import annotations

from typing import Any

from organisations.tasks import INVITATION_EMAIL_TASK
from outbox.models import OutboxJob
from outbox.services import enqueue
from tests.conftest import World
from tests.kit.sweep_types import Case, Ids


def build(w: World) -> OutboxJob:
    with w.tenant():
        return enqueue(
            INVITATION_EMAIL_TASK,
            organisation_id=w.org.pk,
            kwargs={"invitation_id": 0, "organisation_id": w.org.pk},
            key=f"sweep:{w.org.slug}",
        )


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return tuple(OutboxJob.objects.order_by("pk").values_list("id", "state", "attempts", "available_at"))


JOB: Ids = lambda w: {"job_id": w.outbox.pk}  # noqa: E731

HTML_CASES = [
    Case("outbox:jobs"),
    Case("outbox:job_retry", JOB, ("post",)),
]
