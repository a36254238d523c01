"""The OKR routes' entries in the isolation sweep, gathered from the modules that own them."""

from __future__ import annotations

from typing import Any

from okrs.models import Alignment, Cycle, KeyResult, Objective, ProgressUpdate
from tests.conftest import World
from tests.okrs import sweep_api, sweep_manage, sweep_work

HTML_CASES = [*sweep_work.HTML_CASES, *sweep_manage.HTML_CASES, *sweep_api.HTML_CASES]
HTML_BODY_CASES = [*sweep_work.HTML_BODY_CASES, *sweep_manage.HTML_BODY_CASES, *sweep_api.HTML_BODY_CASES]
API_CASES = {**sweep_api.API_CASES}
API_BODY_CASES = [*sweep_api.API_BODY_CASES]


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(Cycle.objects.values_list("id", "name", "state", "start_date")),
            sorted(
                Objective.objects.values_list(
                    "id", "title", "visibility", "progress", "owner_id", "reflection", "score"
                )
            ),
            sorted(KeyResult.objects.values_list("id", "title", "current_value", "progress", "weight", "score")),
            sorted(
                Alignment.objects.values_list("id", "child_id", "parent_objective_id", "parent_key_result_id", "weight")
            ),
            ProgressUpdate.objects.count(),
        )
