"""A task for the fault tests, imported by the test's worker (``celery worker -I``): it sends an
e-mail through ``send_once`` like every sender, and on its first run stops at a named point and
waits there, so the test can kill the worker process exactly before or after the send."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task
from django.core.mail import send_mail

from outbox.effects import send_once

PAUSING_TASK = "tests.outbox.send_with_a_pause"


def _pause_once(control: Path, stage: str) -> None:
    """On the first run only: say where we are (with our pid) and wait to be killed."""
    marker = control / f"{stage}.pid"
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the test kills this process long before
        time.sleep(0.1)


@shared_task(name=PAUSING_TASK)
def send_with_a_pause(*, to: str, key: str, stage: str, control: str) -> bool:
    folder = Path(control)
    if stage == "before":
        _pause_once(folder, stage)

    def send() -> None:
        send_mail(subject=f"Once: {key}", message="exactly once", from_email=None, recipient_list=[to])
        if stage == "after":
            _pause_once(folder, stage)

    return send_once(key, send)
