"""Celery with a real worker process: tasks go through the configured broker (Redis when
REDIS_URL is set, kombu's filesystem transport otherwise) and a worker started here runs
them against the test database.

The worker consumes a queue named for this run only, so a worker of another run sharing the
same Redis database cannot take these messages, and stale messages left in the default queue
by earlier runs never reach this worker. Everything else is the application's configuration.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from organisations import services
from organisations.models import Invitation, Role
from organisations.tasks import clear_expired_sessions
from organisations.tokens import hash_token
from tests.conftest import build_world

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def database_url() -> str:
    """A postgres URL for the database this test session uses (the test database)."""
    db = settings.DATABASES["default"]
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or ""), safe="")  # a unix socket directory becomes %2F…
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(str(db['NAME']), safe='')}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    mail_dir: Path
    queue: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else "(no output)"

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
        """Poll ``condition`` until it holds; fail with the worker's output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) before {what}:\n{self.output()}")
            time.sleep(0.25)
        pytest.fail(f"no {what} within {timeout:.0f}s; worker output:\n{self.output()}")

    def mails(self) -> list[str]:
        return [path.read_text(errors="replace") for path in sorted(self.mail_dir.glob("*")) if path.is_file()]


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    base = tmp_path_factory.mktemp("celery-worker")
    mail_dir = base / "mail"
    mail_dir.mkdir()
    log = base / "worker.log"
    queue = f"ascent-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        *("-m", "celery", "-A", "config", "worker"),
        *("--pool", "solo", "--concurrency", "1", "-l", "info"),
        *("-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # what this process sends goes to this worker only
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield Worker(process=process, log=log, mail_dir=mail_dir, queue=queue)
    finally:
        app.conf.task_default_queue = previous_queue
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        with app.connection_for_write() as connection:  # leave nothing of this run's queue behind
            channel: Any = connection.default_channel  # the transport's virtual channel
            channel.queue_purge(queue)
            channel.queue_delete(queue)
            if settings.REDIS_URL:  # kombu keeps the queue's exchange bindings in two small sets
                channel.client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def test_worker_sends_the_invitation_email(worker: Worker) -> None:
    a = build_world("alpha", "Alpha")

    with a.tenant():  # as the request's middleware would; the job is published when this commits
        invitation, _ = services.invitation_create(actor=a.admin, email="New.Hire@Example.test", role=Role.EMPLOYEE)

    link = re.compile(rf"{re.escape(settings.ASCENT_BASE_URL.rstrip('/'))}/join/{a.org.slug}/(?P<token>[\w-]+)/")

    def delivered() -> bool:
        return any("new.hire@example.test" in mail and link.search(mail) for mail in worker.mails())

    worker.wait_for("invitation e-mail", delivered)
    [mail] = [m for m in worker.mails() if link.search(m)]
    assert "To: new.hire@example.test" in mail
    assert "Subject: You are invited to Alpha on Ascent" in mail
    match = link.search(mail)
    assert match
    raw = match["token"]
    # It was this worker, on the broker the settings name, that ran the job.
    worker.wait_for("the worker's log of the job", lambda: "send_invitation_email) done" in worker.output())
    assert f"transport:   {settings.CELERY_BROKER_URL.split('://')[0]}://" in worker.output()
    with a.tenant():
        stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.email == "new.hire@example.test"
    assert stored.is_pending
    assert stored.token_hash == hash_token(raw)  # only a hash of the e-mailed token is stored
    assert raw not in stored.token_hash


def test_beat_schedules_clearing_expired_sessions() -> None:
    entry = app.conf.beat_schedule["clear-expired-sessions"]
    assert entry["task"] == "organisations.tasks.clear_expired_sessions"
    assert entry["task"] == clear_expired_sessions.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 3600


def test_worker_clears_expired_sessions_and_keeps_live_ones(worker: Worker) -> None:
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 25, session_data="e30", expire_date=now - timedelta(hours=1))
    Session.objects.create(session_key="live" + "y" * 28, session_data="e30", expire_date=now + timedelta(days=1))

    clear_expired_sessions.delay()

    worker.wait_for(
        "deletion of the expired session",
        lambda: not Session.objects.filter(session_key="expired" + "x" * 25).exists(),
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" + "y" * 28]
