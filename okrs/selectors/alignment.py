"""Reads of the alignment graph: links, ancestors, the candidates a child may align to, and the
objectives and edges the alignment tree (okrs.tree) is built from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from okrs import rules
from okrs.models import Alignment, Cycle, KeyResult, KeyResultSource, Objective, ObjectiveSource
from okrs.permissions import Access
from okrs.selectors.objectives import by_level, objectives_with_key_results, visible_objectives
from okrs.tree import Edge
from organisations.models import Membership


def access_alignment(actor: Membership, alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.for_actor(actor)
        .filter(pk=alignment_id, child__in=visible_objectives(actor=actor))
        .select_related("child", "parent_objective", "parent_key_result")
        .first()
    )
    if alignment is None:
        raise Http404("No such alignment")
    return alignment


def alignment_list(*, actor: Membership, access: Access | None = None) -> QuerySet[Alignment]:
    """Alignments whose child and parent the actor may both see (a link to an invisible parent
    would reveal that it exists)."""
    access = access or Access(actor)
    visible = visible_objectives(actor=actor, access=access)
    return (
        Alignment.objects.for_actor(actor)
        .filter(child__in=visible)
        .filter(Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible))
        .select_related("parent_objective", "parent_key_result__objective")
        .order_by("id")
    )


def ancestor_ids(organisation_id: int, objective_id: int) -> set[int]:
    """Every objective above ``objective_id`` through objective or key-result alignments, in one
    recursive query (the graph is a DAG, and UNION stops on repeats anyway). The loop check of
    ``alignment_create`` and the refresh of the ancestors a page shows both use it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id) AS (
                SELECT %s::bigint
                UNION
                SELECT coalesce(a.parent_objective_id, kr.objective_id)
                  FROM okrs_alignment a
                  LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id AND kr.organisation_id = %s
                  JOIN up ON a.child_id = up.id
                 WHERE a.organisation_id = %s
            ) SELECT id FROM up WHERE id <> %s
            """,
            [objective_id, organisation_id, organisation_id, objective_id],
        )
        return {row[0] for row in cursor.fetchall() if row[0] is not None}


def objective_child_links(actor: Membership, objective: Objective, *, access: Access) -> list[Alignment]:
    """Visible objectives aligned to ``objective`` or to one of its key results."""
    return list(
        Alignment.objects.for_actor(actor)
        .filter(Q(parent_objective=objective) | Q(parent_key_result__objective=objective))
        .filter(child__in=visible_objectives(actor=actor, access=access))
        .select_related("child__cycle", "child__owner__user", "parent_key_result")
        .order_by("child__title", "id")
    )


def alignment_candidates(
    actor: Membership, child: Objective, *, query: str, access: Access, limit: int = 20
) -> list[Objective]:
    """Objectives (with their key results) that ``child`` could align to: visible, of its cycle
    or of a cycle containing it, not itself; matching ``query`` in their or a key result's title."""
    cycle = child.cycle
    objectives = (
        visible_objectives(actor=actor, access=access)
        .filter(cycle__start_date__lte=cycle.start_date, cycle__end_date__gte=cycle.end_date)
        .exclude(pk=child.pk)
    )
    query = query.strip()
    if query:
        matching_krs = KeyResult.objects.for_actor(actor).filter(title__icontains=query).values("objective_id")
        objectives = objectives.filter(Q(title__icontains=query) | Q(pk__in=matching_krs))
    return list(
        by_level(
            objectives.select_related("cycle", "owner__user").prefetch_related(
                Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
            )
        )[:limit]
    )


def tree_objectives(
    *, actor: Membership, cycle: Cycle, objectives: QuerySet[Objective], with_key_results: bool = False
) -> list[Objective]:
    """The objectives of a tree (``objectives``: visible and filtered) with owner and team, company
    level first: one query (plus the key results when asked)."""
    queryset = objectives.filter(cycle_id=cycle.pk).select_related("owner__user", "team")
    if with_key_results:
        queryset = objectives_with_key_results(queryset)
    found = list(by_level(queryset))
    for objective in found:
        objective.cycle = cycle  # one cycle for all: no query per objective
    return found


def tree_edges(*, actor: Membership, cycle: Cycle) -> list[Edge]:
    """Every alignment whose child is in the cycle, as edges from the child to the parent
    objective (directly, or through one of its key results). The tree keeps only the edges
    between objectives the actor may see."""
    rows = (
        Alignment.objects.for_actor(actor)
        .filter(child__cycle_id=cycle.pk)
        .order_by("id")
        .values_list(
            "child_id",
            "parent_objective_id",
            "parent_key_result_id",
            "parent_key_result__objective_id",
            "parent_key_result__title",
        )
    )
    return [
        Edge(child_id=child, parent_id=parent or kr_parent, via_key_result_id=kr_id, via_title=kr_title or "")
        for child, parent, kr_id, kr_parent, kr_title in rows
    ]


@dataclass(frozen=True)
class AlignPreview:
    """What aligning the child (weight 1, counted) would do to one candidate parent's progress:
    ``before`` and ``after`` as (progress, measured); ``moves`` False when the parent's progress
    does not come from aligned objectives (its own key results, or a key result updated by hand)."""

    before: tuple[Decimal, bool]
    after: tuple[Decimal, bool]
    moves: bool = True


def alignment_previews(actor: Membership, child: Objective, candidates: list[Objective]) -> None:
    """Attach ``preview`` (an ``AlignPreview``) to each candidate objective and each of its key
    results, by the roll-up's own rule (okrs.rules.mean_of_measured), before anything is saved:
    one query for the candidates' current aligned children."""
    objective_ids = [o.pk for o in candidates]
    kr_ids = [k.pk for o in candidates for k in o.key_results.all()]
    inputs: dict[tuple[str, int], list[rules.Input]] = defaultdict(list)
    links = Alignment.objects.for_actor(actor).filter(counts_toward_progress=True).exclude(child_id=child.pk)
    for parent_objective, parent_kr, weight, progress, measured in links.filter(
        Q(parent_objective_id__in=objective_ids) | Q(parent_key_result_id__in=kr_ids)
    ).values_list("parent_objective_id", "parent_key_result_id", "weight", "child__progress", "child__measured"):
        key = ("objective", parent_objective) if parent_objective else ("key_result", parent_kr)
        inputs[key].append((weight, progress, measured))
    new: rules.Input = (Decimal(1), child.progress, child.measured)
    for objective in candidates:
        krs = list(objective.key_results.all())
        for kr in krs:
            if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
                now = inputs[("key_result", kr.pk)]
                kr.preview = AlignPreview(rules.mean_of_measured(now), rules.mean_of_measured([*now, new]))  # type: ignore[attr-defined]
            else:
                kr.preview = AlignPreview((kr.progress, kr.measured), (kr.progress, kr.measured), moves=False)  # type: ignore[attr-defined]
        before = (objective.progress, objective.measured)
        if objective.progress_source == ObjectiveSource.KEY_RESULTS:
            objective.preview = AlignPreview(before, before, moves=False)  # type: ignore[attr-defined]
            continue
        kr_inputs = [(kr.weight, kr.progress, kr.measured) for kr in krs]
        children = inputs[("objective", objective.pk)]
        own = kr_inputs if objective.progress_source == ObjectiveSource.BOTH else []
        objective.preview = AlignPreview(before, rules.mean_of_measured([*own, *children, new]))  # type: ignore[attr-defined]
