"""Survey pages and API lists run the same number of SQL queries for 1 and for 50 objects."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Action, ActionAudience, GroupKind, GroupResult, Survey, Theme, ThemeResult
from tests.conftest import World, login
from tests.factories import TeamFactory
from tests.kit.queries import assert_constant_queries
from tests.surveys.worlds import SurveyWorld

pytestmark = pytest.mark.django_db


def url(w: World, name: str, **kw: object) -> str:
    return reverse(f"surveys:{name}", kwargs={"org_slug": w.org.slug, **kw})


def add_surveys(w: World, s: SurveyWorld, n: int, *, closed: bool = False) -> None:
    now = timezone.now()
    with w.tenant():
        for i in range(n):
            survey = services.survey_create(
                actor=w.admin,
                data=services.SurveyData(
                    title=f"Extra {Survey.objects.count()} {i}",
                    opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=3),
                    questions=s.questions,
                ),
            )
            services.survey_launch(actor=w.admin, survey=survey)
            if closed:
                services.survey_close(actor=w.admin, survey=survey)


def add_published_teams(w: World, s: SurveyWorld, n: int) -> None:
    """Stored results of ``n`` more teams (as the aggregation step writes them)."""
    with w.tenant():
        themes = list(Theme.objects.all())
        for _ in range(n):
            team = TeamFactory(organisation=w.org, parent=w.department)
            group = GroupResult.objects.create(
                organisation=w.org, survey=s.closed, kind=GroupKind.TEAM, team=team, n=5, respondents=[]
            )
            ThemeResult.objects.bulk_create(
                ThemeResult(organisation=w.org, survey=s.closed, group=group, theme=t, score=Decimal(50), n=5)
                for t in themes
            )


def test_the_survey_list_for_hr_and_members(a: World, s: SurveyWorld) -> None:
    assert_constant_queries(login(Client(), a.admin), url(a, "home"), lambda n: add_surveys(a, s, n), label="HR list")
    assert_constant_queries(
        login(Client(), a.employee), url(a, "home"), lambda n: add_surveys(a, s, n), label="member list"
    )


def test_results_and_heatmap_with_many_teams(a: World, s: SurveyWorld) -> None:
    hr = login(Client(), a.admin)
    assert_constant_queries(
        hr, url(a, "results", survey_id=s.closed.pk), lambda n: add_published_teams(a, s, n), label="results"
    )
    assert_constant_queries(
        hr, url(a, "heatmap") + f"?survey={s.closed.pk}", lambda n: add_published_teams(a, s, n), label="heatmap"
    )


def test_trends_with_many_closed_surveys(a: World, s: SurveyWorld) -> None:
    assert_constant_queries(
        login(Client(), a.admin), url(a, "trends"), lambda n: add_surveys(a, s, n, closed=True), label="trends"
    )


def test_the_action_library(a: World, s: SurveyWorld) -> None:
    def grow(n: int) -> None:
        with a.tenant():
            theme = Theme.objects.first()
            Action.objects.bulk_create(
                Action(organisation=a.org, theme=theme, audience=ActionAudience.MANAGER, title=f"A {i}")
                for i in range(n)
            )

    assert_constant_queries(login(Client(), a.admin), url(a, "library"), grow, label="library")


def test_the_api_survey_list(a: World, s: SurveyWorld) -> None:
    assert_constant_queries(
        login(Client(), a.admin), f"/api/v1/orgs/{a.org.slug}/surveys/", lambda n: add_surveys(a, s, n), label="API"
    )
