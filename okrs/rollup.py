"""Recompute stored progress after a change, for every affected ancestor, in the same transaction.

Concurrency. Two kinds of writer take two kinds of lock, both held until the transaction ends:

- A **progress update** (the frequent write: people posting numbers) takes the organisation's
  roll-up lock *shared*, then row locks on exactly what it will write: the key result and its
  ancestor closure (its objective, every objective and aligned key result above it, found by a
  recursive query), objectives first and then key results, each in id order. Two updates whose
  closures meet (the same key result, siblings under one parent) queue on the first shared row
  and the second reads what the first committed, so no update is lost; updates in different
  subtrees run at once. One fixed order for every such writer rules out deadlocks, also where
  chains cross (an objective may support several parents).
- A **structural change** (creating, editing or deleting objectives, key results and alignments,
  scoring, closing a cycle) takes the same lock *exclusively*: it waits for the updates in flight
  and holds new ones off. The closure an update locked therefore cannot change under it, which is
  what makes locking it enough. Those changes are rare and human-paced; serialising them per
  organisation costs nothing noticeable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from okrs import rules
from okrs.models import Alignment, CycleState, KeyResult, KeyResultSource, Milestone, Objective, ObjectiveSource

ROLLUP_LOCK_NAMESPACE = 0x0C5  # first key of pg_advisory_xact_lock(int, int)


def lock_organisation(organisation_id: int) -> None:
    """For a structural change: wait for every roll-up in flight in the organisation, hold off new ones."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK_NAMESPACE, organisation_id])


# The key result, its objective and everything above it: the rows a progress update may write.
# Every alignment link is followed, counting or not: a superset of what propagate() rewrites.
_CLOSURE = """
    WITH RECURSIVE up(objective_id, key_result_id) AS (
        SELECT kr.objective_id, kr.id FROM okrs_keyresult kr
        WHERE kr.id = %(key_result)s AND kr.organisation_id = %(organisation)s
      UNION
        SELECT coalesce(link.parent_objective_id, parent_kr.objective_id), link.parent_key_result_id
        FROM up
        JOIN okrs_alignment link ON link.child_id = up.objective_id AND link.organisation_id = %(organisation)s
        LEFT JOIN okrs_keyresult parent_kr ON parent_kr.id = link.parent_key_result_id
    )
"""


def lock_for_progress(organisation_id: int, *, key_result_id: int) -> None:
    """For a progress update of one key result: share the organisation's roll-up lock, then lock
    the rows the roll-up will write, in the one order every progress update uses."""
    params = {"organisation": organisation_id, "key_result": key_result_id}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [ROLLUP_LOCK_NAMESPACE, organisation_id])
        cursor.execute(
            _CLOSURE  # noqa: S608  # constants only; the values are parameters
            + "SELECT o.id FROM okrs_objective o WHERE o.id IN (SELECT objective_id FROM up) "
            "AND o.organisation_id = %(organisation)s ORDER BY o.id FOR UPDATE",
            params,
        )
        cursor.execute(
            _CLOSURE  # noqa: S608  # constants only; the values are parameters
            + "SELECT kr.id FROM okrs_keyresult kr WHERE kr.id IN (SELECT key_result_id FROM up) "
            "AND kr.organisation_id = %(organisation)s ORDER BY kr.id FOR UPDATE",
            params,
        )


def key_result_measured_progress(kr: KeyResult) -> Decimal:
    milestones: list[tuple[Decimal, bool]] = []
    if kr.kind == "milestones":
        milestones = list(Milestone.objects.for_actor(kr).filter(key_result=kr).values_list("weight", "done"))
    return rules.measured_progress(
        kr.kind, start=kr.start_value, target=kr.target_value, current=kr.current_value, milestones=milestones
    )


ChildProgress = dict[tuple[str, int], list[rules.Input]]

#: A cycle in these states carries scores: every objective's score is kept current with its inputs.
SCORED_STATES = (CycleState.REVIEW, CycleState.CLOSED)


