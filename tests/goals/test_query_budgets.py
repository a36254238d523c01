"""My goals, Shared with me, a goal's page, My work and the API lists run the same number of SQL
queries for 1 and for 50 goals (each with milestones and log entries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from goals import services
from goals.models import Goal, GoalVisibility, Milestone
from organisations.models import Membership
from tests.conftest import World, login
from tests.goals.conftest import GoalWorld, make_goal
from tests.kit.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def goals_of(owner: Membership, visibility: str = GoalVisibility.MANAGER) -> Callable[[int], None]:
    def grow(n: int) -> None:
        for i in range(n):
            goal = make_goal(owner, title=f"Goal {i}", visibility=visibility, milestones=["a", "b", "c"])
            with _tenant(owner):
                first = Milestone.objects.filter(goal=goal).order_by("position").first()
                assert first is not None
                services.milestone_toggle(actor=owner, milestone=first, done=True)
                services.goal_comment(actor=owner, goal=goal, text="On it")

    return grow


def _tenant(who: Membership) -> Any:
    from organisations import rls

    return rls.tenant_context(who.organisation_id)


def test_my_goals(a: World, g: GoalWorld) -> None:
    url = reverse("goals:home", kwargs={"org_slug": a.org.slug})
    assert_constant_queries(login(Client(), a.employee), url, goals_of(a.employee), label="My goals")


@pytest.mark.parametrize("who", ["direct", "indirect"])
def test_shared_with_me(a: World, g: GoalWorld, who: str) -> None:
    url = reverse("goals:shared", kwargs={"org_slug": a.org.slug})
    viewer = g.lead if who == "direct" else a.manager
    assert_constant_queries(login(Client(), viewer), url, goals_of(g.junior), label=f"Shared with me ({who})")


def test_goal_detail(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.MANAGER)

    def grow(n: int) -> None:
        with _tenant(a.employee):
            fresh = Goal.objects.get(pk=goal.pk)
            for i in range(n):
                milestone = services.milestone_add(actor=a.employee, goal=fresh, title=f"Step {i}")
                services.milestone_toggle(actor=a.employee, milestone=milestone, done=True)
                services.goal_comment(actor=a.manager, goal=fresh, text=f"Comment {i}")

    url = reverse("goals:detail", kwargs={"org_slug": a.org.slug, "goal_id": goal.pk})
    assert_constant_queries(login(Client(), a.manager), url, grow, label="Goal page (manager)")


def test_my_work(a: World, g: GoalWorld) -> None:
    url = reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})
    assert_constant_queries(login(Client(), a.employee), url, goals_of(a.employee), label="My work with goals")


def test_api_lists(a: World, g: GoalWorld) -> None:
    base = f"/api/v1/orgs/{a.org.slug}/goals/"
    assert_constant_queries(login(Client(), g.junior), base, goals_of(g.junior), label="API goals")
    assert_constant_queries(login(Client(), a.manager), base + "shared/", goals_of(g.junior), label="API shared")
