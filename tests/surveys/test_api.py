"""The survey API: HR builds, launches and closes; members answer once and read their results;
what the API returns about groups comes from stored results only, and never an individual answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from organisations.services import api_token_create
from surveys.models import Response, SurveyState
from tests.conftest import World, login
from tests.surveys.worlds import SurveyWorld

pytestmark = pytest.mark.django_db


def api(w: World, path: str) -> str:
    return f"/api/v1/orgs/{w.org.slug}/{path}"


def bearer(m: Any) -> dict[str, str]:
    _, raw = api_token_create(user=m.user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_hr_builds_launches_and_closes_over_the_api(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    body = {
        "title": "API pulse",
        "opens_at": "2026-11-14T09:00:00Z",
        "closes_at": "2026-11-30T17:00:00Z",
        "anonymity_threshold": 3,
        "questions": [q.pk for q in s.questions],
    }
    created = hr.post(api(a, "surveys/"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "draft"
    changed = hr.patch(api(a, f"surveys/{pk}/"), {"title": "API pulse 2"}, content_type="application/json")
    assert changed.json()["title"] == "API pulse 2"
    assert hr.post(api(a, f"surveys/{pk}/launch/")).json()["state"] == "open"
    assert hr.post(api(a, f"surveys/{pk}/launch/")).status_code == 409
    assert hr.get(api(a, f"surveys/{pk}/response-rate/")).json() == {"responses": 0, "invited": 5, "rate": 0}
    assert hr.post(api(a, f"surveys/{pk}/close/")).json()["state"] == "closed"


def test_bad_input_is_a_400_per_field(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    bad = hr.post(api(a, "surveys/"), {"title": "", "questions": ["x"]}, content_type="application/json")
    assert bad.status_code == 400
    assert {"title", "opens_at", "closes_at", "questions"} <= set(bad.json())
    late = hr.post(
        api(a, "surveys/"),
        {
            "title": "T",
            "opens_at": "2026-11-20T09:00:00Z",
            "closes_at": "2026-11-19T09:00:00Z",
            "questions": [s.questions[0].pk],
        },
        content_type="application/json",
    )
    assert late.status_code == 400
    assert "closes_at" in late.json()
    assert hr.patch(api(a, f"surveys/{s.draft.pk}/"), [1], content_type="application/json").status_code == 400


def test_employees_cannot_build_or_see_drafts(a: World, s: SurveyWorld) -> None:
    me = login(Client(), a.employee)
    assert me.get(api(a, f"surveys/{s.draft.pk}/")).status_code == 404
    assert {x["id"] for x in me.get(api(a, "surveys/")).json()["results"]} == {s.open.pk, s.closed.pk}
    assert me.post(api(a, f"surveys/{s.draft.pk}/launch/")).status_code == 404
    assert me.post(api(a, f"surveys/{s.open.pk}/close/")).status_code == 403
    assert me.get(api(a, f"surveys/{s.open.pk}/response-rate/")).status_code == 403
    assert me.get(api(a, f"surveys/{s.closed.pk}/comments/")).status_code == 403


def test_a_member_answers_once_with_a_token_and_reads_only_their_own_scores(a: World, s: SurveyWorld) -> None:
    client = Client()
    headers = bearer(a.employee)
    answers = {"answers": [{"question": q.pk, "value": 5} for q in s.questions]}
    sent = client.post(api(a, f"surveys/{s.open.pk}/respond/"), answers, content_type="application/json", **headers)
    assert sent.status_code == 201, sent.content
    again = client.post(api(a, f"surveys/{s.open.pk}/respond/"), answers, content_type="application/json", **headers)
    assert again.status_code == 409
    partial = {"answers": [{"question": s.questions[0].pk, "value": 5}]}
    assert (
        client.post(
            api(a, f"surveys/{s.open.pk}/respond/"), partial, content_type="application/json", **bearer(a.report)
        )
    ).status_code == 400
    with a.tenant():
        assert Response.objects.filter(survey=s.open).count() == 1
    results = client.get(api(a, f"surveys/{s.closed.pk}/results/"), **headers).json()
    assert results["own"], "with a Bearer token the answers policy still knows who is asking"
    assert results["organisation"] is None  # HR only
    assert results["teams"] == []


def test_hr_results_are_published_groups_and_comments_have_no_author(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    results = hr.get(api(a, f"surveys/{s.closed.pk}/results/")).json()
    assert results["organisation"]["n"] == 5
    assert len(results["organisation"]["scores"]) >= 1
    comments = hr.get(api(a, f"surveys/{s.closed.pk}/comments/")).json()
    assert sorted(c["text"] for c in comments) == [f"comment {i}" for i in range(5)]
    assert all(set(c) == {"theme", "text"} for c in comments)
    with a.tenant():
        assert s.closed.state == SurveyState.CLOSED


def test_the_action_library_over_the_api(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    listed = hr.get(api(a, "survey-actions/")).json()
    assert listed["count"] >= 42
    theme = s.questions[0].theme_id
    made = hr.post(
        api(a, "survey-actions/"),
        {"theme": theme, "audience": "manager", "title": "Walk and talk"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    off = hr.patch(api(a, f"survey-actions/{made.json()['id']}/"), {"active": False}, content_type="application/json")
    assert off.json()["active"] is False
    me = login(Client(), a.employee)
    assert me.post(api(a, "survey-actions/"), {}, content_type="application/json").status_code == 403
    assert me.get(api(a, "survey-themes/")).status_code == 200
