"""Sweep cases for the employees' OKR pages (okrs/urls_work.py). Ids come from ``w.okrs``
(tests.okrs.worlds.OkrWorld)."""

from __future__ import annotations

from typing import Any

from okrs.models import Contributor
from tests.conftest import World
from tests.organisations.isolation_types import BodyCase, Case


def _objective(w: World) -> dict[str, Any]:
    return {"objective_id": w.okrs.individual.pk}


def _key_result(w: World) -> dict[str, Any]:
    return {"key_result_id": w.okrs.individual_kr.pk}


HTML_CASES: list[Case] = [
    Case("okrs"),
    Case("objective_create", methods=("get", "post")),
    Case("objective_detail", _objective),
    Case("objective_edit", _objective, ("get", "post")),
    Case("objective_delete", _objective, ("post",)),
    Case("objective_reflect", _objective, ("post",)),
    Case("key_result_create", _objective, ("get", "post")),
    Case("alignment_add", _objective, ("get", "post")),
    Case("alignment_search", _objective),
    Case("key_result_edit", _key_result, ("get", "post")),
    Case("key_result_delete", _key_result, ("post",)),
    Case("key_result_progress", _key_result, ("get", "post")),
    Case("key_result_score", _key_result, ("post",)),
    Case("alignment_delete", lambda w: {"alignment_id": w.okrs.alignment.pk}, ("post",)),
]


def _unchanged(a: World, b: World) -> tuple[Any, ...]:
    from tests.okrs.sweep_cases import fingerprint  # sweep_cases imports this module

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

HTML_BODY_CASES: list[BodyCase] = [
    *(BodyCase("objective_create", lambda w: {}, body, _unchanged) for body in _OBJECTIVE_FOREIGN.values()),
    *(BodyCase("objective_edit", _objective, body, _unchanged) for body in _OBJECTIVE_FOREIGN.values()),
    BodyCase("key_result_create", _objective, _key_result_body, _unchanged),
    BodyCase("key_result_edit", _key_result, _key_result_body, _unchanged),
    BodyCase(
        "alignment_add",
        _objective,
        lambda a, b: {"parent": f"objective:{a.okrs.company.pk}", "weight": "1", "counts_toward_progress": "on"},
        _unchanged,
    ),
    BodyCase(
        "alignment_add",
        _objective,
        lambda a, b: {"parent": f"key_result:{a.okrs.company_kr.pk}", "weight": "1", "counts_toward_progress": "on"},
        _unchanged,
    ),
]
