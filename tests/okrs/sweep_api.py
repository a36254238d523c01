"""Sweep cases for the OKR API (okrs/api.py) and the CSV pages (okrs/urls_csv.py):
(path template, method) → ids of world a."""

from __future__ import annotations

from typing import Any

from okrs.models import Objective
from tests.conftest import World
from tests.organisations.isolation_types import ApiBodyCase, BodyCase, Case, Ids, no_ids


def _import_unchanged(a: World, b: World) -> Any:
    with b.tenant():
        return Objective.objects.count()


#: The CSV import/export pages (okrs/urls_csv.py).
HTML_CASES: list[Case] = [
    Case("okr_csv_export"),
    Case("okr_csv_import", methods=("get", "post")),
]
HTML_BODY_CASES: list[BodyCase] = [
    # a's cycle as the import target: not one of b's choices.
    BodyCase("okr_csv_import", no_ids, lambda a, b: {"cycle": a.okrs.quarter.pk}, _import_unchanged),
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
    (f"{P}/alignments/{{id}}/", "delete"): ALIGNMENT,
    (f"{P}/progress-updates/", "get"): no_ids,
    (f"{P}/progress-updates/", "post"): no_ids,
    (f"{P}/progress-updates/{{id}}/", "get"): UPDATE,
}

API_BODY_CASES: list[ApiBodyCase] = [
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
