"""The isolation sweep's cases for the OKR pages and API (discovered by tests.kit.isolation).
Ids come from ``w.okrs`` (tests.okrs.worlds.OkrWorld, built by ``build``)."""

from __future__ import annotations

from typing import Any

from okrs.models import Alignment, Contributor, Cycle, KeyResult, Objective, ProgressUpdate
from tests.conftest import World
from tests.kit.sweep_types import ApiBodyCase, BodyCase, Case, Ids, no_ids
from tests.okrs.worlds import OkrWorld, build_okrs


def build(w: World) -> OkrWorld:
    return build_okrs(w)


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(Cycle.objects.values_list("id", "name", "state", "start_date")),
            sorted(
                Objective.objects.values_list(
                    "id", "title", "visibility", "progress", "owner_id", "reflection", "score", "approval_state"
                )
            ),
            sorted(KeyResult.objects.values_list("id", "title", "current_value", "progress", "weight", "score")),
            sorted(
                Alignment.objects.values_list("id", "child_id", "parent_objective_id", "parent_key_result_id", "weight")
            ),
            ProgressUpdate.objects.count(),
        )


# ---------------------------------------------------------------- objectives, key results, alignment


def _objective(w: World) -> dict[str, Any]:
    return {"objective_id": w.okrs.individual.pk}


def _key_result(w: World) -> dict[str, Any]:
    return {"key_result_id": w.okrs.individual_kr.pk}


_WORK_CASES: list[Case] = [
    Case("okrs:my_okrs"),
    Case("okrs:objective_create", methods=("get", "post")),
    Case("okrs:objective_detail", _objective),
    Case("okrs:objective_edit", _objective, ("get", "post")),
    Case("okrs:objective_delete", _objective, ("post",)),
    Case("okrs:objective_reflect", _objective, ("post",)),
    Case("okrs:objective_review", _objective, ("post",)),
    Case("okrs:key_result_create", _objective, ("get", "post")),
    Case("okrs:alignment_add", _objective, ("get", "post")),
    Case("okrs:alignment_search", _objective),
    Case("okrs:key_result_edit", _key_result, ("get", "post")),
    Case("okrs:key_result_delete", _key_result, ("post",)),
    Case("okrs:key_result_progress", _key_result, ("get", "post")),
    Case("okrs:key_result_score", _key_result, ("post",)),
    Case("okrs:alignment_delete", lambda w: {"alignment_id": w.okrs.alignment.pk}, ("post",)),
    Case("okrs:alignment_weight", lambda w: {"alignment_id": w.okrs.alignment.pk}, ("post",)),
]


def _unchanged(a: World, b: World) -> tuple[Any, ...]:
    with b.tenant():
        contributors = sorted(Contributor.objects.values_list("objective_id", "membership_id"))
    return (fingerprint(b), contributors)


def _objective_body(a: World, b: World, **foreign: Any) -> dict[str, Any]:
    """A valid objective form for b, but for the foreign ids in ``foreign``."""
    return {
        "title": "Probe",
        "cycle": b.okrs.quarter.pk,
        "owner": b.owner.pk,
        "level": "individual",
        "kind": "standard",
        "team": b.team.pk,
        "visibility": "organisation",
        "progress_source": "key_results",
        "tags": "",
        **foreign,
    }


def _key_result_body(a: World, b: World) -> dict[str, Any]:
    return {
        "title": "Probe",
        "kind": "number",
        "start_value": "0",
        "target_value": "10",
        "weight": "1",
        "owner": a.employee.pk,
        "progress_source": "manual",
    }


_OBJECTIVE_FOREIGN = {
    "cycle": lambda a, b: _objective_body(a, b, cycle=a.okrs.quarter.pk),
    "owner": lambda a, b: _objective_body(a, b, owner=a.employee.pk),
    "team": lambda a, b: _objective_body(a, b, team=a.team.pk),
    "contributors": lambda a, b: _objective_body(a, b, contributors=[a.report.pk]),
}

_WORK_BODIES: list[BodyCase] = [
    *(BodyCase("okrs:objective_create", lambda w: {}, body, _unchanged) for body in _OBJECTIVE_FOREIGN.values()),
    *(BodyCase("okrs:objective_edit", _objective, body, _unchanged) for body in _OBJECTIVE_FOREIGN.values()),
    BodyCase("okrs:key_result_create", _objective, _key_result_body, _unchanged),
    BodyCase("okrs:key_result_edit", _key_result, _key_result_body, _unchanged),
    BodyCase(
        "okrs:alignment_add",
        _objective,
        lambda a, b: {"parent": f"objective:{a.okrs.company.pk}", "weight": "1", "counts_toward_progress": "on"},
        _unchanged,
    ),
    BodyCase(
        "okrs:alignment_add",
        _objective,
        lambda a, b: {"parent": f"key_result:{a.okrs.company_kr.pk}", "weight": "1", "counts_toward_progress": "on"},
        _unchanged,
    ),
]


