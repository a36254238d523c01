"""Action plans: the themes a plan suggests, adopting an action as a goal (personal and team),
and the goal's panel with the score it came from and the next survey's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from goals.models import Goal, GoalCategory
from organisations.errors import Conflict
from organisations.models import Membership
from organisations.web import panels
from surveys import selectors, services
from surveys.models import Action, ActionAudience, AdoptedAction, Question
from surveys.plans import plan_themes
from tests.conftest import World, login
from tests.surveys.worlds import SurveyWorld, answer, as_member, make_survey

pytestmark = pytest.mark.django_db


def test_a_plan_suggests_themes_under_the_threshold_or_else_the_two_lowest() -> None:
    scores = [("a", Decimal(70)), ("b", Decimal(40)), ("c", Decimal(55)), ("d", Decimal(90))]
    assert plan_themes(scores, 60) == [("b", Decimal(40)), ("c", Decimal(55))]
    assert plan_themes(scores, 45) == [("b", Decimal(40))]
    assert plan_themes(scores, 10) == [("b", Decimal(40)), ("c", Decimal(55))]
    assert plan_themes([], 60) == []


def personal_action(w: World, s: SurveyWorld, who: Membership) -> Action:
    with as_member(who):
        own = [(x.theme, x.score) for x in selectors.own_scores(who, s.closed)]
        plan = selectors.plan(who, own, ActionAudience.INDIVIDUAL)
    return plan[0].actions[0]


def test_adopting_a_personal_action_makes_a_private_action_plan_goal(a: World, s: SurveyWorld) -> None:
    action = personal_action(a, s, a.employee)
    me = login(Client(), a.employee)
    url = reverse("surveys:adopt", kwargs={"org_slug": a.org.slug, "survey_id": s.closed.pk})
    done = me.post(url, {"action": action.pk})
    assert done.status_code == 302
    assert done["Location"] == reverse("goals:home", kwargs={"org_slug": a.org.slug})
    with a.tenant():
        goal = Goal.objects.get(owner=a.employee)
        origin = AdoptedAction.objects.get(goal=goal)
    assert goal.category == GoalCategory.ACTION_PLAN
    assert goal.title == action.title
    assert origin.baseline is None  # no individual score stored where others could read it
    with as_member(a.employee), pytest.raises(Conflict):
        services.action_adopt(actor=a.employee, survey=s.closed, action=action)


def test_a_theme_outside_the_plan_is_refused(a: World, s: SurveyWorld) -> None:
    with as_member(a.employee):
        own = [(x.theme, x.score) for x in selectors.own_scores(a.employee, s.closed)]
        planned = {p.theme.pk for p in selectors.plan(a.employee, own, ActionAudience.INDIVIDUAL)}
        other = Action.objects.filter(audience=ActionAudience.INDIVIDUAL).exclude(theme_id__in=planned).first()
        assert other is not None
        with pytest.raises(ValidationError):
            services.action_adopt(actor=a.employee, survey=s.closed, action=other)


def test_a_manager_whose_line_is_too_small_has_no_team_plan(a: World, s: SurveyWorld) -> None:
    with as_member(a.manager):
        manager_action = Action.objects.filter(audience=ActionAudience.MANAGER).first()
        assert manager_action is not None
        with pytest.raises(Conflict, match="too few"):
            services.action_adopt(actor=a.manager, survey=s.closed, action=manager_action)


def test_the_goal_panel_shows_the_owner_the_score_it_came_from_and_the_next_survey(a: World, s: SurveyWorld) -> None:
    action = personal_action(a, s, a.employee)
    with as_member(a.employee):
        goal = services.action_adopt(actor=a.employee, survey=s.closed, action=action)
        before = next(x.score for x in selectors.own_scores(a.employee, s.closed) if x.theme.pk == action.theme_id)
    with a.tenant():
        questions = list(Question.objects.filter(theme=action.theme))
    later = make_survey(a, "Next", questions)
    for m in a.members:
        answer(m, later, {q.pk: 5 if not q.reverse_scored else 1 for q in questions})
    with a.tenant():
        services.survey_close(actor=a.admin, survey=later)
    request: Any = RequestFactory().get("/")  # panels only pass it through
    with as_member(a.employee):
        shown = panels("goal_panels", request, a.employee, goal)
    assert len(shown) == 1
    origin = shown[0][1]["origin"]
    assert origin.baseline == before
    assert origin.now == Decimal("100.0")
    with as_member(a.manager):
        seen_by_manager = panels("goal_panels", request, a.manager, goal)[0][1]["origin"]
    assert seen_by_manager.baseline is None
    assert seen_by_manager.shows_scores is False
