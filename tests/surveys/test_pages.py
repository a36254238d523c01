"""Survey pages end to end through the test client: HR builds and launches, members answer once,
HR watches the response rate (counts only), closes, and each person sees what they may."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from notifications.tasks import NOTIFICATION_EMAIL_TASK
from outbox.models import OutboxJob
from outbox.tasks import run_job
from surveys.models import GroupResult, Response, Survey, SurveyState
from tests.conftest import World, login
from tests.surveys.worlds import SurveyWorld, answer

pytestmark = pytest.mark.django_db


def url(w: World, name: str, **kw: Any) -> str:
    return reverse(f"surveys:{name}", kwargs={"org_slug": w.org.slug, **kw})


def test_hr_builds_and_launches_a_survey_and_its_audience_is_invited(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    page = hr.get(url(a, "create"))
    assert page.status_code == 200
    assert b"Resources" in page.content
    body = {
        "title": "Autumn pulse",
        "audience": "teams",
        "teams": [a.team.pk],
        "opens_at": "2026-11-15T08:00",
        "closes_at": "2026-11-29T18:00",
        "anonymity_threshold": "3",
        "questions": [q.pk for q in s.questions[:3]],
    }
    done = hr.post(url(a, "create"), body)
    assert done.status_code == 302
    with a.tenant():
        survey = Survey.objects.get(title="Autumn pulse")
    assert survey.state == SurveyState.DRAFT
    assert hr.post(url(a, "launch", survey_id=survey.pk)).status_code == 302
    with a.tenant():
        job = OutboxJob.objects.get(task="surveys.send_invitations", key=f"survey-invite:{survey.pk}")
    run_job(job.pk, a.org.pk)
    run_job(job.pk, a.org.pk)  # a second delivery invites nobody twice
    with a.tenant():
        survey.refresh_from_db()
        invited = set(
            Notification.objects.filter(kind="survey_invitation", key=f"survey-invite:{survey.pk}").values_list(
                "recipient_id", flat=True
            )
        )
    assert survey.state == SurveyState.OPEN
    assert invited == {a.manager.pk, a.employee.pk, a.report.pk}  # the team, not the company's HR
    with a.tenant():
        assert Notification.objects.filter(kind="survey_invitation").count() == 3
        assert OutboxJob.objects.filter(task=NOTIFICATION_EMAIL_TASK).count() == 3  # and by e-mail
    assert survey.invited == 3


def test_bad_builder_input_is_shown_on_the_fields(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    page = hr.post(url(a, "create"), {"title": "", "audience": "teams", "opens_at": "x", "anonymity_threshold": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "This field is required" in text or "Give the survey a title" in text
    assert "Enter a valid date/time" in text
    page = hr.post(
        url(a, "create"),
        {
            "title": "T",
            "audience": "teams",
            "opens_at": "2026-11-20T08:00",
            "closes_at": "2026-11-19T08:00",
            "anonymity_threshold": "5",
            "questions": [s.questions[0].pk],
        },
    )
    assert page.status_code == 200
    assert "The survey must close after it opens." in page.content.decode()
    assert "Choose at least one team" in page.content.decode()


def test_a_member_answers_once(a: World, s: SurveyWorld) -> None:
    me = login(Client(), a.employee)
    page = me.get(url(a, "take", survey_id=s.open.pk))
    assert page.status_code == 200
    assert b"<fieldset" in page.content
    assert b"<legend" in page.content
    missing = me.post(url(a, "take", survey_id=s.open.pk), {})
    assert missing.status_code == 200
    assert b"Choose an answer." in missing.content
    body = {f"q_{q.pk}": "4" for q in s.questions} | {f"c_{s.questions[0].pk}": "More coffee"}
    assert me.post(url(a, "take", survey_id=s.open.pk), body).status_code == 302
    again = me.post(url(a, "take", survey_id=s.open.pk), body)
    assert b"You have answered this survey" in again.content
    with a.tenant():
        assert Response.objects.filter(survey=s.open, respondent=a.employee).count() == 1


def test_the_response_rate_shows_counts_only_and_is_live(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    page = hr.get(url(a, "detail", survey_id=s.open.pk))
    assert b'aria-live="polite"' in page.content
    assert b"hx-trigger" in page.content
    region = hr.get(url(a, "progress", survey_id=s.open.pk), headers={"HX-Request": "true"})
    assert b"0</strong> of 5" in region.content
    assert b"<html" not in region.content
    assert login(Client(), a.employee).get(url(a, "progress", survey_id=s.open.pk)).status_code == 403


def test_results_show_each_viewer_what_they_may(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin).get(url(a, "results", survey_id=s.closed.pk)).content.decode()
    assert "Your own scores" in hr
    assert a.org.name in hr
    assert "comment 0" in hr  # HR sees comments of a published group, without names
    assert "Alpha Employee" not in hr
    manager = login(Client(), a.manager).get(url(a, "results", survey_id=s.closed.pk)).content.decode()
    assert "Your reporting line" in manager
    assert "Too few responses to protect anonymity." in manager  # two reports < threshold 3
    assert "comment" not in manager
    employee = login(Client(), a.employee).get(url(a, "results", survey_id=s.closed.pk)).content.decode()
    assert "Your own scores" in employee
    assert "Teams" not in employee
    assert "comment 1" not in employee


def test_close_by_hand_aggregates(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    assert hr.post(url(a, "close", survey_id=s.open.pk)).status_code == 302
    with a.tenant():
        s.open.refresh_from_db()
    assert s.open.state == SurveyState.CLOSED
    assert s.open.aggregated_at is not None


def test_home_trends_and_heatmap_render(a: World, s: SurveyWorld) -> None:
    for who in a.members:
        client = login(Client(), who)
        assert client.get(url(a, "home")).status_code == 200
        assert client.get(url(a, "trends")).status_code == 200
    hr = login(Client(), a.admin)
    heat = hr.get(url(a, "heatmap"))
    assert heat.status_code == 200
    assert hr.get(url(a, "heatmap") + "?survey=x").status_code == 400
    assert login(Client(), a.employee).get(url(a, "heatmap")).status_code == 403


def test_my_work_shows_an_open_survey_to_take(a: World, s: SurveyWorld) -> None:
    page = login(Client(), a.employee).get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug}))
    assert url(a, "take", survey_id=s.open.pk) in page.content.decode()


def test_hr_follows_a_team_s_trend(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    page = hr.get(url(a, "trends") + f"?team={a.company.pk}")
    assert page.status_code == 200
    assert f"Team: {a.company.name}" in page.content.decode()
    assert 'role="img"' in page.content.decode()
    assert hr.get(url(a, "trends") + "?team=x").status_code == 400


def test_a_second_survey_with_nearly_the_same_people_is_suppressed(a: World, s: SurveyWorld) -> None:
    """The world's closed survey had all five; three of them in a survey for the same audience
    would reveal the other two by comparing the two organisation figures."""
    for m in (a.owner, a.admin, a.manager):
        answer(m, s.open, {})
    hr = login(Client(), a.admin)
    hr.post(url(a, "close", survey_id=s.open.pk))
    page = hr.get(url(a, "results", survey_id=s.open.pk)).content.decode()
    assert "Too few responses to protect anonymity." in page
    with a.tenant():
        assert not GroupResult.objects.filter(survey=s.open).exists()


def test_survey_dates_read_in_the_organisation_s_time_zone(a: World, s: SurveyWorld) -> None:
    """The builder reads dates in the organisation's zone; the pages show them in it too (a
    survey closing at 12:00 UTC closes at 17:30 in Kolkata), not in the server's."""
    from datetime import UTC, datetime

    a.org.time_zone = "Asia/Kolkata"
    a.org.save(update_fields=["time_zone"])
    with a.tenant():
        Survey.objects.filter(pk=s.open.pk).update(closes_at=datetime(2031, 3, 3, 12, 0, tzinfo=UTC))
    page = login(Client(), a.admin).get(url(a, "detail", survey_id=s.open.pk)).content.decode()
    assert "3 Mar 2031 17:30" in page
    assert "3 Mar 2031 12:00" not in page
