"""Every read of goals. ``access_goal`` answers 404 for a goal the actor may not see — the same
answer as for one that does not exist or belongs to another organisation, so a private goal's
existence is never revealed."""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from goals.models import Goal, GoalState, GoalUpdate, Milestone
from goals.permissions import SHARED_WITH_MANAGERS, can_view, visible_q
from organisations.models import Membership
from organisations.selectors import reporting_line


def _ordered(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    """Active first, then completed, then abandoned; within each, by due date (undated last)."""
    state_rank = Case(
        When(state=GoalState.ACTIVE, then=Value(0)),
        When(state=GoalState.COMPLETED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(state_rank=state_rank).order_by("state_rank", F("due_date").asc(nulls_last=True), "id")


def _with_milestones(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    return qs.prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")))


def visible_goals(*, actor: Membership) -> QuerySet[Goal]:
    return Goal.objects.for_actor(actor).filter(visible_q(actor))


def access_goal(actor: Membership, goal_id: int, *, for_update: bool = False) -> Goal:
    """One goal the actor may see, with its owner; 404 otherwise."""
    qs = Goal.objects.for_actor(actor).select_related("owner__user").filter(pk=goal_id)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    goal = qs.first()
    if goal is None or not can_view(actor, goal):
        raise Http404("No such goal")
    return goal


def access_milestone(actor: Membership, milestone_id: int) -> Milestone:
    """A milestone of a goal the actor may see; 404 otherwise."""
    milestone = Milestone.objects.for_actor(actor).select_related("goal__owner__user").filter(pk=milestone_id).first()
    if milestone is None or not can_view(actor, milestone.goal):
        raise Http404("No such milestone")
    return milestone


def _filtered(qs: QuerySet[Goal], category: str, state: str) -> QuerySet[Goal]:
    if category:
        qs = qs.filter(category=category)
    if state:
        qs = qs.filter(state=state)
    return qs


def my_goals(*, actor: Membership, category: str = "", state: str = "") -> QuerySet[Goal]:
    """The actor's own goals (every visibility), milestones prefetched."""
    qs = Goal.objects.for_actor(actor).filter(owner=actor).select_related("owner__user")
    return _with_milestones(_ordered(_filtered(qs, category, state)))


def shared_with_me(
    *, actor: Membership, category: str = "", state: str = "", person_id: int | None = None
) -> QuerySet[Goal]:
    """Goals that the actor's direct and indirect reports share with their managers (visibility
    ``manager`` or ``organisation``). Never a private goal."""
    qs: QuerySet[Goal] = (
        Goal.objects.for_actor(actor)
        .filter(owner__in=reporting_line(actor).values("pk"), visibility__in=SHARED_WITH_MANAGERS)
        .select_related("owner__user", "owner__manager__user")
    )
    if person_id is not None:
        qs = qs.filter(owner_id=person_id)
    qs = _filtered(qs, category, state)
    return _with_milestones(
        qs.order_by("owner__user__full_name", "owner_id", "state", F("due_date").asc(nulls_last=True), "id")
    )


def has_reports(actor: Membership) -> bool:
    return reporting_line(actor).filter(is_active=True).exists()


def goal_updates(goal: Goal) -> QuerySet[GoalUpdate]:
    return GoalUpdate.objects.in_organisation(goal.organisation_id).filter(goal=goal).select_related("author__user")


def goal_milestones(goal: Goal) -> list[Milestone]:
    return list(Milestone.objects.in_organisation(goal.organisation_id).filter(goal=goal).order_by("position", "id"))


def active_goals_due_soon(*, actor: Membership, limit: int = 5) -> list[Goal]:
    """The actor's active goals, the soonest due first (undated last), for *My work*."""
    qs = Goal.objects.for_actor(actor).filter(owner=actor, state=GoalState.ACTIVE)
    return list(qs.order_by(F("due_date").asc(nulls_last=True), "id")[:limit])


def visible_milestones(*, actor: Membership) -> QuerySet[Milestone]:
    """Milestones of the goals the actor may see (the API's milestone resource)."""
    visible = visible_goals(actor=actor).values("pk")
    return Milestone.objects.for_actor(actor).filter(goal_id__in=visible).select_related("goal__owner__user")
