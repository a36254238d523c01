"""Run one reminder tick now, synchronously (operators and tests): ``manage.py dispatch_reminders
[--now 2026-12-01T09:05:00+00:00]``. The send batches are queued for the worker as usual."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from checkins import reminders


class Command(BaseCommand):
    help = "Run one check-in reminder dispatch tick (the beat runs one every five minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="The moment to dispatch for, ISO-8601 (default: now). Naive = UTC.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: not an ISO-8601 moment ({exc})") from exc
            if now.tzinfo is None:
                now = now.replace(tzinfo=UTC)
        result = reminders.dispatch(now)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(result.created.items())) or "none due"
        self.stdout.write(f"Reminders written: {result.total} ({kinds}); {result.batches} send batch(es) queued.")
