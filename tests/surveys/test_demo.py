"""The demo surveys (surveys.demo, run by ``manage.py seed_demo``): two closed surveys in Acme
with 30+ responses and published results, an open one the employee can take; idempotent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import Goal, GoalCategory
from organisations import rls
from organisations.demo import seed_demo
from organisations.models import Membership, Organisation
from surveys import demo, selectors
from surveys.models import AdoptedAction, GroupResult, Response, Survey, SurveyState
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_demo_has_closed_surveys_with_results_and_an_open_one_for_the_employee() -> None:
    seed_demo()
    assert demo.seed_surveys() is True
    assert demo.seed_surveys() is False  # idempotent
    acme = Organisation.objects.get(slug="acme")
    with rls.tenant_context(acme.pk):
        closed = list(Survey.objects.filter(state=SurveyState.CLOSED).order_by("closes_at"))
        assert [s.title for s in closed] == ["Spring engagement", "Autumn engagement"]
        for survey in closed:
            assert Response.objects.filter(survey=survey).count() >= 30
            assert GroupResult.objects.filter(survey=survey, kind="organisation").exists()
            assert GroupResult.objects.filter(survey=survey, kind="team").exists()
        assert AdoptedAction.objects.filter(scope="personal").count() >= 3
        assert AdoptedAction.objects.filter(scope="team").exists()
        assert Goal.objects.filter(category=GoalCategory.ACTION_PLAN).count() == AdoptedAction.objects.count()
        employee = Membership.objects.select_related("organisation", "user").get(user__email="employee@acme.test")
        open_ = [item for item in selectors.surveys_for_member(employee) if item.can_take]
        assert [item.survey.title for item in open_] == ["Winter pulse"]
    page = login(Client(), employee).get(
        reverse("surveys:take", kwargs={"org_slug": "acme", "survey_id": open_[0].survey.pk})
    )
    assert b"Submit my answers" in page.content
