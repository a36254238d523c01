"""``manage.py outbox [--retry ID | --retry-failed]``: the operator's view of background jobs in
every organisation: pending, failed and done per kind, the oldest pending one's age, retry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Min, Q
from django.utils import timezone

from organisations import rls
from outbox import services
from outbox.models import JobState, OutboxJob


class Command(BaseCommand):
    help = "List background jobs per kind (pending, failed, done); retry one or every failed one."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--retry", type=int, metavar="ID", help="run job ID again now (pending or failed)")
        group.add_argument("--retry-failed", action="store_true", help="run every failed job again now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry"] is not None:
            try:
                job = services.job_retry_by_id(job_id=options["retry"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Job {job.pk} ({job.task}) queued again.")
        elif options["retry_failed"]:
            self.stdout.write(f"{services.jobs_retry_failed()} failed job(s) queued again.")
        self._overview()

    def _overview(self) -> None:
        with rls.dangerously_all_tenants("the operator's command lists the jobs of every organisation"):
            rows = list(
                OutboxJob.objects.values("task")
                .annotate(
                    pending=Count("pk", filter=Q(state=JobState.PENDING)),
                    failed=Count("pk", filter=Q(state=JobState.FAILED)),
                    sent=Count("pk", filter=Q(state=JobState.SENT)),
                    oldest_pending=Min("created_at", filter=Q(state=JobState.PENDING)),
                )
                .order_by("task")
            )
            failed = list(
                OutboxJob.objects.filter(state=JobState.FAILED)
                .order_by("-finished_at")
                .values_list("pk", "organisation_id", "task", "attempts", "last_error")[:20]
            )
        if not rows:
            self.stdout.write("No background jobs.")
            return
        width = max(len(r["task"]) for r in rows)
        self.stdout.write(f"{'kind':<{width}}  {'pending':>7}  {'failed':>6}  {'done':>6}  oldest pending")
        now = timezone.now()
        for r in rows:
            oldest = f"{(now - r['oldest_pending']).total_seconds():.0f}s ago" if r["oldest_pending"] else "-"
            self.stdout.write(f"{r['task']:<{width}}  {r['pending']:>7}  {r['failed']:>6}  {r['sent']:>6}  {oldest}")
        for pk, organisation_id, task, attempts, error in failed:
            self.stdout.write(
                f"failed #{pk} (organisation {organisation_id}) {task}, {attempts} attempts: {error[:160]}"
            )
