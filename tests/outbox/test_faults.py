"""Faults with real parts (issue 11, item 6): a private ``redis-server`` started here, a real
Celery worker (prefork, so it has a pool process to kill) and a real beat running the outbox
relay, both against the test database; requests through the whole Django stack.

Every test ends by counting: e-mails in the worker's file backend, effect rows, job states. Lost
and duplicated must both be 0. The figures the notes quote (docs/architecture.md, Background
jobs; /work/notes/outbox.md) are printed with ``-s``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from kombu import pools

from config import cache as failsafe
from config.celery import app
from organisations.models import Invitation
from outbox import services
from outbox.models import Effect, JobState, OutboxJob
from tests.conftest import World, build_world, login
from tests.factories import PASSWORD
from tests.organisations.test_celery_worker import database_url
from tests.outbox.pausing import PAUSING_TASK

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
#: The relay's timings for these tests (the defaults are 10 s / 5 s / 120 s; see settings.py).
RELAY_ENV = {"OUTBOX_RELAY_EVERY": "1", "OUTBOX_RELAY_GRACE": "1", "OUTBOX_REPUBLISH_AFTER": "4"}
#: What a request may cost with the broker refused or frozen.
REQUEST_BOUND = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, condition: Callable[[], bool], timeout: float, on_fail: Callable[[], str]) -> float:
    """Poll until ``condition`` holds; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout:.0f}s\n{on_fail()}")


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: the fault tests need it (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        pytest.fail("the private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen one must be able to exit
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGCONT)


@dataclass
class Stack:
    """The private Redis, the worker and the beat, and the mail they sent."""

    redis: Redis
    base: Path
    mail_dir: Path
    control: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **RELAY_ENV,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis.url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, name: str) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        if name == "worker":
            command = [
                *celery,
                *("worker", "--pool", "prefork", "--concurrency", "1", "-l", "info", "-I", "tests.outbox.pausing"),
                *("-n", f"faults-{self.redis.port}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
            ]
        else:
            command = [*celery, "beat", "-l", "info", "-s", str(self.base / "beat-schedule")]
        log = (self.base / f"{name}.log").open("ab")
        # A session of its own, so the whole worker (main and pool processes) can be killed at once.
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=15)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            self.processes.pop(name)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in sorted(self.base.glob("*.log"))
        )

    def mails(self) -> list[str]:
        return [p.read_text(errors="replace") for p in sorted(self.mail_dir.glob("*")) if p.is_file()]

    def mails_to(self, address: str) -> int:
        return sum(f"To: {address}" in mail for mail in self.mails())

    def wait(self, what: str, condition: Callable[[], bool], timeout: float = 60) -> float:
        return wait_until(what, condition, timeout, self.logs)


def reset_broker_pools() -> None:
    """Forget every pooled broker connection, so the next publish connects to the configured broker afresh.

    ``app.pool.force_close_all()`` alone is not enough: kombu keeps the closed pool registered under
    the broker's URL and the app keeps it cached, so every later publish in this process would fail
    with "Acquire on closed pool" (and leave its job pending) until the process ends.
    """
    pools.reset()
    app._pool = None  # the app's cached handle on the pool just closed
    app.amqp._producer_pool = None


@pytest.fixture
def stack(django_db_setup: None, tmp_path: Path) -> Iterator[Stack]:
    redis = Redis(port=free_port())
    redis.start()
    mail_dir, control = tmp_path / "mail", tmp_path / "control"
    mail_dir.mkdir()
    control.mkdir()
    s = Stack(redis=redis, base=tmp_path, mail_dir=mail_dir, control=control)
    saved = app.conf.broker_url, app.conf.broker_write_url, app.conf.task_default_queue
    app.conf.broker_url = app.conf.broker_write_url = redis.url  # this process publishes there too
    app.conf.task_default_queue = "celery"
    reset_broker_pools()
    try:
        s.start("worker")
        s.start("beat")
        yield s
    finally:
        s.stop_all()
        redis.stop()
        app.conf.broker_url, app.conf.broker_write_url, app.conf.task_default_queue = saved
        reset_broker_pools()