# ---------------------------------------------------------------- tree, team, cycles, adoption

_MANAGE_CASES: list[Case] = [
    Case("okrs:tree"),
    Case("okrs:tree_children"),
    Case("okrs:team"),
    Case("okrs:team_person"),
    Case("okrs:alignment_map"),
    Case("okrs:alignment_map_more", lambda w: {}, ("get",)),
    Case("okrs:ask_to_align", lambda w: {"key_result_id": w.okrs.company_kr.pk}, ("get", "post")),
    Case("okrs:cycles", methods=("get", "post")),
    Case("okrs:cycle_state", lambda w: {"cycle_id": w.okrs.quarter.pk}, ("post",)),
    Case("okrs:cycle_delete", lambda w: {"cycle_id": w.okrs.quarter.pk}, ("post",)),
    Case("okrs:close_summary"),
    Case("okrs:close_remind", lambda w: {"cycle_id": w.okrs.quarter.pk}, ("post",)),
    Case("okrs:carry_over", methods=("get", "post")),
    Case("okrs:adoption"),
]


def _b_okrs(a: World, b: World) -> Any:
    return fingerprint(b)


def _b_notifications(a: World, b: World) -> Any:
    from notifications.models import Notification

    with a.tenant():
        in_a = Notification.objects.count()
    with b.tenant():
        return (in_a, Notification.objects.count())


_MANAGE_BODIES: list[BodyCase] = [
    # b's owner asks a's member to align to b's key result: not one of b's members.
    BodyCase(
        "okrs:ask_to_align",
        lambda w: {"key_result_id": w.okrs.company_kr.pk},
        lambda a, b: {"member": a.employee.pk},
        _b_notifications,
    ),
    # b's owner names a's cycles as source or target: refused as an unknown choice, nothing copied.
    BodyCase(
        "okrs:carry_over",
        no_ids,
        lambda a, b: {"source": a.okrs.quarter.pk, "target": b.okrs.year.pk},
        _b_okrs,
    ),
    BodyCase(
        "okrs:carry_over",
        no_ids,
        lambda a, b: {"source": b.okrs.quarter.pk, "target": a.okrs.year.pk},
        _b_okrs,
    ),
]


# ---------------------------------------------------------------- CSV pages and the API


def _import_unchanged(a: World, b: World) -> Any:
    with b.tenant():
        return Objective.objects.count()


_CSV_CASES: list[Case] = [
    Case("okrs:csv_export"),
    Case("okrs:csv_import", methods=("get", "post")),
]
_CSV_BODIES: list[BodyCase] = [
    # a's cycle as the import target: not one of b's choices.
    BodyCase("okrs:csv_import", no_ids, lambda a, b: {"cycle": a.okrs.quarter.pk}, _import_unchanged),
]

P = "/api/v1/orgs/{org_slug}"
CYCLE: Ids = lambda w: {"id": w.okrs.quarter.pk}  # noqa: E731
OBJECTIVE: Ids = lambda w: {"id": w.okrs.individual.pk}  # noqa: E731
KEY_RESULT: Ids = lambda w: {"id": w.okrs.individual_kr.pk}  # noqa: E731
ALIGNMENT: Ids = lambda w: {"id": w.okrs.alignment.pk}  # noqa: E731
UPDATE: Ids = lambda w: {"id": w.okrs.update.pk}  # noqa: E731

API_CASES: dict[tuple[str, str], Ids] = {
    (f"{P}/cycles/", "get"): no_ids,
    (f"{P}/cycles/", "post"): no_ids,
    (f"{P}/cycles/generate-year/", "post"): no_ids,
    (f"{P}/cycles/{{id}}/", "get"): CYCLE,
    (f"{P}/cycles/{{id}}/", "delete"): CYCLE,
    (f"{P}/cycles/{{id}}/set-state/", "post"): CYCLE,
    (f"{P}/cycles/{{id}}/tree/", "get"): CYCLE,
    (f"{P}/cycles/{{id}}/export/", "get"): CYCLE,
    (f"{P}/objectives/", "get"): no_ids,
    (f"{P}/objectives/", "post"): no_ids,
    (f"{P}/objectives/{{id}}/", "get"): OBJECTIVE,
    (f"{P}/objectives/{{id}}/", "patch"): OBJECTIVE,
    (f"{P}/objectives/{{id}}/", "delete"): OBJECTIVE,
    (f"{P}/objectives/{{id}}/reflect/", "post"): OBJECTIVE,
    (f"{P}/key-results/", "get"): no_ids,
    (f"{P}/key-results/", "post"): no_ids,
    (f"{P}/key-results/{{id}}/", "get"): KEY_RESULT,
    (f"{P}/key-results/{{id}}/", "patch"): KEY_RESULT,
    (f"{P}/key-results/{{id}}/", "delete"): KEY_RESULT,
    (f"{P}/key-results/{{id}}/score/", "post"): KEY_RESULT,
    (f"{P}/alignments/", "get"): no_ids,
    (f"{P}/alignments/", "post"): no_ids,
    (f"{P}/alignments/{{id}}/", "get"): ALIGNMENT,
    (f"{P}/alignments/{{id}}/", "patch"): ALIGNMENT,
    (f"{P}/alignments/{{id}}/", "delete"): ALIGNMENT,
    (f"{P}/progress-updates/", "get"): no_ids,
    (f"{P}/progress-updates/", "post"): no_ids,
    (f"{P}/progress-updates/{{id}}/", "get"): UPDATE,
    (f"{P}/key-results/{{id}}/ask-to-align/", "post"): lambda w: {"id": w.okrs.company_kr.pk},
    (f"{P}/team-alignment/coverage/", "get"): no_ids,
    (f"{P}/team-alignment/approvals/", "get"): no_ids,
    (f"{P}/objectives/{{id}}/approve/", "post"): OBJECTIVE,
    (f"{P}/objectives/{{id}}/request-changes/", "post"): OBJECTIVE,
    (f"{P}/cycles/{{id}}/unapproved/", "get"): CYCLE,
    (f"{P}/team-alignment/uncovered-key-results/", "get"): no_ids,
}

