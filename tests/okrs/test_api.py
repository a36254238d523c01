"""The OKR API: roles, visibility, validation per field, foreign and invisible ids in bodies,
append-only progress updates, pagination, filters, the tree, scores and the schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from okrs.models import Alignment, CycleKind, KeyResult, Objective, ProgressUpdate
from tests.conftest import World, login
from tests.okrs.factories import ObjectiveFactory
from tests.okrs.worlds import OkrWorld

pytestmark = pytest.mark.usefixtures("frozen_time")  # half way through the world's Q4 (expected 0.5)


def api(w: World, path: str) -> str:
    return f"/api/v1/orgs/{w.org.slug}/{path}"


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, body or {}, content_type="application/json")


def ids(response: Any) -> set[int]:
    body = response.json()
    items = body.get("results", body) if isinstance(body, dict) else body
    return {item["id"] for item in items}


# ---------------------------------------------------------------- every operation × role

ROLES = ["owner", "admin", "manager", "employee", "report"]


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict[str, Any]]
    expected: dict[str, int]


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def editors(code: int) -> dict[str, int]:
    """The employee's own objective: the owner, admins, the employee's manager and the employee
    may change it; the report (a colleague) may not."""
    return {"owner": code, "admin": code, "manager": code, "employee": code, "report": 403}


def admins(code: int) -> dict[str, int]:
    return {"owner": code, "admin": code, "manager": 403, "employee": 403, "report": 403}


def none_(w: World) -> dict[str, Any]:
    return {}


OPS = [
    Op("cycles list", "get", lambda w: "cycles/", none_, everyone(200)),
    Op("cycle retrieve", "get", lambda w: f"cycles/{w.okrs.quarter.pk}/", none_, everyone(200)),
    Op(
        "cycle create",
        "post",
        lambda w: "cycles/",
        lambda w: {"name": "Sprint", "start_date": "2026-11-01", "end_date": "2026-11-30"},
        admins(201),
    ),
    Op("generate year", "post", lambda w: "cycles/generate-year/", lambda w: {"start_year": 2030}, admins(201)),
    Op(
        "set state",
        "post",
        lambda w: f"cycles/{w.okrs.quarter.pk}/set-state/",
        lambda w: {"state": "review"},
        admins(200),
    ),
    Op("tree", "get", lambda w: f"cycles/{w.okrs.quarter.pk}/tree/", none_, everyone(200)),
    Op("export", "get", lambda w: f"cycles/{w.okrs.quarter.pk}/export/", none_, everyone(200)),
    Op("objectives list", "get", lambda w: "objectives/", none_, everyone(200)),
    Op("objective retrieve", "get", lambda w: f"objectives/{w.okrs.individual.pk}/", none_, everyone(200)),
    Op(
        "private objective retrieve",
        "get",
        lambda w: f"objectives/{w.okrs.private.pk}/",
        none_,
        {**everyone(200), "report": 404},
    ),
    Op(
        "objective create (own)",
        "post",
        lambda w: "objectives/",
        lambda w: {"cycle": w.okrs.quarter.pk, "title": "Learn Rust"},
        everyone(201),
    ),
    Op(
        "objective patch",
        "patch",
        lambda w: f"objectives/{w.okrs.individual.pk}/",
        lambda w: {"title": "Renamed"},
        editors(200),
    ),
    Op(
        "private objective patch",
        "patch",
        lambda w: f"objectives/{w.okrs.private.pk}/",
        lambda w: {"title": "Renamed"},
        {**everyone(200), "report": 404},
    ),
    Op("objective delete", "delete", lambda w: f"objectives/{w.okrs.individual.pk}/", none_, editors(204)),
    Op(
        "objective reflect",
        "post",
        lambda w: f"objectives/{w.okrs.individual.pk}/reflect/",
        lambda w: {"reflection": "Learned a lot"},
        editors(200),
    ),
    Op("key results list", "get", lambda w: "key-results/", none_, everyone(200)),
    Op("key result retrieve", "get", lambda w: f"key-results/{w.okrs.individual_kr.pk}/", none_, everyone(200)),
    Op(
        "key result create",
        "post",
        lambda w: "key-results/",
        lambda w: {"objective": w.okrs.individual.pk, "title": "Docs", "target_value": 10},
        editors(201),
    ),
    Op(
        "key result patch",
        "patch",
        lambda w: f"key-results/{w.okrs.individual_kr.pk}/",
        lambda w: {"target_value": 200},
        editors(200),
    ),
    Op("key result delete", "delete", lambda w: f"key-results/{w.okrs.individual_kr.pk}/", none_, editors(204)),
    Op(
        "key result score (cycle active)",
        "post",
        lambda w: f"key-results/{w.okrs.individual_kr.pk}/score/",
        lambda w: {"score": "0.4"},
        editors(400),
    ),
    Op("alignments list", "get", lambda w: "alignments/", none_, everyone(200)),
    Op("alignment retrieve", "get", lambda w: f"alignments/{w.okrs.alignment.pk}/", none_, everyone(200)),
    Op(
        "alignment create",
        "post",
        lambda w: "alignments/",
        lambda w: {"child": w.okrs.individual.pk, "parent_objective": w.okrs.company.pk},
        editors(201),
    ),
    Op(
        "alignment delete (the manager's team objective)",
        "delete",
        lambda w: f"alignments/{w.okrs.alignment.pk}/",
        none_,
        {"owner": 204, "admin": 204, "manager": 204, "employee": 403, "report": 403},
    ),
    Op("progress updates list", "get", lambda w: "progress-updates/", none_, everyone(200)),
    Op("progress update retrieve", "get", lambda w: f"progress-updates/{w.okrs.update.pk}/", none_, everyone(200)),
    Op(
        "progress update create",
        "post",
        lambda w: "progress-updates/",
        lambda w: {"key_result": w.okrs.individual_kr.pk, "value": "55", "confidence": "at_risk"},
        editors(201),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_every_operation_by_role(op: Op, role: str, a: World, o: OkrWorld) -> None:
    client = login(Client(), getattr(a, role))
    response = send(client, op.method, api(a, op.path(a)), op.body(a))
    assert response.status_code == op.expected[role], (op.name, role, response.content[:300])


def test_outsiders_get_404_or_401(a: World, o: OkrWorld, stranger: Any) -> None:
    assert send(login(Client(), stranger), "get", api(a, "objectives/")).status_code == 404
    assert Client().get(api(a, "objectives/")).status_code in (401, 403)


# ---------------------------------------------------------------- visibility


def test_private_objective_is_invisible_to_a_colleague_everywhere(a: World, o: OkrWorld) -> None:
    colleague = login(Client(), a.report)
    manager = login(Client(), a.manager)
    assert o.private.pk not in ids(colleague.get(api(a, "objectives/")))
    assert o.private.pk in ids(manager.get(api(a, "objectives/")))
    assert o.private.pk not in ids(colleague.get(api(a, "objectives/"), {"search": "private"}))
    for method, path in [
        ("get", f"objectives/{o.private.pk}/"),
        ("patch", f"objectives/{o.private.pk}/"),
        ("delete", f"objectives/{o.private.pk}/"),
        ("post", f"objectives/{o.private.pk}/reflect/"),
    ]:
        assert send(colleague, method, api(a, path), {"reflection": "x"}).status_code == 404, (method, path)

    def tree_ids(nodes: list[dict[str, Any]]) -> set[int]:
        return {n["id"] for n in nodes} | {i for n in nodes for i in tree_ids(n["children"])}

    assert o.private.pk not in tree_ids(colleague.get(api(a, f"cycles/{o.quarter.pk}/tree/")).json()["roots"])
    assert o.private.pk in tree_ids(manager.get(api(a, f"cycles/{o.quarter.pk}/tree/")).json()["roots"])
    assert o.private.title not in colleague.get(api(a, f"cycles/{o.quarter.pk}/export/")).getvalue().decode()
    assert o.private.title in manager.get(api(a, f"cycles/{o.quarter.pk}/export/")).getvalue().decode()


def test_key_results_and_updates_of_a_private_objective_are_invisible(a: World, o: OkrWorld) -> None:
    manager = login(Client(), a.manager)
    created = send(
        manager, "post", api(a, "key-results/"), {"objective": o.private.pk, "title": "Read", "target_value": 5}
    )
    assert created.status_code == 201, created.content
    kr_id = created.json()["id"]
    update = send(manager, "post", api(a, "progress-updates/"), {"key_result": kr_id, "value": "2"})
    assert update.status_code == 201, update.content
    colleague = login(Client(), a.report)
    assert colleague.get(api(a, f"key-results/{kr_id}/")).status_code == 404
    assert kr_id not in ids(colleague.get(api(a, "key-results/")))
    assert colleague.get(api(a, f"progress-updates/{update.json()['id']}/")).status_code == 404
    assert update.json()["id"] not in ids(colleague.get(api(a, "progress-updates/")))


def test_an_invisible_id_in_a_body_is_refused_like_a_foreign_one(a: World, o: OkrWorld) -> None:
    colleague = login(Client(), a.report)
    mine = send(colleague, "post", api(a, "objectives/"), {"cycle": o.quarter.pk, "title": "Mine"}).json()["id"]
    for path, body, field in [
        ("key-results/", {"objective": o.private.pk, "title": "X", "target_value": 3}, "objective"),
        ("alignments/", {"child": mine, "parent_objective": o.private.pk}, "parent_objective"),
        ("alignments/", {"child": o.private.pk, "parent_objective": o.company.pk}, "child"),
    ]:
        response = send(colleague, "post", api(a, path), body)
        assert response.status_code == 400, response.content
        assert "No such object" in str(response.json()[field])


def test_alignments_to_an_invisible_parent_are_not_listed(a: World, o: OkrWorld) -> None:
    manager = login(Client(), a.manager)
    child = send(manager, "post", api(a, "objectives/"), {"cycle": o.quarter.pk, "title": "Coach"}).json()["id"]
    link = send(manager, "post", api(a, "alignments/"), {"child": child, "parent_objective": o.private.pk})
    assert link.status_code == 201, link.content
    colleague = login(Client(), a.report)
    assert link.json()["id"] not in ids(colleague.get(api(a, "alignments/")))
    assert colleague.get(api(a, f"alignments/{link.json()['id']}/")).status_code == 404


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("objectives/", {"cycle": "{quarter}", "title": "  "}, "title"),
        ("objectives/", {"cycle": "{quarter}", "title": "X", "level": "galaxy"}, "level"),
        ("objectives/", {"cycle": "{quarter}", "title": "X", "visibility": "secret"}, "visibility"),
        ("objectives/", {"title": "X"}, "cycle"),
        ("objectives/", {"cycle": "abc", "title": "X"}, "cycle"),
        ("objectives/", {"cycle": 999999, "title": "X"}, "cycle"),
        ("objectives/", {"cycle": "{quarter}", "title": "X", "owner": "{manager}"}, "owner"),
        (
            "key-results/",
            {"objective": "{individual}", "title": "X", "start_value": 5, "target_value": 5},
            "target_value",
        ),
        ("key-results/", {"objective": "{individual}", "title": "X", "weight": -1}, "weight"),
        ("key-results/", {"objective": "{individual}", "title": "X", "target_value": "lots"}, "target_value"),
        ("key-results/", {"objective": "{individual}", "title": "X", "kind": "vibes"}, "kind"),
        (
            "key-results/",
            {"objective": "{individual}", "title": "X", "kind": "currency", "target_value": 9},
            "currency",
        ),
        ("key-results/", {"objective": "{individual}", "title": "X", "kind": "milestones"}, "milestones"),
        ("progress-updates/", {"key_result": "{individual_kr}", "value": "abc"}, "value"),
        ("progress-updates/", {"key_result": "{individual_kr}"}, "value"),
        ("progress-updates/", {"key_result": "{individual_kr}", "value": 5, "confidence": "great"}, "confidence"),
        ("progress-updates/", {"key_result": "{individual_kr}", "value": 5, "note": "x" * 2001}, "note"),
        ("progress-updates/", {"key_result": "{company_kr}", "value": 5}, "value"),
        ("alignments/", {"child": "{individual}"}, "parent"),
        ("alignments/", {"child": "{team}", "parent_objective": "{individual}"}, "parent"),  # a loop
        ("alignments/", {"child": "{individual}", "parent_objective": "{team}", "weight": -2}, "weight"),
    ],
)
def test_bad_input_is_a_400_with_a_message_on_the_field(
    path: str, body: dict[str, Any], field: str, a: World, o: OkrWorld
) -> None:
    names = {
        "{quarter}": o.quarter.pk,
        "{individual}": o.individual.pk,
        "{individual_kr}": o.individual_kr.pk,
        "{company_kr}": o.company_kr.pk,
        "{team}": o.team.pk,
        "{manager}": a.manager.pk,
    }
    filled = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = _snapshot(a)
    # The owner where the employee would be refused for another reason (403) first.
    actor = a.owner if path == "alignments/" or body.get("key_result") == "{company_kr}" else a.employee
    response = send(login(Client(), actor), "post", api(a, path), filled)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert _snapshot(a) == before


def _snapshot(w: World) -> tuple[int, int, int, int]:
    with w.tenant():
        return (
            Objective.objects.count(),
            KeyResult.objects.count(),
            Alignment.objects.count(),
            ProgressUpdate.objects.count(),
        )


def test_duplicates_are_conflicts(a: World, o: OkrWorld) -> None:
    admin = login(Client(), a.admin)
    first = send(admin, "post", api(a, "cycles/generate-year/"), {"start_year": 2031})
    assert first.status_code == 201
    assert [c["kind"] for c in first.json()] == ["year", "quarter", "quarter", "quarter", "quarter"]
    again = send(admin, "post", api(a, "cycles/generate-year/"), {"start_year": 2031})
    assert again.status_code == 409
    assert "already exists" in again.json()["start_year"][0]
    link = send(admin, "post", api(a, "alignments/"), {"child": o.team.pk, "parent_key_result": o.company_kr.pk})
    assert link.status_code == 409
    assert "parent" in link.json()


def test_set_state_pins_the_cycle_and_closing_blocks_employees(a: World, o: OkrWorld) -> None:
    admin = login(Client(), a.admin)
    response = send(admin, "post", api(a, f"cycles/{o.quarter.pk}/set-state/"), {"state": "closed"})
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    assert response.json()["state_pinned"] is True
    assert send(admin, "post", api(a, f"cycles/{o.quarter.pk}/set-state/"), {"state": "x"}).status_code == 400
    employee = login(Client(), a.employee)
    blocked = send(employee, "patch", api(a, f"objectives/{o.individual.pk}/"), {"title": "Late edit"})
    assert blocked.status_code == 403
    assert "closed" in blocked.json()["detail"]


# ---------------------------------------------------------------- append-only progress updates


def test_progress_updates_are_append_only(a: World, o: OkrWorld) -> None:
    owner = login(Client(), a.owner)
    url = api(a, f"progress-updates/{o.update.pk}/")
    for method in ("put", "patch", "delete"):
        assert send(owner, method, url, {"value": "1"}).status_code == 405, method
    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    assert "/progress-updates/{id}/" in schema
    from tests.kit.isolation import api_operations

    methods = {m for path, m in api_operations() if path.endswith("/progress-updates/{id}/")}
    assert methods == {"get"}
    with a.tenant():
        assert ProgressUpdate.objects.get(pk=o.update.pk).value == Decimal(40)


def test_a_progress_update_rolls_up_and_is_listed_per_key_result(a: World, o: OkrWorld) -> None:
    employee = login(Client(), a.employee)
    response = send(
        employee,
        "post",
        api(a, "progress-updates/"),
        {"key_result": o.individual_kr.pk, "value": "70", "confidence": "at_risk", "note": "demo went well"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["progress"] == "0.700000"
    assert body["author"] == a.employee.pk
    listed = employee.get(api(a, "progress-updates/"), {"key_result": o.individual_kr.pk}).json()
    assert [u["note"] for u in listed["results"]] == ["demo went well", "started"]
    objective = employee.get(api(a, f"objectives/{o.individual.pk}/")).json()
    assert objective["progress"] == "0.700000"
    assert objective["key_results"][0]["confidence"] == "at_risk"


def test_milestone_key_result_and_its_updates(a: World, o: OkrWorld) -> None:
    employee = login(Client(), a.employee)
    created = send(
        employee,
        "post",
        api(a, "key-results/"),
        {"objective": o.individual.pk, "title": "Launch", "kind": "milestones", "milestone_titles": ["Beta", "GA"]},
    )
    assert created.status_code == 201, created.content
    milestones = created.json()["milestones"]
    assert [m["title"] for m in milestones] == ["Beta", "GA"]
    update = send(
        employee,
        "post",
        api(a, "progress-updates/"),
        {"key_result": created.json()["id"], "milestones_done": [milestones[0]["id"]]},
    )
    assert update.status_code == 201, update.content
    assert update.json()["progress"] == "0.500000"
    renamed = send(employee, "patch", api(a, f"key-results/{created.json()['id']}/"), {"title": "Launch v2"})
    assert renamed.status_code == 200, renamed.content
    assert [m["title"] for m in renamed.json()["milestones"]] == ["Beta", "GA"]


def test_key_result_cannot_move_to_another_objective(a: World, o: OkrWorld) -> None:
    response = send(
        login(Client(), a.owner), "patch", api(a, f"key-results/{o.individual_kr.pk}/"), {"objective": o.team.pk}
    )
    assert response.status_code == 400
    assert "objective" in response.json()


# ---------------------------------------------------------------- lists: pagination and filters


def test_objectives_list_is_paginated(a: World, o: OkrWorld) -> None:
    body = login(Client(), a.owner).get(api(a, "objectives/"), {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"]
    assert body["previous"]


def test_objective_filters(a: World, o: OkrWorld) -> None:
    owner = login(Client(), a.owner)
    year_objective = ObjectiveFactory(cycle=o.year, owner=a.owner, title="Year goal", level="company")
    url = api(a, "objectives/")
    assert ids(owner.get(url, {"cycle": o.year.pk})) == {year_objective.pk}
    assert ids(owner.get(url, {"cycle": o.quarter.pk})) == {
        o.company.pk,
        o.department.pk,
        o.team.pk,
        o.individual.pk,
        o.private.pk,
    }
    assert ids(owner.get(url, {"owner": a.employee.pk})) == {o.individual.pk, o.private.pk}
    assert ids(login(Client(), a.employee).get(url, {"owner": "me"})) == {o.individual.pk, o.private.pk}
    assert ids(owner.get(url, {"team": a.team.pk})) == {o.team.pk, o.individual.pk}
    assert ids(owner.get(url, {"level": "department"})) == {o.department.pk}
    assert ids(owner.get(url, {"search": "SHIP THE"})) == {o.individual.pk}
    # A malformed filter is a 400 naming it (issue 6, item 3), never a silent empty list or a 500.
    malformed = owner.get(url, {"team": "abc", "level": "galaxy"})
    assert malformed.status_code == 400
    assert set(malformed.json()) == {"team", "level"}
    assert "status" in owner.get(url, {"status": "nonsense"}).json()


def test_status_filter_matches_the_status_shown(a: World, o: OkrWorld) -> None:
    """Half way through the quarter (expected 0.5): on track from 0.4, at risk from 0.2."""
    owner = login(Client(), a.owner)
    employee = login(Client(), a.employee)
    url = api(a, "objectives/")

    def by_status(status: str) -> set[int]:
        return ids(owner.get(url, {"status": status, "cycle": o.quarter.pk}))

    def shown() -> dict[int, str]:
        return {x["id"]: x["status"] for x in owner.get(url, {"cycle": o.quarter.pk}).json()["results"]}

    def update(value: str, confidence: str = "") -> None:
        body = {"key_result": o.individual_kr.pk, "value": value, "confidence": confidence}
        assert send(employee, "post", api(a, "progress-updates/"), body).status_code == 201

    assert shown()[o.individual.pk] == "on_track"  # 0.4, confident
    for value, confidence, expected in [
        ("30", "", "at_risk"),  # pace at risk; the last confidence (on track) stays
        ("10", "", "off_track"),  # pace off track
        ("90", "at_risk", "at_risk"),  # pace on track, but the owner says at risk
        ("35", "off_track", "off_track"),
        ("50", "on_track", "on_track"),
    ]:
        update(value, confidence)
        statuses = shown()
        assert statuses[o.individual.pk] == expected, (value, confidence)
        for status in ("on_track", "at_risk", "off_track"):
            assert by_status(status) == {pk for pk, s in statuses.items() if s == status}, (value, status)


def test_alignment_list_by_child_or_parent(a: World, o: OkrWorld) -> None:
    owner = login(Client(), a.owner)
    url = api(a, "alignments/")
    by_child = owner.get(url, {"child": o.team.pk}).json()["results"]
    assert [(x["parent_objective"], x["parent_key_result"]) for x in by_child] == [(None, o.company_kr.pk)]
    assert len(owner.get(url, {"parent_objective": o.team.pk}).json()["results"]) == 1
    assert [x["child"] for x in owner.get(url, {"parent_key_result": o.company_kr.pk}).json()["results"]] == [o.team.pk]


def test_key_results_filtered_by_objective(a: World, o: OkrWorld) -> None:
    results = login(Client(), a.owner).get(api(a, "key-results/"), {"objective": o.individual.pk}).json()["results"]
    assert [kr["id"] for kr in results] == [o.individual_kr.pk]
    assert results[0]["status"] == "on_track"


# ---------------------------------------------------------------- objectives: create, edit, delete


def test_objective_create_patch_delete_round(a: World, o: OkrWorld) -> None:
    manager = login(Client(), a.manager)
    created = send(
        manager,
        "post",
        api(a, "objectives/"),
        {
            "cycle": o.quarter.pk,
            "title": "Hire two engineers",
            "level": "team",
            "team": a.team.pk,
            "owner": a.employee.pk,
            "contributors": [a.report.pk],
            "tags": ["Hiring", "hiring", " growth "],
            "visibility": "team",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"] == a.employee.pk
    assert body["contributors"] == [a.report.pk]
    assert body["tags"] == ["hiring", "growth"]
    assert body["key_results"] == []
    # The contributor may now edit it.
    patched = send(login(Client(), a.report), "patch", api(a, f"objectives/{body['id']}/"), {"description": "Two"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Hire two engineers"
    assert patched.json()["contributors"] == [a.report.pk]
    assert send(manager, "delete", api(a, f"objectives/{body['id']}/")).status_code == 204
    with a.tenant():
        assert not Objective.objects.filter(pk=body["id"]).exists()


def test_progress_source_change_and_delete_roll_up(a: World, o: OkrWorld) -> None:
    manager = login(Client(), a.manager)
    team_url = api(a, f"objectives/{o.team.pk}/")
    assert manager.get(team_url).json()["progress"] == "0.000000"  # no key results of its own
    switched = send(manager, "patch", team_url, {"progress_source": "aligned_children"})
    assert switched.status_code == 200, switched.content
    assert switched.json()["progress"] == "0.400000"  # the individual objective aligned to it
    company_kr = manager.get(api(a, f"key-results/{o.company_kr.pk}/")).json()
    assert company_kr["progress"] == "0.400000"  # and up through the key result it supports
    assert send(manager, "delete", api(a, f"objectives/{o.individual.pk}/")).status_code == 204
    assert manager.get(team_url).json()["progress"] == "0.000000"
    assert manager.get(api(a, f"key-results/{o.company_kr.pk}/")).json()["progress"] == "0.000000"


# ---------------------------------------------------------------- close: scores and reflection


def test_scores_and_reflection_in_review(a: World, o: OkrWorld) -> None:
    assert (
        send(
            login(Client(), a.admin), "post", api(a, f"cycles/{o.quarter.pk}/set-state/"), {"state": "review"}
        ).status_code
        == 200
    )
    employee = login(Client(), a.employee)
    url = api(a, f"key-results/{o.individual_kr.pk}/score/")
    default = send(employee, "post", url, {"score": "0.4"})
    assert default.status_code == 200, default.content
    assert default.json()["score"] == "0.400"
    no_note = send(employee, "post", url, {"score": "0.7"})
    assert no_note.status_code == 400
    assert "score_note" in no_note.json()
    assert send(employee, "post", url, {"score": "1.5", "note": "x"}).status_code == 400
    adjusted = send(employee, "post", url, {"score": "0.7", "note": "Signed a day late"})
    assert adjusted.status_code == 200
    assert adjusted.json()["score_note"] == "Signed a day late"
    objective = employee.get(api(a, f"objectives/{o.individual.pk}/")).json()
    assert objective["score"] == "0.700"
    reflected = send(employee, "post", api(a, f"objectives/{o.individual.pk}/reflect/"), {"reflection": " Cut scope. "})
    assert reflected.status_code == 200
    assert reflected.json()["reflection"] == "Cut scope."


# ---------------------------------------------------------------- tree


def test_tree_nests_objectives_under_their_parents(a: World, o: OkrWorld) -> None:
    # Three levels: deeper than the default (two), which the next test checks.
    body = login(Client(), a.report).get(api(a, f"cycles/{o.quarter.pk}/tree/"), {"depth": 3}).json()
    assert body["cycle"]["id"] == o.quarter.pk
    assert body["expected_progress"] == "0.500000"
    roots = {n["title"]: n for n in body["roots"]}
    assert set(roots) == {o.company.title}  # the private one is hidden from the colleague
    company = roots[o.company.title]
    children = {n["title"]: n for n in company["children"]}
    assert set(children) == {o.department.title, o.team.title}
    assert children[o.team.title]["via_key_result"] == o.company_kr.pk
    assert children[o.department.title]["via_key_result"] is None
    individual = children[o.team.title]["children"][0]
    assert individual["id"] == o.individual.pk
    assert individual["progress"] == "0.400000"
    assert individual["status"] == "on_track"
    assert individual["key_results"] == [
        {"id": o.individual_kr.pk, "title": o.individual_kr.title, "progress": "0.400000", "status": "on_track"}
    ]
    assert company["key_results"][0]["id"] == o.company_kr.pk


def test_tree_goes_depth_levels_down_and_counts_the_children_below(a: World, o: OkrWorld) -> None:
    client = login(Client(), a.report)
    body = client.get(api(a, f"cycles/{o.quarter.pk}/tree/")).json()  # the default: two levels
    company = body["roots"][0]
    assert company["child_count"] == 2
    team = next(n for n in company["children"] if n["id"] == o.team.pk)
    assert team["children"] == []
    assert team["child_count"] == 1  # the individual objective, one level further
    roots_only = client.get(api(a, f"cycles/{o.quarter.pk}/tree/"), {"depth": 1}).json()
    assert roots_only["roots"][0]["children"] == []
    for bad in ({"depth": 0}, {"depth": 13}, {"depth": "x"}, {"limit": 0}, {"offset": -1}):
        response = client.get(api(a, f"cycles/{o.quarter.pk}/tree/"), bad)
        assert response.status_code == 400, bad
        assert set(bad) <= set(response.json()), bad


def test_tree_pages_its_roots_by_limit_and_offset(a: World, o: OkrWorld) -> None:
    client = login(Client(), a.owner)  # sees the private objective: two roots
    first = client.get(api(a, f"cycles/{o.quarter.pk}/tree/"), {"limit": 1}).json()
    assert first["count"] == 2
    assert [n["id"] for n in first["roots"]] == [o.company.pk]  # company level first
    assert first["previous"] is None
    assert first["next"] is not None
    assert "offset=1" in first["next"]
    second = client.get(first["next"]).json()
    assert [n["id"] for n in second["roots"]] == [o.private.pk]
    assert second["next"] is None
    assert second["previous"] is not None


def test_tree_filters_make_orphans_roots(a: World, o: OkrWorld) -> None:
    body = login(Client(), a.owner).get(api(a, f"cycles/{o.quarter.pk}/tree/"), {"level": "individual"}).json()
    assert {n["id"] for n in body["roots"]} == {o.individual.pk, o.private.pk}


def test_export_endpoint_returns_csv(a: World, o: OkrWorld) -> None:
    response = login(Client(), a.owner).get(api(a, f"cycles/{o.quarter.pk}/export/"), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("objective title,level,kind,owner email")
    assert o.individual_kr.title in text


# ---------------------------------------------------------------- schema


def test_schema_documents_the_okr_api_with_examples(client: Client, db: None) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    create = paths["/api/v1/orgs/{org_slug}/objectives/"]["post"]
    assert "examples" in create["requestBody"]["content"]["application/json"]
    params = {p["name"] for p in paths["/api/v1/orgs/{org_slug}/objectives/"]["get"]["parameters"]}
    assert {"cycle", "owner", "team", "level", "status", "search", "limit", "offset"} <= params
    tree = paths["/api/v1/orgs/{org_slug}/cycles/{id}/tree/"]["get"]
    assert "examples" in tree["responses"]["200"]["content"]["application/json"]
    assert "text/csv" in paths["/api/v1/orgs/{org_slug}/cycles/{id}/export/"]["get"]["responses"]["200"]["content"]
    assert "409" in paths["/api/v1/orgs/{org_slug}/alignments/"]["post"]["responses"]


def test_cycle_create_custom_by_admin(a: World, o: OkrWorld) -> None:
    admin = login(Client(), a.admin)
    created = send(
        admin,
        "post",
        api(a, "cycles/"),
        {"name": "Launch sprint", "start_date": "2026-11-01", "end_date": "2026-11-30"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == CycleKind.CUSTOM
    assert created.json()["state"] == "active"
    backwards = send(
        admin, "post", api(a, "cycles/"), {"name": "X", "start_date": "2026-11-30", "end_date": "2026-11-01"}
    )
    assert backwards.status_code == 400
    assert "end_date" in backwards.json()
