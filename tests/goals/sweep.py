"""The isolation sweep's cases for the goals pages and API (discovered by tests.kit.isolation).

``build`` gives each world's owner (the sweep's prober for the other world) goals of every
visibility with milestones, so a foreign id is a real object of the other organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goals.models import Goal, GoalUpdate, GoalVisibility, Milestone
from goals.services import GoalData, goal_comment, goal_create
from tests.conftest import World
from tests.kit.sweep_types import Case, Ids, no_ids


@dataclass
class GoalSweepData:
    goal: Goal  # the owner's, shared with the manager
    milestone: Milestone
    private: Goal
    employee_goal: Goal  # the employee's, organisation-wide


def build(w: World) -> GoalSweepData:
    with w.tenant():
        goal = goal_create(
            actor=w.owner,
            data=GoalData(
                title=f"{w.org.name} talk", visibility=GoalVisibility.MANAGER, milestones=["Abstract", "Talk"]
            ),
        )
        private = goal_create(actor=w.owner, data=GoalData(title=f"{w.org.name} private"))
        employee_goal = goal_create(
            actor=w.employee,
            data=GoalData(title=f"{w.org.name} 10 km", visibility=GoalVisibility.ORGANISATION, milestones=["5 km"]),
        )
        goal_comment(actor=w.owner, goal=goal, text="Started")
        milestone = Milestone.objects.filter(goal=goal).order_by("position").first()
    assert milestone is not None
    return GoalSweepData(goal, milestone, private, employee_goal)


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(
                Goal.objects.values_list(
                    "id", "title", "description", "category", "visibility", "state", "progress_mode", "progress"
                )
            ),
            sorted(Milestone.objects.values_list("id", "goal_id", "title", "done", "position")),
            GoalUpdate.objects.count(),
        )


GOAL: Ids = lambda w: {"goal_id": w.goals.employee_goal.pk}  # noqa: E731  (organisation-wide: every role opens it)
MILESTONE: Ids = lambda w: {"milestone_id": w.goals.milestone.pk}  # noqa: E731

HTML_CASES = [
    Case("goals:home"),
    Case("goals:create", methods=("get", "post")),
    Case("goals:shared"),
    Case("goals:detail", GOAL),
    Case("goals:edit", GOAL, ("get", "post")),
    Case("goals:delete", GOAL, ("post",)),
    Case("goals:state", GOAL, ("post",)),
    Case("goals:comment", GOAL, ("post",)),
    Case("goals:progress", GOAL, ("post",)),
    Case("goals:milestone_add", GOAL, ("post",)),
    Case("goals:milestone_toggle", MILESTONE, ("post",)),
    Case("goals:milestone_remove", MILESTONE, ("post",)),
]

P = "/api/v1/orgs/{org_slug}/goals"
M = "/api/v1/orgs/{org_slug}/goal-milestones"
_GOAL_ID: Ids = lambda w: {"id": w.goals.goal.pk}  # noqa: E731
_MILESTONE_ID: Ids = lambda w: {"id": w.goals.milestone.pk}  # noqa: E731

API_CASES = {
    (f"{P}/", "get"): no_ids,
    (f"{P}/", "post"): no_ids,
    (f"{P}/shared/", "get"): no_ids,
    (f"{P}/{{id}}/", "get"): _GOAL_ID,
    (f"{P}/{{id}}/", "patch"): _GOAL_ID,
    (f"{P}/{{id}}/", "delete"): _GOAL_ID,
    (f"{P}/{{id}}/complete/", "post"): _GOAL_ID,
    (f"{P}/{{id}}/abandon/", "post"): _GOAL_ID,
    (f"{P}/{{id}}/reopen/", "post"): _GOAL_ID,
    (f"{P}/{{id}}/progress/", "post"): _GOAL_ID,
    (f"{P}/{{id}}/milestones/", "get"): _GOAL_ID,
    (f"{P}/{{id}}/milestones/", "post"): _GOAL_ID,
    (f"{P}/{{id}}/updates/", "get"): _GOAL_ID,
    (f"{P}/{{id}}/updates/", "post"): _GOAL_ID,
    (f"{M}/{{id}}/", "get"): _MILESTONE_ID,
    (f"{M}/{{id}}/", "patch"): _MILESTONE_ID,
    (f"{M}/{{id}}/", "delete"): _MILESTONE_ID,
}