def _children_progress(
    organisation_id: int, *, objective_ids: Iterable[int] = (), key_result_ids: Iterable[int] = ()
) -> ChildProgress:
    """(parent key, [(weight, child progress, child measured)]) for aligned children that count
    toward progress."""
    found: ChildProgress = defaultdict(list)
    objective_ids, key_result_ids = list(objective_ids), list(key_result_ids)
    links = Alignment.objects.in_organisation(organisation_id).filter(counts_toward_progress=True)
    if objective_ids:
        for parent, weight, progress, measured in links.filter(parent_objective_id__in=objective_ids).values_list(
            "parent_objective_id", "weight", "child__progress", "child__measured"
        ):
            found[("objective", parent)].append((weight, progress, measured))
    if key_result_ids:
        for parent, weight, progress, measured in links.filter(parent_key_result_id__in=key_result_ids).values_list(
            "parent_key_result_id", "weight", "child__progress", "child__measured"
        ):
            found[("key_result", parent)].append((weight, progress, measured))
    return found


_STORED = ["progress", "measured", "worst_key_result_progress", "worst_confidence", "last_update_at", "score"]


def recompute_objectives(organisation_id: int, objective_ids: set[int]) -> set[int]:
    """Recompute the stored values of these objectives (and, in review or closed cycles, their
    scores); return the ids whose progress or measuredness changed (what their parents read)."""
    if not objective_ids:
        return set()
    objectives = list(
        Objective.objects.in_organisation(organisation_id).filter(id__in=objective_ids).select_related("cycle")
    )
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in (
        KeyResult.objects.in_organisation(organisation_id)
        .filter(objective_id__in=objective_ids)
        .only("id", "objective_id", "weight", "progress", "measured", "confidence", "last_update_at", "score")
    ):
        key_results[kr.objective_id].append(kr)
    children = _children_progress(organisation_id, objective_ids=objective_ids)
    changed: set[int] = set()
    dirty: list[Objective] = []
    for objective in objectives:
        krs = key_results.get(objective.pk, [])
        kr_inputs = [(kr.weight, kr.progress, kr.measured) for kr in krs]
        child_inputs = children.get(("objective", objective.pk), [])
        if objective.progress_source == ObjectiveSource.KEY_RESULTS:
            progress, measured = rules.mean_of_measured(kr_inputs)
        elif objective.progress_source == ObjectiveSource.ALIGNED_CHILDREN:
            progress, measured = rules.mean_of_measured(child_inputs)
        else:
            progress, measured = rules.mean_of_measured([*kr_inputs, *child_inputs])
        # A key result with nothing to measure has no pace: it cannot be the worst one.
        worst_kr = min((kr.progress for kr in krs if kr.measured), default=None)
        worst_confidence = rules.worst(*(kr.confidence for kr in krs)) or ""
        last_update = max((kr.last_update_at for kr in krs if kr.last_update_at), default=None)
        score = (
            rules.score_mean((kr.weight, kr.score, kr.progress, kr.measured) for kr in krs)
            if objective.cycle.state in SCORED_STATES
            else None
        )
        new = (progress, measured, worst_kr, worst_confidence, last_update, score)
        old = tuple(getattr(objective, field) for field in _STORED)
        if new != old:
            if (progress, measured) != (objective.progress, objective.measured):
                changed.add(objective.pk)
            for field, value in zip(_STORED, new, strict=True):
                setattr(objective, field, value)
            dirty.append(objective)
    if dirty:
        Objective.objects.bulk_update(dirty, _STORED)
    return changed


