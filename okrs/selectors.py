"""Reads for OKRs, always scoped to the actor's organisation and to what the actor may see.

``access_<entity>(actor, id)`` returns one object or raises Http404, the same for an object of
another organisation, one that does not exist and one the actor may not see.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from okrs.models import Alignment, Cycle, CycleState, KeyResult, Milestone, Objective
from okrs.permissions import Access
from organisations.models import Membership


def cycle_list(*, actor: Membership) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organisation_id=actor.organisation_id).order_by("-start_date", "kind")


def access_cycle(actor: Membership, cycle_id: int) -> Cycle:
    cycle = Cycle.objects.filter(organisation_id=actor.organisation_id, pk=cycle_id).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def default_cycle(*, actor: Membership, today: date | None = None) -> Cycle | None:
    """The active quarter, else the active cycle, else the nearest upcoming, else the latest."""
    today = today or timezone.localdate()
    cycles = list(cycle_list(actor=actor))
    for predicate in (
        lambda c: c.state == CycleState.ACTIVE and c.kind == "quarter",
        lambda c: c.state == CycleState.ACTIVE,
        lambda c: c.start_date > today,
    ):
        matches = [c for c in cycles if predicate(c)]
        if matches:
            return min(matches, key=lambda c: (c.end_date - c.start_date, c.start_date))
    return cycles[0] if cycles else None


def visible_objectives(*, actor: Membership, access: Access | None = None) -> QuerySet[Objective]:
    access = access or Access(actor)
    return Objective.objects.filter(organisation_id=actor.organisation_id).filter(access.visible_q())


def objectives_with_key_results(queryset: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives with their owner, team, cycle and key results (with owners and milestones) in
    a constant number of queries."""
    return queryset.select_related("owner__user", "team", "cycle").prefetch_related(
        Prefetch(
            "key_results",
            queryset=KeyResult.objects.select_related("owner__user").prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
            ),
        )
    )


def access_objective(actor: Membership, objective_id: int, *, access: Access | None = None) -> Objective:
    objective = (
        objectives_with_key_results(visible_objectives(actor=actor, access=access)).filter(pk=objective_id).first()
    )
    if objective is None:
        raise Http404("No such objective")
    return objective


def access_key_result(actor: Membership, key_result_id: int, *, access: Access | None = None) -> KeyResult:
    kr = (
        KeyResult.objects.filter(
            organisation_id=actor.organisation_id,
            pk=key_result_id,
            objective__in=visible_objectives(actor=actor, access=access),
        )
        .select_related("objective__cycle", "owner__user")
        .first()
    )
    if kr is None:
        raise Http404("No such key result")
    return kr


def access_alignment(actor: Membership, alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.filter(
            organisation_id=actor.organisation_id,
            pk=alignment_id,
            child__in=visible_objectives(actor=actor),
        )
        .select_related("child", "parent_objective", "parent_key_result")
        .first()
    )
    if alignment is None:
        raise Http404("No such alignment")
    return alignment
