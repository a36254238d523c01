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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

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


#: An objective's stored roll-up values, with their SQL types (for ``_store``).
_STORED_TYPES = {
    "progress": "numeric",
    "measured": "boolean",
    "worst_key_result_progress": "numeric",
    "worst_confidence": "text",
    "last_update_at": "timestamptz",
    "score": "numeric",
}
_STORED = list(_STORED_TYPES)

_KR_FIELDS = ("id", "objective_id", "weight", "progress", "measured", "confidence", "last_update_at", "score")


def _recomputed(objective: Objective, krs: list[KeyResult], child_inputs: list[rules.Input]) -> bool | None:
    """Give ``objective`` the stored values its inputs say (in memory). None when nothing
    changed; else whether its progress or measuredness did (what its parents read)."""
    kr_inputs = [(kr.weight, kr.progress, kr.measured) for kr in krs]
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
    if new == old:
        return None
    progress_changed = (progress, measured) != (objective.progress, objective.measured)
    for field, value in zip(_STORED, new, strict=True):
        setattr(objective, field, value)
    return progress_changed


def _store(organisation_id: int, rows: Sequence[Objective | KeyResult], types: dict[str, str]) -> None:
    """Write the fields ``types`` names (field → SQL type) of ``rows`` in one statement: an
    UPDATE from arrays. ``bulk_update`` builds a CASE expression per field and row, which cost a
    progress update more Python time than all of its SQL took."""
    if not rows:
        return
    meta = rows[0]._meta
    column_of = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = [column_of[name] for name in types]
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{sql_type}[]" for sql_type in types.values())])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} t SET {assignments} FROM unnest({arrays}) AS v(id, {', '.join(columns)}) "  # noqa: S608  # names from the model
            "WHERE t.id = v.id AND t.organisation_id = %s",
            [[row.pk for row in rows], *([getattr(row, name) for row in rows] for name in types), organisation_id],
        )


def store_objectives(organisation_id: int, objectives: Sequence[Objective]) -> None:
    """Write the roll-up's stored values of ``objectives`` in one statement."""
    _store(organisation_id, objectives, _STORED_TYPES)


def store_key_result_progress(organisation_id: int, key_results: Sequence[KeyResult]) -> None:
    """Write the progress of aligned key results in one statement."""
    _store(organisation_id, key_results, {"progress": "numeric", "measured": "boolean"})


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
        KeyResult.objects.in_organisation(organisation_id).filter(objective_id__in=objective_ids).only(*_KR_FIELDS)
    ):
        key_results[kr.objective_id].append(kr)
    children = _children_progress(organisation_id, objective_ids=objective_ids)
    changed: set[int] = set()
    dirty: list[Objective] = []
    for objective in objectives:
        outcome = _recomputed(
            objective, key_results.get(objective.pk, []), children.get(("objective", objective.pk), [])
        )
        if outcome is not None:
            dirty.append(objective)
            if outcome:
                changed.add(objective.pk)
    store_objectives(organisation_id, dirty)
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
    store_key_result_progress(organisation_id, dirty)
    return {kr.objective_id for kr in dirty}


# The objectives ``propagate`` may reach: the given ones and everything above them, through every
# alignment link (counting or not), as the waves below walk them.
_ABOVE = """
    WITH RECURSIVE up(id) AS (
        SELECT unnest(%s::bigint[])
      UNION
        SELECT coalesce(link.parent_objective_id, parent_kr.objective_id)
        FROM up
        JOIN okrs_alignment link ON link.child_id = up.id AND link.organisation_id = %s
        LEFT JOIN okrs_keyresult parent_kr ON parent_kr.id = link.parent_key_result_id AND parent_kr.organisation_id = %s
    ) SELECT id FROM up WHERE id IS NOT NULL
"""


@dataclass
class _Link:
    child_id: int
    parent_objective_id: int | None
    parent_key_result_id: int | None
    weight: Decimal
    counts: bool
    #: The child's stored values, for a child outside the graph (one that no wave rewrites).
    child_progress: Decimal
    child_measured: bool