API_BODY_CASES: list[ApiBodyCase] = [
    (
        f"{P}/key-results/{{id}}/ask-to-align/",
        "post",
        lambda w: {"id": w.okrs.company_kr.pk},
        lambda a, b: {"member": a.employee.pk},
        "member",
    ),
    # (path template, method, ids of b's own object, body with a's ids, field that must carry the error)
    (f"{P}/objectives/", "post", no_ids, lambda a, b: {"title": "X", "cycle": a.okrs.quarter.pk}, "cycle"),
    (
        f"{P}/objectives/",
        "post",
        no_ids,
        lambda a, b: {"title": "X", "cycle": b.okrs.quarter.pk, "owner": a.employee.pk},
        "owner",
    ),
    (
        f"{P}/objectives/",
        "post",
        no_ids,
        lambda a, b: {"title": "X", "cycle": b.okrs.quarter.pk, "team": a.team.pk},
        "team",
    ),
    (
        f"{P}/objectives/",
        "post",
        no_ids,
        lambda a, b: {"title": "X", "cycle": b.okrs.quarter.pk, "contributors": [a.report.pk]},
        "contributors",
    ),
    (f"{P}/objectives/{{id}}/", "patch", OBJECTIVE, lambda a, b: {"cycle": a.okrs.quarter.pk}, "cycle"),
    (f"{P}/objectives/{{id}}/", "patch", OBJECTIVE, lambda a, b: {"owner": a.employee.pk}, "owner"),
    (f"{P}/objectives/{{id}}/", "patch", OBJECTIVE, lambda a, b: {"team": a.team.pk}, "team"),
    (f"{P}/objectives/{{id}}/", "patch", OBJECTIVE, lambda a, b: {"contributors": [a.report.pk]}, "contributors"),
    (
        f"{P}/key-results/",
        "post",
        no_ids,
        lambda a, b: {"title": "X", "objective": a.okrs.individual.pk, "target_value": 10},
        "objective",
    ),
    (
        f"{P}/key-results/",
        "post",
        no_ids,
        lambda a, b: {"title": "X", "objective": b.okrs.individual.pk, "owner": a.employee.pk},
        "owner",
    ),
    (f"{P}/key-results/{{id}}/", "patch", KEY_RESULT, lambda a, b: {"owner": a.employee.pk}, "owner"),
    (f"{P}/key-results/{{id}}/", "patch", KEY_RESULT, lambda a, b: {"objective": a.okrs.team.pk}, "objective"),
    (
        f"{P}/alignments/",
        "post",
        no_ids,
        lambda a, b: {"child": a.okrs.individual.pk, "parent_objective": b.okrs.company.pk},
        "child",
    ),
    (
        f"{P}/alignments/",
        "post",
        no_ids,
        lambda a, b: {"child": b.okrs.private.pk, "parent_objective": a.okrs.company.pk},
        "parent_objective",
    ),
    (
        f"{P}/alignments/",
        "post",
        no_ids,
        lambda a, b: {"child": b.okrs.private.pk, "parent_key_result": a.okrs.company_kr.pk},
        "parent_key_result",
    ),
    (
        f"{P}/progress-updates/",
        "post",
        no_ids,
        lambda a, b: {"key_result": a.okrs.individual_kr.pk, "value": "50"},
        "key_result",
    ),
]


HTML_CASES = [*_WORK_CASES, *_MANAGE_CASES, *_CSV_CASES]
HTML_BODY_CASES = [*_WORK_BODIES, *_MANAGE_BODIES, *_CSV_BODIES]
