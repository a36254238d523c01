"""Reads of objectives: what the actor may see, lists with their filters, and one objective with
everything its page draws, each in a constant number of queries.

``access_<entity>(actor, id)`` returns one object or raises Http404, the same for an object of
another organisation, one that does not exist and one the actor may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import BigIntegerField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404

from okrs import status as okr_status
from okrs.models import (
    Activity,
    Alignment,
    Contributor,
    Cycle,
    KeyResult,
    Milestone,
    Objective,
    ProgressUpdate,
    level_rank,
)
from okrs.permissions import Access
from okrs.selectors.cycles import cycle_list
from organisations.models import Membership, Organisation

#: Points in a key result's sparkline on My OKRs (its most recent updates).
SPARKLINE_POINTS = 20
#: Updates drawn in an objective page's history chart, per key result.
HISTORY_POINTS = 200


def latest_updates(count: int) -> QuerySet[ProgressUpdate]:
    """Each key result's latest ``count`` updates (Django windows a sliced prefetch per parent)."""
    latest: QuerySet[ProgressUpdate] = ProgressUpdate.objects.select_related("author__user").order_by(
        "-created_at", "-id"
    )[:count]
    return latest


def visible_objectives(*, actor: Membership, access: Access | None = None) -> QuerySet[Objective]:
    access = access or Access(actor)
    return Objective.objects.for_actor(actor).filter(access.visible_q())


def by_level(queryset: QuerySet[Objective]) -> QuerySet[Objective]:
    """Company objectives first, then department, team and individual ones; then by title."""
    return queryset.annotate(level_rank=level_rank()).order_by("level_rank", "title", "id")


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


@dataclass(frozen=True)
class ObjectiveFilters:
    """The filters of an objective list or tree (issue: cycle, owner, team, level, status) and a
    title search; None / "" means "any"."""

    cycle_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    level: str = ""
    status: str = ""
    search: str = ""


def objective_search(
    queryset: QuerySet[Objective], *, actor: Membership, filters: ObjectiveFilters, today: date
) -> QuerySet[Objective]:
    if filters.cycle_id is not None:
        queryset = queryset.filter(cycle_id=filters.cycle_id)
    if filters.owner_id is not None:
        queryset = queryset.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.search:
        queryset = queryset.filter(Q(title__icontains=filters.search) | Q(description__icontains=filters.search))
    if filters.status:
        organisation: Organisation = actor.organisation
        cycles = list(cycle_list(actor=actor))
        queryset = queryset.filter(
            okr_status.status_q(cycles=cycles, organisation=organisation, status=filters.status, today=today)
        )
    return queryset


def _page_prefetches(
    objectives: QuerySet[Objective], *, actor: Membership, access: Access, history: int
) -> QuerySet[Objective]:
    """Key results with owners, milestones and their latest ``history`` updates, contributors,
    and the parents the actor may see (with their cycle, for their pace), in one query each."""
    visible = visible_objectives(actor=actor, access=access)
    return objectives_with_key_results(objectives).prefetch_related(
        Prefetch(
            "key_results__updates",
            queryset=latest_updates(history),
            to_attr="recent_updates",
        ),
        Prefetch("contributor_links", queryset=Contributor.objects.select_related("membership__user")),
        Prefetch(
            "parent_links",
            queryset=Alignment.objects.filter(
                Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible)
            )
            .select_related(
                "parent_objective__cycle",
                "parent_objective__owner__user",
                "parent_key_result__objective__cycle",
                "parent_key_result__objective__owner__user",
            )
            .order_by("id"),
            to_attr="visible_parent_links",
        ),
    )


def my_objectives(*, actor: Membership, cycle: Cycle, access: Access) -> QuerySet[Objective]:
    """The actor's objectives in ``cycle`` (owned or contributed to), company level first, with
    everything My OKRs draws, in a constant number of queries."""
    contributed = Contributor.objects.for_actor(actor).filter(membership=actor).values("objective_id")
    objectives = by_level(
        visible_objectives(actor=actor, access=access)
        .filter(cycle=cycle)
        .filter(Q(owner=actor) | Q(pk__in=contributed))
    )
    return _page_prefetches(objectives, actor=actor, access=access, history=SPARKLINE_POINTS)


def objective_for_page(actor: Membership, objective_id: int, *, access: Access) -> Objective:
    """One visible objective with everything its page draws (404 otherwise)."""
    objective = (
        _page_prefetches(
            visible_objectives(actor=actor, access=access), actor=actor, access=access, history=HISTORY_POINTS
        )
        .select_related("approval_by__user", "owner__manager")
        .filter(pk=objective_id)
        .first()
    )
    if objective is None:
        raise Http404("No such objective")
    return objective


def objectives_progress(actor: Membership, objective_ids: set[int], *, access: Access) -> list[Objective]:
    """Visible objectives among ``objective_ids`` with their cycle (for their stored progress and
    status)."""
    if not objective_ids:
        return []
    return list(visible_objectives(actor=actor, access=access).filter(pk__in=objective_ids).select_related("cycle"))


def objective_activity(actor: Membership, objective: Objective, *, limit: int = 30) -> list[Any]:
    """The latest entries of an objective's activity feed (the caller has checked visibility)."""
    # An entry may name another objective (the parent it was aligned to): name it only to a
    # reader who may see that objective (one subquery, so the page's query count stays constant).
    # Entries recorded before the id was kept name nothing.
    named_visible = Exists(
        Objective.objects.for_actor(actor).filter(Access(actor).visible_q(), pk=OuterRef("parent_ref"))
    )
    entries = list(
        Activity.objects.for_actor(actor)
        .filter(objective=objective)
        .select_related("actor__user")
        .annotate(parent_ref=Cast(KT("detail__parent_id"), BigIntegerField()))
        .annotate(parent_visible=named_visible)[:limit]
    )
    for entry in entries:
        entry.names_visible = entry.verb != "aligned" or bool(entry.parent_visible)
    return entries


def objectives_owned_by(
    *, actor: Membership, cycle: Cycle, owners: QuerySet[Membership], access: Access | None = None
) -> list[Objective]:
    """The visible objectives of a cycle owned by the members of ``owners`` (a subquery): one query."""
    return list(
        by_level(
            visible_objectives(actor=actor, access=access)
            .filter(cycle_id=cycle.pk, owner_id__in=owners.values("pk"))
            .select_related("team")
        )
    )
