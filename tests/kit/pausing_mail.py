"""Django's file e-mail backend, which a fault test can ask to stop once, right after it wrote
its n-th message, and wait there — to be killed (a worker killed mid-batch) or released (after the
test stopped Redis under it). The stack's worker uses it (``tests.kit.real_parts.Stack``); armed by
a file in the test's control folder (``ASCENT_TEST_CONTROL``), it is a plain file backend otherwise.

Stopping *after* the write is the point where a kill hurts most: the e-mail is out, its
``send_once`` record is committed, the in-app notification exists, and the ledger row is not yet
marked sent — the redelivered batch must finish the row without sending anything again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends import filebased

ARMED = "mail-pause-at"
PAUSED = "mail-paused.pid"
RELEASED = "mail-released"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file backend writes after each message
#: How long a stopped worker waits for the test (which kills or releases it long before).
LONGEST_PAUSE = 60


def arm(control: Path, count: int) -> None:
    (control / ARMED).write_text(str(count))


def release(control: Path) -> None:
    (control / RELEASED).touch()


class EmailBackend(filebased.EmailBackend):
    def __init__(self, fail_silently: bool = False, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, file_path=file_path or os.environ["EMAIL_FILE_PATH"], **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages) or 0
        control = Path(os.environ.get("ASCENT_TEST_CONTROL", ""))
        armed = control / ARMED
        if os.environ.get("ASCENT_TEST_CONTROL") and armed.exists() and not (control / PAUSED).exists():
            # Messages, not files: two connections in the same second may share a file name.
            written = sum(path.read_bytes().count(SEPARATOR) for path in Path(self.file_path).iterdir())
            if written >= int(armed.read_text()):
                (control / f"{PAUSED}.tmp").write_text(str(os.getpid()))
                (control / f"{PAUSED}.tmp").replace(control / PAUSED)  # whole, or not there yet
                deadline = time.monotonic() + LONGEST_PAUSE
                while time.monotonic() < deadline and not (control / RELEASED).exists():
                    time.sleep(0.05)
        return sent
