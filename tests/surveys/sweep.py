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
    Case("surveys:comments", _closed),
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


def _action(w: World) -> dict[str, Any]:
    with w.tenant():
        return {"action_id": Action.objects.order_by("pk").values_list("pk", flat=True).first()}


HTML_CASES += [
    Case("surveys:library", methods=("get", "post")),
    Case("surveys:action_edit", _action, ("get", "post")),
    Case("surveys:action_toggle", _action, ("post",)),
]


def _action_body(a: World, b: World) -> dict[str, Any]:
    from surveys.models import Theme

    with a.tenant():
        theme = Theme.objects.order_by("pk").first()
    assert theme is not None
    return {"form": "action", "theme": theme.pk, "audience": "individual", "title": "Probe"}


HTML_BODY_CASES += [
    BodyCase("surveys:library", no_ids, _action_body, _unchanged),
    BodyCase("surveys:action_edit", _action, _action_body, _unchanged),
]


P = "/api/v1/orgs/{org_slug}"


def _draft_id(w: World) -> dict[str, Any]:
    return {"id": w.surveys.draft.pk}


def _open_id(w: World) -> dict[str, Any]:
    return {"id": w.surveys.open.pk}


def _closed_id(w: World) -> dict[str, Any]:
    return {"id": w.surveys.closed.pk}


def _theme_id(w: World) -> dict[str, Any]:
    return {"id": w.surveys.questions[0].theme_id}


def _question_id(w: World) -> dict[str, Any]:
    return {"id": w.surveys.questions[0].pk}


def _action_id(w: World) -> dict[str, Any]:
    return {"id": _action(w)["action_id"]}


API_CASES = {
    (f"{P}/surveys/", "get"): no_ids,
    (f"{P}/surveys/", "post"): no_ids,
    (f"{P}/surveys/{{id}}/", "get"): _open_id,
    (f"{P}/surveys/{{id}}/", "patch"): _draft_id,
    (f"{P}/surveys/{{id}}/", "delete"): _draft_id,
    (f"{P}/surveys/{{id}}/launch/", "post"): _draft_id,
    (f"{P}/surveys/{{id}}/close/", "post"): _open_id,
    (f"{P}/surveys/{{id}}/response-rate/", "get"): _open_id,
    (f"{P}/surveys/{{id}}/respond/", "post"): _open_id,
    (f"{P}/surveys/{{id}}/results/", "get"): _closed_id,
    (f"{P}/surveys/{{id}}/comments/", "get"): _closed_id,
    (f"{P}/survey-themes/", "get"): no_ids,
    (f"{P}/survey-themes/{{id}}/", "get"): _theme_id,
    (f"{P}/survey-questions/", "get"): no_ids,
    (f"{P}/survey-questions/{{id}}/", "get"): _question_id,
    (f"{P}/survey-actions/", "get"): no_ids,
    (f"{P}/survey-actions/", "post"): no_ids,
    (f"{P}/survey-actions/{{id}}/", "get"): _action_id,
    (f"{P}/survey-actions/{{id}}/", "patch"): _action_id,
}


def _api_survey(a: World, b: World, **foreign: Any) -> dict[str, Any]:
    return {
        "title": "Probe",
        "audience": "teams",
        "teams": [b.team.pk],
        "opens_at": "2026-11-16T09:00:00Z",
        "closes_at": "2026-11-30T17:00:00Z",
        "questions": [b.surveys.questions[0].pk],
        **foreign,
    }


API_BODY_CASES = [
    (f"{P}/surveys/", "post", no_ids, lambda a, b: _api_survey(a, b, teams=[a.team.pk]), "teams"),
    (
        f"{P}/surveys/",
        "post",
        no_ids,
        lambda a, b: _api_survey(a, b, questions=[a.surveys.questions[0].pk]),
        "questions",
    ),
    (f"{P}/surveys/{{id}}/", "patch", _draft_id, lambda a, b: {"teams": [a.team.pk], "audience": "teams"}, "teams"),
    (
        f"{P}/surveys/{{id}}/respond/",
        "post",
        _open_id,
        lambda a, b: {"answers": [{"question": a.surveys.questions[0].pk, "value": 3}]},
        "answers",
    ),
    (
        f"{P}/survey-actions/",
        "post",
        no_ids,
        lambda a, b: {"theme": a.surveys.questions[0].theme_id, "audience": "individual", "title": "Probe"},
        "theme",
    ),
]

HTML_CASES += [Case("surveys:adopt", _closed, ("post",))]
