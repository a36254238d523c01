"""Writes for OKRs. Keyword-only, atomic; every rule of the OKR issue lives here.

Every change that can move progress ends with okrs.rollup under the organisation's roll-up
lock, so stored progress is always consistent with the tree when the transaction commits.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from okrs import rollup
from okrs.models import (
    Activity,
    Alignment,
    Contributor,
    Cycle,
    CycleKind,
    CycleState,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Milestone,
    Objective,
    ObjectiveSource,
    ProgressUpdate,
    Status,
)
from okrs.permissions import Access
from organisations.models import Membership, Organisation, Role, Team
from organisations.selectors import require_role

# ---------------------------------------------------------------- cycles


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def fiscal_year_label(organisation: Organisation, start_year: int) -> str:
    return (
        f"FY{start_year}"
        if organisation.fiscal_year_start_month == 1
        else f"FY{start_year}/{(start_year + 1) % 100:02d}"
    )


def state_on(cycle: Cycle, today: date) -> str:
    if today < cycle.start_date:
        return CycleState.PLANNING
    if today <= cycle.end_date:
        return CycleState.ACTIVE
    if today <= cycle.end_date + timedelta(days=cycle.review_window_days):
        return CycleState.REVIEW
    return CycleState.CLOSED


@transaction.atomic
def cycles_generate_year(*, actor: Membership, start_year: int, today: date | None = None) -> list[Cycle]:
    """The annual cycle of the fiscal year starting in ``start_year`` and its four quarters."""
    require_role(actor, Role.ADMIN)
    organisation = Organisation.objects.get(pk=actor.organisation_id)
    month = organisation.fiscal_year_start_month
    start = date(start_year, month, 1)
    if Cycle.objects.filter(organisation_id=organisation.pk, kind=CycleKind.YEAR, start_date=start).exists():
        raise ValidationError({"start_year": f"{fiscal_year_label(organisation, start_year)} already exists."})
    today = today or timezone.localdate()
    end_year, end_month = _add_months(start_year, month, 11)
    label = fiscal_year_label(organisation, start_year)
    year = Cycle(
        organisation_id=organisation.pk,
        name=label,
        kind=CycleKind.YEAR,
        start_date=start,
        end_date=_month_end(end_year, end_month),
    )
    year.state = state_on(year, today)
    year.save()
    cycles = [year]
    for quarter in range(4):
        q_year, q_month = _add_months(start_year, month, quarter * 3)
        e_year, e_month = _add_months(start_year, month, quarter * 3 + 2)
        cycle = Cycle(
            organisation_id=organisation.pk,
            name=f"Q{quarter + 1} {label}",
            kind=CycleKind.QUARTER,
            start_date=date(q_year, q_month, 1),
            end_date=_month_end(e_year, e_month),
            parent=year,
        )
        cycle.state = state_on(cycle, today)
        if Cycle.objects.filter(
            organisation_id=organisation.pk, kind=CycleKind.QUARTER, start_date=cycle.start_date
        ).exists():
            raise ValidationError({"start_year": f"A quarter starting {cycle.start_date} already exists."})
        cycle.save()
        cycles.append(cycle)
    return cycles


@transaction.atomic
def cycle_create_custom(
    *, actor: Membership, name: str, start_date: date, end_date: date, review_window_days: int = 7
) -> Cycle:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError({"name": "Name the cycle, e.g. “Launch sprint”."})
    if end_date < start_date:
        raise ValidationError({"end_date": "The end must be on or after the start."})
    if not 0 <= review_window_days <= 60:
        raise ValidationError({"review_window_days": "Between 0 and 60 days."})
    cycle = Cycle(
        organisation_id=actor.organisation_id,
        name=name.strip(),
        kind=CycleKind.CUSTOM,
        start_date=start_date,
        end_date=end_date,
        review_window_days=review_window_days,
    )
    cycle.state = state_on(cycle, timezone.localdate())
    cycle.save()
    return cycle


@transaction.atomic
def cycle_set_state(*, actor: Membership, cycle: Cycle, state: str) -> Cycle:
    """An admin moves a cycle by hand; the daily task then leaves it alone."""
    require_role(actor, Role.ADMIN)
    if state not in CycleState.values:
        raise ValidationError({"state": "Choose planning, active, review or closed."})
    cycle.state = state
    cycle.state_pinned = True
    cycle.save(update_fields=["state", "state_pinned"])
    return cycle


def cycles_advance(*, organisation_id: int, today: date) -> int:
    """Move every unpinned cycle of the organisation to the state its dates say (periodic task)."""
    moved = 0
    for cycle in Cycle.objects.filter(organisation_id=organisation_id, state_pinned=False):
        state = state_on(cycle, today)
        if state != cycle.state:
            Cycle.objects.filter(pk=cycle.pk).update(state=state)
            moved += 1
    return moved


# ---------------------------------------------------------------- guards


def allow_history_deletion() -> None:
    """Let this transaction delete progress updates, because it deletes their key result (the
    append-only trigger refuses any other DELETE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.deleting_history', 'on', true)")


def _record(objective: Objective, actor: Membership | None, verb: str, **detail: Any) -> None:
    closed = objective.cycle.state == CycleState.CLOSED  # an admin's edit of a closed cycle is audited
    Activity.objects.create(
        organisation_id=objective.organisation_id,
        objective=objective,
        actor=actor,
        verb=verb,
        detail=detail,
        closed_cycle_edit=closed,
    )


def _contributor_ids(objective: Objective) -> set[int]:
    return set(
        Contributor.objects.filter(organisation_id=objective.organisation_id, objective=objective).values_list(
            "membership_id", flat=True
        )
    )


def check_can_edit(actor: Membership, objective: Objective, *, key_result: KeyResult | None = None) -> None:
    """Raise PermissionDenied unless ``actor`` may change ``objective`` (or, with ``key_result``,
    update that key result, which its owner may do too); a closed cycle needs an admin."""
    cycle = Cycle.objects.get(organisation_id=objective.organisation_id, pk=objective.cycle_id)
    objective.cycle = cycle
    if cycle.state == CycleState.CLOSED and not actor.has_role(Role.ADMIN):
        raise PermissionDenied("This cycle is closed: only an HR admin can change its OKRs (and it is recorded).")
    if key_result is not None and key_result.owner_id == actor.pk:
        return
    if not Access(actor).can_edit(objective, _contributor_ids(objective)):
        raise PermissionDenied("You can change your own objectives, those you contribute to and your team's.")


def _same_org(actor: Membership, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            raise ValidationError("That belongs to another organisation.")


VALUE_PLACES = Decimal("0.0001")  # the scale of the value columns (okrs.models.value_field)


def _as_stored(value: Decimal) -> Decimal:
    """Round a key result value as its numeric(20, 4) column will (half away from zero), so
    progress is computed from the value that is stored, not from extra digits that were typed."""
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter a number, e.g. 42 or 3.5."}) from None
    if not result.is_finite() or abs(result) >= Decimal("1e16"):
        raise ValidationError({field: "Enter a number of reasonable size."})
    return result


# ---------------------------------------------------------------- objectives


@dataclass
class ObjectiveData:
    title: str
    cycle: Cycle
    owner: Membership
    level: str = "individual"
    kind: str = "standard"
    description: str = ""
    team: Team | None = None
    visibility: str = "organisation"
    progress_source: str = ObjectiveSource.KEY_RESULTS
    tags: list[str] | None = None
    contributors: list[Membership] | None = None


def _validate_objective(actor: Membership, data: ObjectiveData, current: Objective | None = None) -> None:
    _same_org(actor, data.cycle, data.owner, data.team, *(data.contributors or []))
    if not data.title.strip():
        raise ValidationError({"title": "Say what you want to achieve."})
    if data.cycle.state == CycleState.CLOSED and not actor.has_role(Role.ADMIN):
        raise ValidationError({"cycle": "That cycle is closed."})
    # On an edit the owner and level rules apply to a change of them: a contributor may edit an
    # objective someone else owns without being refused for "creating it for someone else".
    owner_set = current is None or data.owner.pk != current.owner_id
    if owner_set and data.owner.pk != actor.pk and not actor.has_role(Role.MANAGER):
        raise ValidationError({"owner": "Only managers and admins create objectives for someone else."})
    level_set = owner_set or current is None or data.level != current.level
    if (
        level_set
        and data.level in ("company", "department")
        and not actor.has_role(Role.ADMIN)
        and data.owner.pk != actor.pk
    ):
        raise ValidationError({"level": "Company and department objectives are set by their owners or admins."})


def _tags(tags: list[str] | None) -> list[str]:
    cleaned = []
    for tag in tags or []:
        tag = tag.strip().lower()[:40]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:20]


@transaction.atomic
def objective_create(*, actor: Membership, data: ObjectiveData) -> Objective:
    _validate_objective(actor, data)
    objective = Objective.objects.create(
        organisation_id=actor.organisation_id,
        cycle=data.cycle,
        title=data.title.strip(),
        description=data.description.strip(),
        level=data.level,
        kind=data.kind,
        owner=data.owner,
        team=data.team,
        visibility=data.visibility,
        progress_source=data.progress_source,
        tags=_tags(data.tags),
    )
    for member in data.contributors or []:
        Contributor.objects.create(organisation_id=actor.organisation_id, objective=objective, membership=member)
    _record(objective, actor, "created")
    return objective


@transaction.atomic
def objective_update(*, actor: Membership, objective: Objective, data: ObjectiveData) -> Objective:
    check_can_edit(actor, objective)
    _validate_objective(actor, data, current=objective)
    rollup.lock_organisation(actor.organisation_id)
    source_changed = data.progress_source != objective.progress_source
    for field in ("level", "kind", "team", "visibility", "progress_source", "owner", "cycle"):
        setattr(objective, field, getattr(data, field))
    objective.title, objective.description, objective.tags = (
        data.title.strip(),
        data.description.strip(),
        _tags(data.tags),
    )
    objective.save()
    if data.contributors is not None:
        wanted = {m.pk for m in data.contributors}
        Contributor.objects.filter(organisation_id=actor.organisation_id, objective=objective).exclude(
            membership_id__in=wanted
        ).delete()
        have = _contributor_ids(objective)
        for member in data.contributors:
            if member.pk not in have:
                Contributor.objects.create(
                    organisation_id=actor.organisation_id, objective=objective, membership=member
                )
    _record(objective, actor, "edited")
    if source_changed:
        rollup.propagate(actor.organisation_id, {objective.pk})
    return objective


@transaction.atomic
def objective_delete(*, actor: Membership, objective: Objective) -> None:
    check_can_edit(actor, objective)
    rollup.lock_organisation(actor.organisation_id)
    parents = set(
        Alignment.objects.filter(organisation_id=actor.organisation_id, child=objective).values_list(
            "parent_objective_id", "parent_key_result_id"
        )
    )
    allow_history_deletion()
    objective.delete()
    parent_objectives = {p for p, _ in parents if p}
    parent_objectives |= rollup.recompute_aligned_key_results(actor.organisation_id, {k for _, k in parents if k})
    rollup.propagate(actor.organisation_id, parent_objectives)


# ---------------------------------------------------------------- key results


@dataclass
class KeyResultData:
    title: str
    owner: Membership
    kind: str = KeyResultKind.NUMBER
    start_value: Any = 0
    target_value: Any = 1
    unit: str = ""
    currency: str = ""
    weight: Any = 1
    progress_source: str = KeyResultSource.MANUAL
    milestones: list[str] | None = None


def _validate_key_result(actor: Membership, data: KeyResultData) -> tuple[Decimal, Decimal, Decimal]:
    _same_org(actor, data.owner)
    if not data.title.strip():
        raise ValidationError({"title": "Say how you will measure it."})
    if data.kind not in KeyResultKind.values:
        raise ValidationError({"kind": "Choose a kind."})
    start, target, weight = (
        _as_stored(_decimal(data.start_value, "start_value")),
        _as_stored(_decimal(data.target_value, "target_value")),
        _decimal(data.weight, "weight"),
    )
    if weight < 0:
        raise ValidationError({"weight": "The weight cannot be negative."})
    if data.kind in (KeyResultKind.NUMBER, KeyResultKind.PERCENTAGE, KeyResultKind.CURRENCY) and start == target:
        raise ValidationError({"target_value": "The target must differ from the start."})
    if data.kind == KeyResultKind.CURRENCY and len(data.currency.strip()) != 3:
        raise ValidationError({"currency": "Give a three-letter currency code, e.g. EUR."})
    if data.kind == KeyResultKind.BOOLEAN:
        start, target = Decimal(0), Decimal(1)
    if (
        data.kind == KeyResultKind.MILESTONES
        and data.progress_source == KeyResultSource.MANUAL
        and not [m for m in data.milestones or [] if m.strip()]
    ):
        raise ValidationError({"milestones": "List at least one milestone."})
    return start, target, weight


@transaction.atomic
def key_result_create(*, actor: Membership, objective: Objective, data: KeyResultData) -> KeyResult:
    check_can_edit(actor, objective)
    start, target, weight = _validate_key_result(actor, data)
    rollup.lock_organisation(actor.organisation_id)
    position = KeyResult.objects.filter(organisation_id=actor.organisation_id, objective=objective).count()
    kr = KeyResult.objects.create(
        organisation_id=actor.organisation_id,
        objective=objective,
        title=data.title.strip(),
        kind=data.kind,
        unit=data.unit.strip(),
        currency=data.currency.strip().upper(),
        start_value=start,
        target_value=target,
        current_value=start,
        weight=weight,
        owner=data.owner,
        progress_source=data.progress_source,
        position=position,
    )
    for index, title in enumerate(m.strip() for m in data.milestones or [] if m.strip()):
        Milestone.objects.create(organisation_id=actor.organisation_id, key_result=kr, title=title, position=index)
    _record(objective, actor, "key result added", key_result=kr.title)
    rollup.refresh_key_result(kr)
    return kr


@transaction.atomic
def key_result_update(*, actor: Membership, key_result: KeyResult, data: KeyResultData) -> KeyResult:
    objective = Objective.objects.get(organisation_id=actor.organisation_id, pk=key_result.objective_id)
    check_can_edit(actor, objective)
    start, target, weight = _validate_key_result(actor, data)
    rollup.lock_organisation(actor.organisation_id)
    kr = KeyResult.objects.select_for_update().get(organisation_id=actor.organisation_id, pk=key_result.pk)
    kr.title, kr.kind, kr.unit, kr.currency = (
        data.title.strip(),
        data.kind,
        data.unit.strip(),
        data.currency.strip().upper(),
    )
    kr.start_value, kr.target_value, kr.weight, kr.owner, kr.progress_source = (
        start,
        target,
        weight,
        data.owner,
        data.progress_source,
    )
    kr.save()
    if data.milestones is not None and kr.kind == KeyResultKind.MILESTONES:
        existing = {m.title: m for m in Milestone.objects.filter(organisation_id=actor.organisation_id, key_result=kr)}
        wanted = [m.strip() for m in data.milestones if m.strip()]
        Milestone.objects.filter(organisation_id=actor.organisation_id, key_result=kr).exclude(
            title__in=wanted
        ).delete()
        for index, title in enumerate(wanted):
            if title in existing:
                Milestone.objects.filter(pk=existing[title].pk).update(position=index)
            else:
                Milestone.objects.create(
                    organisation_id=actor.organisation_id, key_result=kr, title=title, position=index
                )
    _record(objective, actor, "key result edited", key_result=kr.title)
    rollup.refresh_key_result(kr)
    return kr


@transaction.atomic
def key_result_delete(*, actor: Membership, key_result: KeyResult) -> None:
    objective = Objective.objects.get(organisation_id=actor.organisation_id, pk=key_result.objective_id)
    check_can_edit(actor, objective)
    rollup.lock_organisation(actor.organisation_id)
    _record(objective, actor, "key result removed", key_result=key_result.title)
    allow_history_deletion()
    key_result.delete()
    rollup.propagate(actor.organisation_id, {objective.pk})


# ---------------------------------------------------------------- progress updates


@transaction.atomic
def progress_update_create(
    *,
    actor: Membership,
    key_result: KeyResult,
    value: Any = None,
    milestones_done: list[int] | None = None,
    confidence: str = "",
    note: str = "",
) -> ProgressUpdate:
    """Append a progress update and roll progress up through every ancestor, atomically."""
    objective = Objective.objects.get(organisation_id=actor.organisation_id, pk=key_result.objective_id)
    check_can_edit(actor, objective, key_result=key_result)
    if confidence and confidence not in Status.values:
        raise ValidationError({"confidence": "Choose on track, at risk or off track."})
    if len(note) > 2000:
        raise ValidationError({"note": "Keep the note under 2,000 characters."})
    rollup.lock_organisation(actor.organisation_id)
    # Re-read under the lock: the caller's copy may predate a concurrent update.
    kr = KeyResult.objects.get(organisation_id=actor.organisation_id, pk=key_result.pk)
    if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
        if value not in (None, ""):
            raise ValidationError({"value": "This key result's progress comes from the objectives aligned to it."})
    elif kr.kind == KeyResultKind.MILESTONES:
        done = set(milestones_done or [])
        milestones = Milestone.objects.filter(organisation_id=actor.organisation_id, key_result=kr)
        unknown = done - set(milestones.values_list("id", flat=True))
        if unknown:
            raise ValidationError({"milestones_done": "Those milestones are not part of this key result."})
        for milestone in milestones:
            if milestone.done != (milestone.pk in done):
                Milestone.objects.filter(pk=milestone.pk).update(done=milestone.pk in done)
    else:
        if value in (None, ""):
            raise ValidationError({"value": "Enter the current value."})
        number = _as_stored(_decimal(value, "value"))
        if kr.kind == KeyResultKind.BOOLEAN and number not in (0, 1):
            raise ValidationError({"value": "Done is 1, not done is 0."})
        kr.current_value = number
    now = timezone.now()
    kr.confidence = confidence or kr.confidence
    kr.last_update_at = now
    kr.save(update_fields=["current_value", "confidence", "last_update_at"])
    rollup.refresh_key_result(kr)
    update = ProgressUpdate.objects.create(
        organisation_id=actor.organisation_id,
        key_result=kr,
        value=None if kr.kind == KeyResultKind.MILESTONES else kr.current_value,
        progress=kr.progress,
        confidence=confidence,
        note=note.strip(),
        author=actor,
    )
    _record(objective, actor, "progress", key_result=kr.title, progress=str(kr.progress), confidence=confidence)
    return update


# ---------------------------------------------------------------- alignment


def _is_ancestor_or_self(organisation_id: int, candidate: int, start: int) -> bool:
    """Is ``candidate`` ``start`` or above it (through objective or key-result alignments)?"""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id) AS (
                SELECT %s::bigint
                UNION
                SELECT coalesce(a.parent_objective_id, kr.objective_id)
                  FROM okrs_alignment a
                  LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id
                  JOIN up ON a.child_id = up.id
                 WHERE a.organisation_id = %s
            ) SELECT EXISTS (SELECT 1 FROM up WHERE id = %s)
            """,
            [start, organisation_id, candidate],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@transaction.atomic
def alignment_create(
    *,
    actor: Membership,
    child: Objective,
    parent_objective: Objective | None = None,
    parent_key_result: KeyResult | None = None,
    weight: Any = 1,
    counts_toward_progress: bool = True,
) -> Alignment:
    check_can_edit(actor, child)
    _same_org(actor, parent_objective, parent_key_result)
    if (parent_objective is None) == (parent_key_result is None):
        raise ValidationError({"parent": "Align to one parent: an objective or a key result."})
    parent = parent_objective
    if parent is None:
        assert parent_key_result is not None
        parent = Objective.objects.get(organisation_id=actor.organisation_id, pk=parent_key_result.objective_id)
    if not Access(actor).can_view(parent, _contributor_ids(parent)):
        raise ValidationError({"parent": "No such objective in this organisation."})
    weight_value = _decimal(weight, "weight")
    if weight_value < 0:
        raise ValidationError({"weight": "The weight cannot be negative."})
    child_cycle = Cycle.objects.get(organisation_id=actor.organisation_id, pk=child.cycle_id)
    parent_cycle = Cycle.objects.get(organisation_id=actor.organisation_id, pk=parent.cycle_id)
    if not (parent_cycle.start_date <= child_cycle.start_date and child_cycle.end_date <= parent_cycle.end_date):
        raise ValidationError(
            {"parent": f"Align to an objective of {child_cycle.name} or of a cycle that contains it."}
        )
    rollup.lock_organisation(actor.organisation_id)
    if _is_ancestor_or_self(actor.organisation_id, candidate=child.pk, start=parent.pk):
        raise ValidationError(
            {"parent": f"“{parent.title}” already depends on “{child.title}”: aligning would make a loop."}
        )
    duplicate = Alignment.objects.filter(
        organisation_id=actor.organisation_id,
        child=child,
        parent_objective=parent_objective,
        parent_key_result=parent_key_result,
    )
    if duplicate.exists():
        raise ValidationError({"parent": "Already aligned to that."})
    alignment = Alignment.objects.create(
        organisation_id=actor.organisation_id,
        child=child,
        parent_objective=parent_objective,
        parent_key_result=parent_key_result,
        weight=weight_value,
        counts_toward_progress=counts_toward_progress,
    )
    _record(child, actor, "aligned", parent=parent.title)
    _propagate_parents(actor.organisation_id, [alignment])
    return alignment


def _propagate_parents(organisation_id: int, alignments: list[Alignment]) -> None:
    objectives = {a.parent_objective_id for a in alignments if a.parent_objective_id}
    objectives |= rollup.recompute_aligned_key_results(
        organisation_id, {a.parent_key_result_id for a in alignments if a.parent_key_result_id}
    )
    rollup.propagate(organisation_id, objectives)


@transaction.atomic
def alignment_delete(*, actor: Membership, alignment: Alignment) -> None:
    child = Objective.objects.get(organisation_id=actor.organisation_id, pk=alignment.child_id)
    check_can_edit(actor, child)
    rollup.lock_organisation(actor.organisation_id)
    alignment.delete()
    _record(child, actor, "unaligned")
    _propagate_parents(actor.organisation_id, [alignment])


# ---------------------------------------------------------------- close: scores, reflection, carry-over


@transaction.atomic
def key_result_score(*, actor: Membership, key_result: KeyResult, score: Any, note: str = "") -> KeyResult:
    objective = Objective.objects.get(organisation_id=actor.organisation_id, pk=key_result.objective_id)
    check_can_edit(actor, objective)
    if objective.cycle.state not in (CycleState.REVIEW, CycleState.CLOSED):
        raise ValidationError({"score": "Scores are given when the cycle is in review."})
    value = _decimal(score, "score")
    if not 0 <= value <= 1:
        raise ValidationError({"score": "A score is between 0.0 and 1.0."})
    if value != key_result.progress.quantize(Decimal("0.001")) and not note.strip():
        raise ValidationError({"score_note": "Say why the score differs from the measured progress."})
    key_result.score, key_result.score_note = value.quantize(Decimal("0.001")), note.strip()
    key_result.save(update_fields=["score", "score_note"])
    pairs = list(
        KeyResult.objects.filter(organisation_id=actor.organisation_id, objective=objective).values_list(
            "weight", "score", "progress"
        )
    )
    from okrs.rules import weighted_mean

    objective.score = weighted_mean((w, s if s is not None else p) for w, s, p in pairs).quantize(Decimal("0.001"))
    objective.save(update_fields=["score"])
    _record(objective, actor, "scored", key_result=key_result.title, score=str(value))
    return key_result


@transaction.atomic
def objective_reflect(*, actor: Membership, objective: Objective, reflection: str) -> Objective:
    check_can_edit(actor, objective)
    objective.reflection = reflection.strip()
    objective.save(update_fields=["reflection"])
    _record(objective, actor, "reflected")
    return objective


@transaction.atomic
def cycle_carry_over(*, actor: Membership, source: Cycle, target: Cycle) -> list[Objective]:
    """Copy unfinished objectives and key results into ``target`` without their history, keeping
    alignments whose parents came along too (or that point to a cycle containing the target)."""
    require_role(actor, Role.MANAGER)
    _same_org(actor, source, target)
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another cycle."})
    access = Access(actor)
    unfinished = [
        o
        for o in Objective.objects.filter(
            organisation_id=actor.organisation_id, cycle=source, progress__lt=1
        ).select_related("cycle")
        if access.can_edit(o, _contributor_ids(o))
    ]
    already = set(
        Objective.objects.filter(
            organisation_id=actor.organisation_id, cycle=target, carried_from__in=unfinished
        ).values_list("carried_from_id", flat=True)
    )
    copies: dict[int, Objective] = {}
    kr_copies: dict[int, KeyResult] = {}
    rollup.lock_organisation(actor.organisation_id)
    for original in unfinished:
        if original.pk in already:
            continue
        copy = Objective.objects.create(
            organisation_id=actor.organisation_id,
            cycle=target,
            title=original.title,
            description=original.description,
            level=original.level,
            kind=original.kind,
            owner=original.owner,
            team=original.team,
            visibility=original.visibility,
            progress_source=original.progress_source,
            tags=original.tags,
            carried_from=original,
        )
        for member_id in _contributor_ids(original):
            Contributor.objects.create(organisation_id=actor.organisation_id, objective=copy, membership_id=member_id)
        for kr in KeyResult.objects.filter(organisation_id=actor.organisation_id, objective=original, progress__lt=1):
            new_kr = KeyResult.objects.create(
                organisation_id=actor.organisation_id,
                objective=copy,
                title=kr.title,
                kind=kr.kind,
                unit=kr.unit,
                currency=kr.currency,
                start_value=kr.current_value if kr.kind not in ("boolean", "milestones") else kr.start_value,
                target_value=kr.target_value,
                current_value=kr.current_value if kr.kind not in ("boolean", "milestones") else kr.start_value,
                weight=kr.weight,
                owner=kr.owner,
                progress_source=kr.progress_source,
                position=kr.position,
                carried_from=kr,
            )
            for m in Milestone.objects.filter(organisation_id=actor.organisation_id, key_result=kr, done=False):
                Milestone.objects.create(
                    organisation_id=actor.organisation_id,
                    key_result=new_kr,
                    title=m.title,
                    weight=m.weight,
                    position=m.position,
                )
            kr_copies[kr.pk] = new_kr
        copies[original.pk] = copy
        _record(copy, actor, "carried over", source=source.name)
    new_alignments = []
    for link in Alignment.objects.filter(organisation_id=actor.organisation_id, child_id__in=list(copies)):
        parent_objective = copies.get(link.parent_objective_id) if link.parent_objective_id else None
        parent_kr = kr_copies.get(link.parent_key_result_id) if link.parent_key_result_id else None
        if parent_objective is None and parent_kr is None:
            # The parent stayed behind: keep the link only if it lives in a cycle containing the
            # target (a quarter's objective aligned to the year's).
            original_parent = link.parent_objective or link.parent_key_result.objective  # type: ignore[union-attr]
            if not (
                original_parent.cycle.start_date <= target.start_date
                and target.end_date <= original_parent.cycle.end_date
            ):
                continue
            parent_objective, parent_kr = link.parent_objective, link.parent_key_result
        new_alignments.append(
            Alignment.objects.create(
                organisation_id=actor.organisation_id,
                child=copies[link.child_id],
                parent_objective=parent_objective,
                parent_key_result=parent_kr,
                weight=link.weight,
                counts_toward_progress=link.counts_toward_progress,
            )
        )
    for kr in kr_copies.values():
        rollup.refresh_key_result(kr)
    rollup.propagate(actor.organisation_id, {c.pk for c in copies.values()})
    return list(copies.values())