def jobs(w: World) -> list[OutboxJob]:
    with w.tenant():
        return list(OutboxJob.objects.order_by("pk"))


def effects(w: World) -> list[str]:
    with w.tenant():
        return list(Effect.objects.order_by("key").values_list("key", flat=True))


def invite_through_the_page(client: Client, w: World, email: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.post(
        reverse("organisations:invitations", kwargs={"org_slug": w.org.slug}), {"email": email, "role": "employee"}
    )
    return response.status_code, time.monotonic() - started


def report(line: str) -> None:
    print(f"\n[outbox faults] {line}")


def test_redis_stopped_during_requests_loses_nothing_and_sends_once(stack: Stack) -> None:
    a = build_world("alpha", "Alpha")
    client = login(Client(), a.admin)
    # One invitation while all is well: delivered, and the worker is proven up.
    assert invite_through_the_page(client, a, "before@example.test")[0] == 302
    stack.wait("the first e-mail", lambda: stack.mails_to("before@example.test") == 1)

    assert services.broker_reachable() is True
    stack.redis.stop()
    assert services.broker_reachable() is False
    answers = [invite_through_the_page(client, a, f"outage{i}@example.test") for i in range(5)]
    assert [code for code, _ in answers] == [302] * 5, answers
    slowest = max(seconds for _, seconds in answers)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.2f}s with Redis stopped"
    with a.tenant():
        assert Invitation.objects.filter(email__startswith="outage").count() == 5
    assert [j.state for j in jobs(a)].count(JobState.PENDING) == 5  # owed, and recorded as owed

    time.sleep(3)  # the outage lasts a while; nothing goes out, nothing is dropped
    assert sum(stack.mails_to(f"outage{i}@example.test") for i in range(5)) == 0
    stack.redis.start()  # empty: a Redis without persistence lost everything it held
    delivered = stack.wait(
        "the outage's e-mails after Redis came back",
        lambda: all(stack.mails_to(f"outage{i}@example.test") == 1 for i in range(5)),
        timeout=45,
    )
    time.sleep(6)  # longer than the relay's republish delay: a duplicate would show now
    counts = [stack.mails_to(f"outage{i}@example.test") for i in range(5)] + [stack.mails_to("before@example.test")]
    assert counts == [1] * 6, counts
    assert [j.state for j in jobs(a)] == [JobState.SENT] * 6
    assert len(effects(a)) == 6
    report(
        f"redis stopped: 5/5 requests 302, slowest {slowest * 1000:.0f} ms; all delivered {delivered:.1f}s "
        "after restart; lost 0, duplicated 0"
    )


def test_redis_frozen_costs_a_request_at_most_the_bound(stack: Stack) -> None:
    a = build_world("alpha", "Alpha")
    client = login(Client(), a.admin)
    assert invite_through_the_page(client, a, "warm@example.test")[0] == 302
    stack.wait("the first e-mail", lambda: stack.mails_to("warm@example.test") == 1)

    caches = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": stack.redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    stack.redis.freeze()
    try:
        assert services.broker_reachable() is False
        answers = [invite_through_the_page(client, a, f"frozen{i}@example.test") for i in range(3)]
        failsafe.forget_failures()
        with override_settings(CACHES=caches):  # the token rate limit's cache is the frozen Redis too
            started = time.monotonic()
            token = Client().post(
                "/api/v1/auth/tokens/",
                {"email": a.admin.user.email, "password": PASSWORD, "name": "s"},
                content_type="application/json",
            )
            token_seconds = time.monotonic() - started
        failsafe.forget_failures()
    finally:
        stack.redis.thaw()
    assert services.broker_reachable() is True
    assert [code for code, _ in answers] == [302] * 3, answers
    slowest = max(seconds for _, seconds in answers)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.2f}s with Redis frozen"
    assert token.status_code == 201, token.content
    assert token_seconds < REQUEST_BOUND, f"token creation took {token_seconds:.2f}s with Redis frozen"
    stack.wait(
        "the frozen-time e-mails after thawing",
        lambda: all(stack.mails_to(f"frozen{i}@example.test") == 1 for i in range(3)),
        timeout=45,
    )
    time.sleep(6)
    assert [stack.mails_to(f"frozen{i}@example.test") for i in range(3)] == [1, 1, 1]
    assert [j.state for j in jobs(a)] == [JobState.SENT] * 4
    report(
        f"redis frozen: invitation requests answered in at most {slowest * 1000:.0f} ms, token creation in "
        f"{token_seconds * 1000:.0f} ms; lost 0, duplicated 0"
    )


