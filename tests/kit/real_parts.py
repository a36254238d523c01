"""The real parts the integration and fault tests run against, shared by every app's tests:

- ``worker`` (module scope): a real Celery worker process (solo pool) on the machine's broker,
  consuming a queue of this run only, against the test database (``Worker``);
- ``stack`` (per test): a private ``redis-server`` started here, a real prefork worker (so it has
  a pool process to kill) and a real beat running the outbox relay quickly (``Stack``). Its e-mail
  goes to files through ``tests.kit.pausing_mail.EmailBackend``, which a test can ask to stop at
  its n-th message (``Stack.pause_mail_at``) to kill or cut off the worker mid-batch.

Test modules import the fixture they use (``from tests.kit.real_parts import Stack, stack``).
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from kombu import pools

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60
#: The relay's timings for the stack (the defaults are 10 s / 5 s / 120 s; see settings.py).
RELAY_ENV = {"OUTBOX_RELAY_EVERY": "1", "OUTBOX_RELAY_GRACE": "1", "OUTBOX_REPUBLISH_AFTER": "4"}
#: What a request may cost with the broker refused or frozen. The publish gives up after
#: OUTBOX_PUBLISH_* (two 0.25 s connects and a 0.1 s pause: 0.6 s); kombu's defaults would hold the
#: request for many seconds. The rest is the page itself on a loaded two-core CI machine (1.13 s
#: seen once against a 1.0 s bound), which this test does not measure: `make bench` does.
BROKER_DOWN_REQUEST_BOUND = 2.0
#: What the file backend writes after each message.
MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"


def database_url() -> str:
    """A postgres URL for the database this test session uses (the test database)."""
    db = settings.DATABASES["default"]
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or ""), safe="")  # a unix socket directory becomes %2F…
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(str(db['NAME']), safe='')}"


@contextmanager
def web_processes(count: int = 2, *, workers: int = 2) -> Iterator[list[str]]:
    """``count`` gunicorn processes (``workers`` each, DEBUG off) on this session's database,
    on loopback; yields their base URLs once each answers."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--log-level", "warning"]
    processes: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    try:
        for _ in range(count):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [*command, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                    cwd=root,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for process, url in zip(processes, urls, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"{url}/login/", timeout=10)
                    break
                except requests.RequestException:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start: {process.communicate(timeout=5)[1][-2000:]}")
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


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


def read_messages(files: list[str]) -> list[Message]:
    """The e-mails in the file backend's files (one file per connection, messages separated)."""
    return [email.message_from_string(chunk) for text in files for chunk in text.split(MAIL_SEPARATOR) if chunk.strip()]


def mail_files(mail_dir: Path) -> list[str]:
    return [path.read_text(errors="replace") for path in sorted(mail_dir.glob("*")) if path.is_file()]


def messages_to(messages: list[Message], address: str) -> int:
    """How many of ``messages`` go to ``address``. Count messages, never files: Django's file
    backend names a file by the second and ``id()`` of its backend object and opens it to append,
    so a worker sending quickly (a freed backend's address reused within the same second) writes
    several messages into one file — counting files under-counts, and would hide a duplicate."""
    wanted = address.lower()
    return sum(any(to.lower() == wanted for _, to in getaddresses(message.get_all("To", []))) for message in messages)


# ---------------------------------------------------------------- the machine's broker, a solo worker


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
        return mail_files(self.mail_dir)

    def messages(self) -> list[Message]:
        return read_messages(self.mails())


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """A worker on the configured broker (Redis when REDIS_URL is set, kombu's filesystem transport
    otherwise), on a queue named for this run only: a worker of another run sharing the same Redis
    database cannot take these messages, and stale messages of earlier runs never reach this one."""
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


# ---------------------------------------------------------------- a private Redis, worker and beat


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
            "EMAIL_BACKEND": "tests.kit.pausing_mail.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "ASCENT_TEST_CONTROL": str(self.control),
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
        return mail_files(self.mail_dir)

    def messages(self) -> list[Message]:
        return read_messages(self.mails())

    def mails_to(self, address: str) -> int:
        return messages_to(self.messages(), address)

    def wait(self, what: str, condition: Callable[[], bool], timeout: float = 60) -> float:
        return wait_until(what, condition, timeout, self.logs)

    # The worker's mail backend stops once, right after writing its n-th message (tests.kit.pausing_mail).

    def pause_mail_at(self, count: int) -> None:
        from tests.kit.pausing_mail import arm

        arm(self.control, count)

    def wait_for_mail_pause(self, timeout: float = 60) -> int:
        """Wait until the worker stopped at the armed message; returns the pid of the process that stopped."""
        from tests.kit.pausing_mail import PAUSED

        marker = self.control / PAUSED
        self.wait("the worker to stop at the armed e-mail", marker.exists, timeout)
        return int(marker.read_text())

    def release_mail_pause(self) -> None:
        from tests.kit.pausing_mail import release

        release(self.control)


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
        s.release_mail_pause()  # a worker left waiting would hold its pool process until killed
        s.stop_all()
        redis.stop()
        app.conf.broker_url, app.conf.broker_write_url, app.conf.task_default_queue = saved
        reset_broker_pools()
