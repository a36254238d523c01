"""Reads of the approval step: the objectives of a cycle that still wait for approval, and the
ones that wait for a given manager."""

from __future__ import annotations

from django.db.models import QuerySet

from okrs.models import NEEDS_APPROVAL, ApprovalState, Cycle, CycleState, Objective
from okrs.permissions import Access
from okrs.selectors.objectives import by_level, visible_objectives
from organisations.models import Membership
from organisations.selectors import reporting_line


def unapproved_objectives(*, organisation_id: int, cycle: Cycle) -> QuerySet[Objective]:
    """Objectives of ``cycle`` needing approval that are not approved: what keeps the cycle from
    becoming active when the organisation asks for approval. Every one counts, seen or not (the
    gate is the organisation's; HR, who reads the list, sees them all)."""
    return (
        Objective.objects.in_organisation(organisation_id)
        .filter(NEEDS_APPROVAL, cycle_id=cycle.pk)
        .exclude(approval_state=ApprovalState.APPROVED)
    )


def unapproved_in_planning(*, actor: Membership) -> list[Objective]:
    """Unapproved objectives of every cycle still in planning, for the cycles page: one query."""
    return list(
        by_level(
            Objective.objects.for_actor(actor)
            .filter(NEEDS_APPROVAL, cycle__state=CycleState.PLANNING)
            .exclude(approval_state=ApprovalState.APPROVED)
            .select_related("cycle", "owner__user", "owner__manager__user")
        )
    )


def approvals_waiting(
    *, actor: Membership, cycle: Cycle, access: Access, state: str = "", manager: Membership | None = None
) -> QuerySet[Objective]:
    """Visible objectives of ``cycle`` owned by someone in ``manager``'s reporting line (the
    actor's by default), i.e. those the manager reviews; ``state`` narrows to one approval state."""
    queryset = visible_objectives(actor=actor, access=access).filter(
        cycle_id=cycle.pk, owner_id__in=reporting_line(manager or actor).values("pk")
    )
    if state:
        queryset = queryset.filter(approval_state=state)
    return queryset.select_related("owner__user", "approval_by__user")