def recompute_aligned_key_results(organisation_id: int, key_result_ids: set[int]) -> set[int]:
    """Recompute key results whose progress comes from aligned children; return the objective
    ids of those whose progress changed."""
    krs = list(
        KeyResult.objects.in_organisation(organisation_id).filter(
            id__in=key_result_ids, progress_source=KeyResultSource.ALIGNED_CHILDREN
        )
    )
    children = _children_progress(organisation_id, key_result_ids=[kr.pk for kr in krs])
    dirty = []
    for kr in krs:
        progress, measured = rules.mean_of_measured(children.get(("key_result", kr.pk), []))
        if (progress, measured) != (kr.progress, kr.measured):
            kr.progress, kr.measured = progress, measured
            dirty.append(kr)
    if dirty:
        KeyResult.objects.bulk_update(dirty, ["progress", "measured"])
    return {kr.objective_id for kr in dirty}


def propagate(organisation_id: int, objective_ids: set[int]) -> None:
    """Recompute ``objective_ids`` and then, wave by wave, every ancestor whose inputs changed.

    Each wave reads the values the previous one stored, so a node reached by two paths of
    different lengths is recomputed again when its later input changes. The graph is a DAG
    (alignment_create refuses loops), so the waves end.
    """
    # Parents depend only on progress: an objective whose other stored values (confidence,
    # last update) changed but whose progress did not stops the walk.
    pending = recompute_objectives(organisation_id, objective_ids)
    while pending:
        parent_objectives: set[int] = set()
        parent_key_results: set[int] = set()
        for parent_objective, parent_key_result in (
            Alignment.objects.in_organisation(organisation_id)
            .filter(child_id__in=pending)
            .values_list("parent_objective_id", "parent_key_result_id")
        ):
            if parent_objective:
                parent_objectives.add(parent_objective)
            if parent_key_result:
                parent_key_results.add(parent_key_result)
        parent_objectives |= recompute_aligned_key_results(organisation_id, parent_key_results)
        pending = recompute_objectives(organisation_id, parent_objectives)


def refresh_key_result(kr: KeyResult) -> None:
    """Store ``kr``'s progress from its own values (manual) and roll up from its objective."""
    if kr.progress_source == KeyResultSource.MANUAL:
        progress, measured = key_result_measured_progress(kr), True
    else:
        progress, measured = rules.mean_of_measured(
            _children_progress(kr.organisation_id, key_result_ids=[kr.pk]).get(("key_result", kr.pk), [])
        )
    if (progress, measured) != (kr.progress, kr.measured):
        kr.progress, kr.measured = progress, measured
        KeyResult.objects.for_actor(kr).filter(pk=kr.pk).update(progress=progress, measured=measured)
    propagate(kr.organisation_id, {kr.objective_id})


def rescore_cycle(organisation_id: int, cycle_id: int) -> None:
    """A cycle's state changed: give its objectives the score the new state says (a score in
    review and after the close, none before)."""
    lock_organisation(organisation_id)
    recompute_objectives(
        organisation_id,
        set(Objective.objects.in_organisation(organisation_id).filter(cycle_id=cycle_id).values_list("id", flat=True)),
    )


def recompute_everything(organisation_id: int) -> None:
    """From scratch, for repairs and for the property tests' reference: every manual key result
    from its values, then objectives and aligned key results until nothing changes."""
    for kr in KeyResult.objects.in_organisation(organisation_id).filter(progress_source=KeyResultSource.MANUAL):
        progress = key_result_measured_progress(kr)
        if (progress, True) != (kr.progress, kr.measured):
            KeyResult.objects.filter(pk=kr.pk).update(progress=progress, measured=True)
    all_objectives = set(Objective.objects.in_organisation(organisation_id).values_list("id", flat=True))
    all_aligned = set(
        KeyResult.objects.in_organisation(organisation_id)
        .filter(progress_source=KeyResultSource.ALIGNED_CHILDREN)
        .values_list("id", flat=True)
    )
    for _ in range(len(all_objectives) + 2):  # longest path bound
        changed = recompute_objectives(organisation_id, all_objectives)
        changed_kr_objectives = recompute_aligned_key_results(organisation_id, all_aligned)
        if not changed and not changed_kr_objectives:
            break
