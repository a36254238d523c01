"""Reads of cycles, scoped to the actor's organisation."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.http import Http404

from okrs.models import Cycle, CycleKind, CycleState
from organisations.models import Membership


def cycle_list(*, actor: Membership) -> QuerySet[Cycle]:
    return Cycle.objects.for_actor(actor).order_by("-start_date", "kind")


def access_cycle(actor: Membership, cycle_id: int) -> Cycle:
    cycle = cycle_list(actor=actor).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def default_cycle(*, actor: Membership, today: date | None = None, cycles: list[Cycle] | None = None) -> Cycle | None:
    """The active quarter containing today, else the active cycle containing today (the
    shortest), else any active quarter or cycle, else the nearest upcoming, else the latest.

    "Today" is the organisation's date. A quarter made active early does not become everyone's
    default while the current one runs."""
    today = today or actor.organisation.today()
    cycles = list(cycle_list(actor=actor)) if cycles is None else cycles

    def current(c: Cycle) -> bool:
        return c.state == CycleState.ACTIVE and c.start_date <= today <= c.end_date

    for predicate in (
        lambda c: current(c) and c.kind == CycleKind.QUARTER,
        current,
        lambda c: c.state == CycleState.ACTIVE and c.kind == CycleKind.QUARTER,
        lambda c: c.state == CycleState.ACTIVE,
        lambda c: c.start_date > today,
    ):
        matches = [c for c in cycles if predicate(c)]
        if matches:
            return min(matches, key=lambda c: (c.end_date - c.start_date, c.start_date))
    return cycles[0] if cycles else None


def cycles_containing(*, actor: Membership, cycle: Cycle) -> QuerySet[Cycle]:
    """The cycle and every cycle around it: where its objectives may find parents."""
    return cycle_list(actor=actor).filter(start_date__lte=cycle.start_date, end_date__gte=cycle.end_date)


def cycle_overview(*, actor: Membership) -> list[Cycle]:
    """Every cycle, newest first, with its number of objectives and its parent: one query."""
    return list(cycle_list(actor=actor).select_related("parent").annotate(objective_count=Count("objectives")))
