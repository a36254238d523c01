"""Surveys in the browser: HR builds and launches a survey; an employee takes one (keyboard-
reachable Likert radio groups), sees their own results once it closes, adopts a suggested action
and lands on My goals with the new goal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from goals.models import Goal, GoalCategory
from surveys import services
from surveys.models import Question, Survey, SurveyState
from tests.conftest import build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD
from tests.surveys.worlds import answer, make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))


def test_hr_builds_and_launches_a_survey(page: Page, console: ConsoleLog, live_server: LiveServer) -> None:
    w = build_world("alpha", "Alpha")
    with w.tenant():
        services.bank_ensure(organisation_id=w.org.pk)
    _sign_in(page, live_server, w.admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey").first.click()
    expect(page.get_by_role("heading", name="New survey")).to_be_visible()
    console.assert_clean("the builder")
    page.get_by_label("Title").fill("Winter check")
    page.get_by_label("Opens").fill("2026-01-01T09:00")
    page.get_by_label("Closes").fill("2099-01-31T17:00")
    page.get_by_label("I have the tools and equipment I need to do my job well.").check()
    page.get_by_label("My workload is manageable.").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Winter check")).to_be_visible()
    page.get_by_role("button", name="Launch and invite").click()
    expect(page.get_by_text("Launched: invitations are on their way.")).to_be_visible()
    expect(page.locator("#response-rate")).to_contain_text("0 of 5 invited")
    console.assert_clean("the launched survey")
    with w.tenant():
        survey = Survey.objects.get(title="Winter check")
        assert survey.state == SurveyState.OPEN
        assert survey.survey_questions.count() == 2


def test_an_employee_takes_a_survey_sees_results_and_adopts_an_action(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    w = build_world("alpha", "Alpha")
    with w.tenant():
        services.bank_ensure(organisation_id=w.org.pk)
        questions = list(Question.objects.filter(theme__name__in=["Headspace", "Growth"]).order_by("pk"))
    survey = make_survey(w, "Autumn pulse", questions)
    for m in (w.owner, w.admin, w.report):
        answer(m, survey, {})

    _sign_in(page, live_server, w.employee.user.email)
    page.get_by_role("link", name=re.compile("Take it")).click()  # the My work card
    expect(page.get_by_role("heading", name="Autumn pulse")).to_be_visible()
    console.assert_clean("the survey")
    for i, q in enumerate(questions):
        group = page.get_by_role("group", name=re.compile(re.escape(q.statement)))
        group.get_by_label("Disagree" if i % 2 else "Agree", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Thank you: your answers are in.")).to_be_visible()

    with w.tenant():
        services.survey_close(actor=w.admin, survey=survey)
    page.goto(f"{live_server.url}/o/alpha/surveys/{survey.pk}/results/")
    expect(page.get_by_role("heading", name="Your own scores")).to_be_visible()
    expect(page.get_by_role("heading", name="Your action plan")).to_be_visible()
    console.assert_clean("the results")
    page.get_by_role("button", name=re.compile("Adopt as a goal")).first.click()
    expect(page).to_have_url(re.compile(r"/o/alpha/goals/$"))
    expect(page.get_by_text("is now one of your goals")).to_be_visible()
    with w.tenant():
        goal = Goal.objects.get(owner=w.employee)
        assert goal.category == GoalCategory.ACTION_PLAN
    # The new goal is listed on My goals, and its page says where it came from.
    goal_link = page.get_by_role("link", name=goal.title, exact=True)
    expect(goal_link).to_be_visible()
    goal_link.click()
    expect(page.get_by_role("heading", name="From a survey")).to_be_visible()
    expect(page.get_by_role("link", name=survey.title, exact=True)).to_be_visible()
    console.assert_clean("the adopted goal")