@pytest.mark.parametrize("stage", ["before", "after"])
def test_pool_process_killed_before_or_after_the_send_sends_exactly_once(stack: Stack, stage: str) -> None:
    a = build_world("alpha", "Alpha")
    address = f"{stage}@example.test"
    with a.tenant():
        services.enqueue(
            PAUSING_TASK,
            organisation_id=a.org.pk,
            kwargs={"to": address, "key": f"once:{stage}", "stage": stage, "control": str(stack.control)},
        )
    marker = stack.control / f"{stage}.pid"
    stack.wait(f"the job to stop {stage} the send", marker.exists)
    time.sleep(0.2)
    if stage == "after":
        assert stack.mails_to(address) == 1  # it went out; the job has not finished
    else:
        assert stack.mails_to(address) == 0
    pool_pid = int(marker.read_text())
    assert pool_pid != stack.processes["worker"].pid  # the pool process, not the worker's main one
    os.kill(pool_pid, signal.SIGKILL)
    took = stack.wait("the job to finish after the redelivery", lambda: jobs(a)[0].state == JobState.SENT)
    time.sleep(5)  # longer than the republish delay
    assert stack.mails_to(address) == 1
    assert effects(a) == [f"once:{stage}"]
    [job] = jobs(a)
    assert job.attempts == 2  # the killed delivery and the one that finished
    assert "exited with 'signal 9 (SIGKILL)'" in (stack.base / "worker.log").read_text(errors="replace")
    report(f"pool process killed {stage} the send: done {took:.1f}s after the kill; e-mails 1 (lost 0, duplicated 0)")


def test_worker_main_process_killed_jobs_are_delivered_after_restart(stack: Stack) -> None:
    a = build_world("alpha", "Alpha")
    address = "main@example.test"
    with a.tenant():
        services.enqueue(
            PAUSING_TASK,
            organisation_id=a.org.pk,
            kwargs={"to": address, "key": "once:main", "stage": "before", "control": str(stack.control)},
        )
    stack.wait("the job to start", (stack.control / "before.pid").exists)
    stack.kill("worker")  # the main process and its pool, at once, as a crashed machine would
    client = login(Client(), a.admin)
    assert invite_through_the_page(client, a, "while-down@example.test")[0] == 302  # queued meanwhile
    time.sleep(1)
    assert stack.mails_to(address) == 0
    log = stack.base / "worker.log"
    offset = log.stat().st_size
    stack.start("worker")
    restarted = time.monotonic()
    stack.wait("the worker to be ready again", lambda: "ready." in log.read_text(errors="replace")[offset:])
    ready = time.monotonic()
    stack.wait(
        "both jobs after the worker restarted",
        lambda: stack.mails_to(address) == 1 and stack.mails_to("while-down@example.test") == 1,
        timeout=45,
    )
    took = time.monotonic() - ready
    time.sleep(5)
    assert (stack.mails_to(address), stack.mails_to("while-down@example.test")) == (1, 1)
    assert [j.state for j in jobs(a)] == [JobState.SENT, JobState.SENT]
    report(
        f"worker main process killed: both jobs delivered {took:.1f}s after the new worker was ready "
        f"({ready - restarted:.1f}s to start it); lost 0, duplicated 0"
    )
