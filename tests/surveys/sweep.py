"""The isolation sweep's cases for the survey pages and API (discovered by tests.kit.isolation).
Ids come from ``w.surveys`` (tests.surveys.worlds.SurveyWorld, built by ``build``)."""

from __future__ import annotations

from typing import Any

from surveys.models import Action, GroupResult, Response, Survey, SurveyQuestion
from tests.conftest import World
from tests.kit.sweep_types import BodyCase, Case, no_ids
from tests.surveys.worlds import SurveyWorld, build_surveys


def build(w: World) -> SurveyWorld:
    return build_surveys(w)


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(Survey.objects.values_list("id", "title", "state", "closes_at", "anonymity_threshold")),
            sorted(SurveyQuestion.objects.values_list("survey_id", "question_id")),
            Response.objects.count(),
            GroupResult.objects.count(),
            sorted(Action.objects.values_list("id", "title", "active")),
        )


def _draft(w: World) -> dict[str, Any]:
    return {"survey_id": w.surveys.draft.pk}


def _open(w: World) -> dict[str, Any]:
    return {"survey_id": w.surveys.open.pk}


def _closed(w: World) -> dict[str, Any]:
    return {"survey_id": w.surveys.closed.pk}


HTML_CASES = [
    Case("surveys:home"),
    Case("surveys:create", methods=("get", "post")),
    Case("surveys:trends"),
    Case("surveys:heatmap"),
    Case("surveys:detail", _open),
    Case("surveys:edit", _draft, ("get", "post")),
    Case("surveys:delete", _draft, ("post",)),
    Case("surveys:launch", _draft, ("post",)),
    Case("surveys:close", _open, ("post",)),
    Case("surveys:progress", _open),
    Case("surveys:take", _open, ("get", "post")),
    Case("surveys:results", _closed),
]


def _unchanged(a: World, b: World) -> Any:
    return fingerprint(b)


def _survey_body(a: World, b: World, **foreign: Any) -> dict[str, Any]:
    return {
        "title": "Probe",
        "audience": "teams",
        "teams": [b.team.pk],
        "opens_at": "2026-11-16T09:00",
        "closes_at": "2026-11-30T17:00",
        "anonymity_threshold": "5",
        "questions": [b.surveys.questions[0].pk],
        **foreign,
    }


_FOREIGN = [
    lambda a, b: _survey_body(a, b, teams=[a.team.pk]),
    lambda a, b: _survey_body(a, b, questions=[a.surveys.questions[0].pk]),
]

HTML_BODY_CASES = [
    *(BodyCase("surveys:create", no_ids, body, _unchanged) for body in _FOREIGN),
    *(BodyCase("surveys:edit", _draft, body, _unchanged) for body in _FOREIGN),
]
