"""Through PgBouncer in transaction mode, two tenants' concurrent transactions never see each
other's rows (the scale issue, item 9).

Transaction pooling hands a server connection to another client after every transaction. The
tenant setting is made with ``set_config(..., true)``, so it ends with the transaction that made
it; this proves it on the real thing. A private PgBouncer (Debian's, installed by ``make test``)
pools eight client threads onto two server connections; a subprocess runs the application's own
code (``rls.tenant_context`` and the ORM, with ``DATABASE_TRANSACTION_POOLER=1``) against it,
alternating two organisations. Each transaction must see only its own organisation's rows, what
it wrote must stay its own, and a query outside any transaction on a server connection another
tenant just used must see nothing at all. A control at the end makes one *session-level* tenant
setting and shows that it does leak to other clients, so the test is able to see a leak.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import build_world
from tests.kit.real_parts import free_port
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
SERVER_CONNECTIONS = 2
CLIENTS = 8

# Runs in the subprocess, as the application does: Django set up from the environment.
CLIENT_SCRIPT = r"""
import json, os, sys, threading, time
import django
django.setup()
from django.db import connection, connections
from okrs.models import Objective
from organisations import rls
from organisations.models import Membership

organisations = json.loads(sys.argv[1])
rounds = int(sys.argv[2])
report = {"foreign": [], "leaked_outside": [], "backends": {}, "errors": [], "wrote": 0}
lock = threading.Lock()

def client(index):
    org = organisations[index % len(organisations)]
    try:
        for round in range(rounds):
            with rls.tenant_context(org["id"]):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pid = cursor.fetchone()[0]
                seen = set(Objective.objects.values_list("organisation_id", flat=True))
                seen |= set(Membership.objects.values_list("organisation_id", flat=True))
                Objective.objects.filter(pk=org["objective"]).update(title=f"client {index} round {round}")
                time.sleep(0.002)  # hold the server connection while the others queue for it
                title = Objective.objects.get(pk=org["objective"]).title
                with lock:
                    report["backends"].setdefault(str(pid), set()).add(org["id"])
                    report["wrote"] += 1
                    if seen - {org["id"]}:
                        report["foreign"].append([org["id"], sorted(seen)])
                    if title != f"client {index} round {round}":
                        report["foreign"].append([org["id"], title])
            # Autocommit: one statement on whichever server connection is free, tenant unset.
            outside = Objective.objects.count() + Membership.objects.count()
            if outside:
                with lock:
                    report["leaked_outside"].append(outside)
    except Exception as error:
        with lock:
            report["errors"].append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=client, args=(i,)) for i in range(int(sys.argv[3]))]
for t in threads: t.start()
for t in threads: t.join(120)
report["backends"] = {pid: sorted(orgs) for pid, orgs in report["backends"].items()}

# The control: a *session-level* tenant setting, made once, does reach other clients here, so
# the checks above would have caught one.
with connection.cursor() as cursor:
    cursor.execute("SELECT set_config(%s, %s, false)", [rls.TENANT_SETTING, str(organisations[0]["id"])])
connections.close_all()

def look():
    counts = [Objective.objects.count() for _ in range(10)]
    connections.close_all()
    with lock:
        report["control_seen"] = report.get("control_seen", 0) + sum(counts)

lookers = [threading.Thread(target=look) for _ in range(4)]
for t in lookers: t.start()
for t in lookers: t.join(60)
print(json.dumps(report))
"""


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else "")
    if not found:
        pytest.fail("PgBouncer is missing: `make test` installs it (scripts/ensure_packages.sh)")
    return found


def _unprivileged_user(host: str) -> str:
    """Whom PgBouncer runs as when we are root (it refuses root): the owner of the unix-socket
    directory it must reach (the embedded server's, private to its own user), else nobody."""
    if host.startswith("/"):
        owner = pwd.getpwuid(os.stat(host).st_uid).pw_name
        if owner != "root":
            return owner
    return "nobody"


@pytest.fixture
def pgbouncer() -> Iterator[int]:
    """A private PgBouncer in transaction mode in front of the test database; yields its port."""
    db = connection.settings_dict
    port = free_port()
    # PgBouncer refuses to run as root; as anyone else it must be able to read its own files.
    base = Path(tempfile.mkdtemp(prefix="ascent-pgbouncer-"))
    base.chmod(0o755)
    host = db["HOST"] or "127.0.0.1"
    target = f"host={host} port={db['PORT'] or 5432} dbname={db['NAME']} user={db['USER']}"
    if db.get("PASSWORD"):
        target += f" password={db['PASSWORD']}"
    config = base / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"ascent = {target}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\n"  # the database line logs in as the application's role
        "pool_mode = transaction\n"
        f"default_pool_size = {SERVER_CONNECTIONS}\nmin_pool_size = 0\nreserve_pool_size = 0\n"
        "max_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    config.chmod(0o644)
    command = [pgbouncer_binary(), str(config)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", _unprivileged_user(host)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.communicate(timeout=5)[0] if process.poll() is not None else ""
                    pytest.fail(f"PgBouncer did not start: {output}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)


def test_two_tenants_through_pgbouncer_in_transaction_mode_never_see_each_other(pgbouncer: int) -> None:
    worlds = [build_world("alpha", "Alpha"), build_world("beta", "Beta")]
    organisations = []
    for w in worlds:
        objective = ObjectiveFactory(cycle=CycleFactory(organisation=w.org), owner=w.employee)
        organisations.append({"id": w.org.pk, "objective": objective.pk})
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'])}@127.0.0.1:{pgbouncer}/ascent",
        "DATABASE_TRANSACTION_POOLER": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, json.dumps(organisations), "15", str(CLIENTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["wrote"] == CLIENTS * 15
    # The pooling was real: eight clients took turns on at most two server connections, and a
    # server connection served both organisations.
    assert 1 <= len(report["backends"]) <= SERVER_CONNECTIONS, report["backends"]
    assert any(len(orgs) == 2 for orgs in report["backends"].values()), report["backends"]
    assert report["foreign"] == []
    assert report["leaked_outside"] == []
    assert report["control_seen"] > 0, "a session-level setting should have leaked: the test cannot see leaks"