def propagate(organisation_id: int, objective_ids: set[int]) -> None:
    """Recompute ``objective_ids`` and then, wave by wave, every ancestor whose inputs changed.

    Each wave reads the values the previous one stored, so a node reached by two paths of
    different lengths is recomputed again when its later input changes. The graph is a DAG
    (alignment_create refuses loops), so the waves end.

    Set-based: the objectives above ``objective_ids`` (one recursive query), their key results,
    and every link into them (with the child's progress) are read once; the waves run in memory
    and the rows that changed are written with one statement per table. Five queries however
    deep the chain, where a query per table per wave made a 5-level update cost 30. Whoever
    calls this holds the locks on those rows (``lock_for_progress`` or ``lock_organisation``),
    so nothing read here changes before the writes.
    """
    if not objective_ids:
        return
    objectives = {
        o.pk: o
        for o in Objective.objects.in_organisation(organisation_id)
        .filter(id__in=RawSQL(_ABOVE, [sorted(objective_ids), organisation_id, organisation_id]))  # noqa: S611
        .select_related("cycle")
    }
    key_results: dict[int, list[KeyResult]] = defaultdict(list)
    kr_by_id: dict[int, KeyResult] = {}
    for kr in (
        KeyResult.objects.in_organisation(organisation_id)
        .filter(objective_id__in=list(objectives))
        .only(*_KR_FIELDS, "progress_source")
    ):
        key_results[kr.objective_id].append(kr)
        kr_by_id[kr.pk] = kr
    links = [
        _Link(*row)
        for row in Alignment.objects.in_organisation(organisation_id)
        .filter(Q(parent_objective_id__in=list(objectives)) | Q(parent_key_result_id__in=list(kr_by_id)))
        .values_list(
            "child_id",
            "parent_objective_id",
            "parent_key_result_id",
            "weight",
            "counts_toward_progress",
            "child__progress",
            "child__measured",
        )
    ]
    up_links: dict[int, list[_Link]] = defaultdict(list)
    into: dict[tuple[str, int], list[_Link]] = defaultdict(list)
    for link in links:
        up_links[link.child_id].append(link)
        if link.counts:
            parent = (
                ("objective", link.parent_objective_id)
                if link.parent_objective_id
                else ("key_result", link.parent_key_result_id or 0)
            )
            into[parent].append(link)

    def inputs(parent: tuple[str, int]) -> list[rules.Input]:
        found = []
        for link in into.get(parent, []):
            child = objectives.get(link.child_id)
            if child is not None:  # rewritten by an earlier wave, perhaps: its current values
                found.append((link.weight, child.progress, child.measured))
            else:
                found.append((link.weight, link.child_progress, link.child_measured))
        return found

    dirty_objectives: dict[int, Objective] = {}
    dirty_key_results: dict[int, KeyResult] = {}

    def recompute(ids: set[int]) -> set[int]:
        changed = set()
        for pk in ids:
            objective = objectives[pk]
            outcome = _recomputed(objective, key_results.get(pk, []), inputs(("objective", pk)))
            if outcome is not None:
                dirty_objectives[pk] = objective
                if outcome:
                    changed.add(pk)
        return changed

    # Parents depend only on progress: an objective whose other stored values (confidence,
    # last update) changed but whose progress did not stops the walk.
    pending = recompute({pk for pk in objective_ids if pk in objectives})
    while pending:
        parent_objectives: set[int] = set()
        parent_key_results: set[int] = set()
        for pk in pending:
            for link in up_links.get(pk, []):
                if link.parent_objective_id:
                    parent_objectives.add(link.parent_objective_id)
                if link.parent_key_result_id:
                    parent_key_results.add(link.parent_key_result_id)
        for kr_id in parent_key_results:
            aligned = kr_by_id.get(kr_id)
            if aligned is None or aligned.progress_source != KeyResultSource.ALIGNED_CHILDREN:
                continue
            progress, measured = rules.mean_of_measured(inputs(("key_result", kr_id)))
            if (progress, measured) != (aligned.progress, aligned.measured):
                aligned.progress, aligned.measured = progress, measured
                dirty_key_results[kr_id] = aligned
                parent_objectives.add(aligned.objective_id)
        pending = recompute(parent_objectives)
    store_key_result_progress(organisation_id, list(dirty_key_results.values()))
    store_objectives(organisation_id, list(dirty_objectives.values()))


def refresh_key_result(kr: KeyResult, *, changed: Sequence[str] = ()) -> None:
    """Store ``kr``'s progress from its own values (manual) and roll up from its objective.

    ``changed``: fields the caller set on ``kr`` and has not saved (a progress update's value,
    confidence and time), written in the same statement as the progress.
    """
    if kr.progress_source == KeyResultSource.MANUAL:
        progress, measured = key_result_measured_progress(kr), True
    else:
        progress, measured = rules.mean_of_measured(
            _children_progress(kr.organisation_id, key_result_ids=[kr.pk]).get(("key_result", kr.pk), [])
        )
    fields = list(changed)
    if (progress, measured) != (kr.progress, kr.measured):
        kr.progress, kr.measured = progress, measured
        fields += ["progress", "measured"]
    if fields:
        KeyResult.objects.for_actor(kr).filter(pk=kr.pk).update(**{name: getattr(kr, name) for name in fields})
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
