"""Fault tests of the web tier (the scale issue, item 8), against the real PostgreSQL.

- A PostgreSQL connection killed in the middle of a request that has already written: nothing of
  it is saved, and the person gets the error page that says so (not a traceback, not a hang).
- Two web processes (gunicorn, separate interpreters and connections) taking progress updates of
  one key result at once: none is lost, and stored progress equals a full recompute.

(Redis restarted during a reminder dispatch: tests/checkins/test_faults.py; during
requests and the outbox relay: tests/outbox/test_faults.py.)
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection
from django.test import Client
from django.urls import reverse

from okrs.models import KeyResult, Objective, ProgressUpdate
from organisations import services as org_services
from tests.conftest import World, build_world, login
from tests.kit.real_parts import web_processes
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.okrs.test_concurrency import assert_consistent

pytestmark = pytest.mark.django_db(transaction=True)


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    """A superuser connection to the test database, beside the application's, to see and end its backends."""
    return psycopg.connect(os.environ["DATABASE_ADMIN_URL"], dbname=connection.settings_dict["NAME"], autocommit=True)


def a_key_result(w: World) -> KeyResult:
    objective = ObjectiveFactory(cycle=CycleFactory(organisation=w.org), owner=w.employee)
    return KeyResultFactory(objective=objective, owner=w.employee, target_value=Decimal(100))


def test_a_connection_killed_mid_request_saves_nothing_and_shows_the_error_page(live_server: Any) -> None:
    a = build_world("alpha", "Alpha")
    kr = a_key_result(a)
    page = reverse("okrs:key_result_progress", kwargs={"org_slug": a.org.slug, "key_result_id": kr.pk})
    browser = requests.Session()  # a real HTTP client on the live server's own thread and connection
    browser.cookies["sessionid"] = login(Client(), a.employee).cookies["sessionid"].value
    assert browser.get(live_server.url + page, timeout=30).status_code == 200  # and the CSRF cookie
    form = {"value": "60", "confidence": "on_track", "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    answer: dict[str, Any] = {}

    def post() -> None:
        try:
            response = browser.post(live_server.url + page, data=form, timeout=60, allow_redirects=False)
            answer.update(status=response.status_code, body=response.text)
        except Exception as error:  # reported by the assertions below
            answer.update(error=repr(error))

    with admin_connection() as admin:
        # Hold the person's membership row: the request writes the key result, rolls up the
        # objective, inserts the update and its activity line, then waits here, at COMMIT, where
        # the (deferred) foreign-key checks of the rows that name the person run.
        admin.execute("BEGIN")
        admin.execute("SELECT 1 FROM organisations_membership WHERE id = %s FOR UPDATE", [a.employee.pk])
        request = threading.Thread(target=post)
        request.start()
        deadline, backend = time.monotonic() + 30, None
        while backend is None and time.monotonic() < deadline:
            # Found by whom it waits for, not by its statement's text: pg_stat_activity's
            # query and state can lag behind a backend that is waiting inside a commit.
            row = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            ).fetchone()
            backend = row[0] if row else None
            time.sleep(0.05)
        activity = admin.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity "
            "WHERE datname = current_database()"
        ).fetchall()
        assert backend is not None, f"the request never reached its commit: {answer} {activity}"
        written = admin.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
            "AND relation IN ('okrs_progressupdate'::regclass, 'okrs_activity'::regclass)",
            [backend],
        ).fetchone()
        assert written == (2,), "the request was stopped before it wrote the update and its activity line"
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        request.join(30)
        admin.execute("ROLLBACK")
    assert not request.is_alive()
    assert answer.get("status") == 500, answer
    assert "the change was not saved" in answer["body"]
    assert "Traceback" not in answer["body"]
    with a.tenant():
        kr.refresh_from_db()
        objective = Objective.objects.get(pk=kr.objective_id)
        assert (kr.current_value, kr.progress, kr.last_update_at) == (Decimal(0), Decimal(0), None)
        assert objective.progress == 0
        assert not ProgressUpdate.objects.exists()
    # The server's next request, on a fresh connection, works.
    assert browser.post(live_server.url + page, data=form, timeout=30, allow_redirects=False).status_code in (200, 302)
    with a.tenant():
        assert ProgressUpdate.objects.count() == 1


@pytest.fixture
def two_web_processes() -> Iterator[list[str]]:
    """Two gunicorn processes (two workers each) on the test database; yields their base URLs."""
    with web_processes(2, workers=2) as urls:
        yield urls


def test_two_web_processes_updating_one_key_result_lose_no_update(two_web_processes: list[str]) -> None:
    a = build_world("alpha", "Alpha")
    kr = a_key_result(a)
    sibling = KeyResultFactory(objective=kr.objective, owner=a.employee, target_value=Decimal(100))
    _, token = org_services.api_token_create(user=a.employee.user, name="fault test")
    api = f"/api/v1/orgs/{a.org.slug}/progress-updates/"
    values = [str(n) for n in range(1, 41)]
    statuses: list[int] = []
    lock = threading.Lock()

    def post(index: int, value: str) -> None:
        target = kr if index % 4 else sibling  # mostly the one key result, some on its sibling
        response = requests.post(
            two_web_processes[index % 2] + api,
            json={"key_result": target.pk, "value": value, "confidence": "on_track"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(i, v)) for i, v in enumerate(values)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert statuses == [201] * len(values)
    with a.tenant():
        assert ProgressUpdate.objects.count() == len(values)
        for target in (kr, sibling):
            target.refresh_from_db()
            last = ProgressUpdate.objects.filter(key_result=target).latest("id")
            assert target.current_value == last.value  # the last committed update is the one kept
            assert target.progress == last.value / 100
    assert_consistent(a)
