"""The row-level-security policy does not defeat the indexes of the hot pages' queries.

Every tenant table's policy adds ``organisation_id = nullif(current_setting(...), '')::bigint OR
current_setting('app.all_tenants', true) = 'on'`` to each query (organisations.rls). A policy
qual that used a non-leakproof function on a column, or an operator the planner cannot push into
an index, would force a sequential scan of every tenant's rows. Here, as the application role
(neither superuser nor BYPASSRLS, so the policy applies) and inside the tenant's context, each
query the hot pages run is EXPLAINed with ``enable_seqscan = off``: the planner then picks an
index whenever one can serve the query, so a ``Seq Scan`` left on a big table means none can.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services as notification_services
from tests.checkins.conftest import build_checkins
from tests.conftest import World, login
from tests.okrs.worlds import build_okrs

#: The tables that grow with the organisation (issue 10: tens to hundreds of thousands of rows).
BIG_TABLES = {
    "okrs_objective",
    "okrs_keyresult",
    "okrs_progressupdate",
    "okrs_alignment",
    "okrs_milestone",
    "okrs_activity",
    "okrs_contributor",
    "checkins_checkin",
    "notifications_notification",
    "organisations_membership",
}

pytestmark = pytest.mark.usefixtures("frozen_time")


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def sequential_scans(w: World, sql: str) -> list[str]:
    """The big tables ``sql`` reads by a sequential scan, with sequential scans disabled, as the
    application role in ``w``'s tenant context (rolled back: the setting does not outlive it)."""
    with w.tenant(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            row = cursor.fetchone()
        transaction.set_rollback(True)
    assert row is not None
    document = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return [
        str(node.get("Relation Name"))
        for node in plan_nodes(document[0]["Plan"])
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
    ]


def page_selects(client: Client, url: str) -> list[str]:
    """The SELECTs of one page that read a big table."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")) and any(f'"{t}"' in q["sql"] for t in BIG_TABLES)
    ]


def _slug(w: World) -> dict[str, str]:
    return {"org_slug": w.org.slug}


PAGES: dict[str, tuple[str, Callable[[World], str]]] = {
    "My OKRs (objective list)": ("employee", lambda w: reverse("okrs:my_okrs", kwargs=_slug(w))),
    "objective detail (key results)": (
        "manager",
        lambda w: reverse("okrs:objective_detail", kwargs={**_slug(w), "objective_id": w.okrs.team.pk}),
    ),
    "alignment tree (the cycle's objectives)": (
        "owner",
        lambda w: reverse("okrs:tree", kwargs=_slug(w)) + f"?cycle={w.okrs.quarter.pk}",
    ),
    "key result progress (its updates)": (
        "employee",
        lambda w: reverse("okrs:key_result_progress", kwargs={**_slug(w), "key_result_id": w.okrs.individual_kr.pk}),
    ),
    "check-in board": ("manager", lambda w: reverse("checkins:board", kwargs=_slug(w))),
    "notifications centre": ("employee", lambda w: reverse("notifications:centre", kwargs=_slug(w))),
}


@pytest.fixture
def busy(a: World, b: World) -> World:
    """Two organisations with OKRs, check-ins and notifications: b's rows are in the same tables,
    so only the tenant predicate or an index tells them apart."""
    for w in (a, b):
        w.okrs = build_okrs(w)
        build_checkins(w)
        with w.tenant():
            for i in range(3):
                notification_services.notify(recipient=w.employee, kind="mention", title=f"Note {i}", url="/")
    return a


def test_the_application_role_is_subject_to_row_level_security(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_hot_queries_use_an_index_under_the_tenant_policy(page: str, busy: World) -> None:
    role, url = PAGES[page]
    selects = page_selects(login(Client(), getattr(busy, role)), url(busy))
    assert selects, f"{page}: no query read a big table"
    scans = {sql[:300]: found for sql in selects if (found := sequential_scans(busy, sql))}
    assert not scans, f"{page}: sequential scans despite enable_seqscan = off: {scans}"


def test_the_check_finds_a_query_no_index_can_serve(busy: World) -> None:
    """The detector itself: a filter on an unindexed column leaves a Seq Scan."""
    sql = "SELECT id FROM okrs_objective WHERE description = 'x'"
    assert sequential_scans(busy, sql) == ["okrs_objective"]
