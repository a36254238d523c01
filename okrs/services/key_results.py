"""Writes of key results and their progress: create, edit, delete, and the append-only progress
update that rolls progress up through every ancestor in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from okrs import rollup
from okrs.models import KeyResult, KeyResultKind, KeyResultSource, Milestone, Objective, ProgressUpdate, Status
from okrs.permissions import require_edit
from okrs.services.approvals import reopen_after_send_back
from okrs.services.common import (
    MILESTONE_TITLE_MAX,
    allow_history_deletion,
    as_stored,
    decimal_input,
    record,
    same_org,
    weight_input,
)
from organisations.models import Membership


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
    same_org(actor, data.owner)
    if not data.title.strip():
        raise ValidationError({"title": "Say how you will measure it."})
    if data.kind not in KeyResultKind.values:
        raise ValidationError({"kind": "Choose a kind."})
    start, target, weight = (
        as_stored(decimal_input(data.start_value, "start_value", actor=actor)),
        as_stored(decimal_input(data.target_value, "target_value", actor=actor)),
        weight_input(data.weight, actor=actor),
    )
    if any(len(m.strip()) > MILESTONE_TITLE_MAX for m in data.milestones or []):
        raise ValidationError({"milestones": f"Each milestone can be at most {MILESTONE_TITLE_MAX} characters."})
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
    require_edit(actor, objective)
    start, target, weight = _validate_key_result(actor, data)
    rollup.lock_organisation(actor.organisation_id)
    position = KeyResult.objects.for_actor(actor).filter(objective=objective).count()
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
    record(objective, actor, "key result added", key_result=kr.title)
    reopen_after_send_back(actor, objective, "key result added")
    rollup.refresh_key_result(kr)
    return kr


@transaction.atomic
def key_result_update(*, actor: Membership, key_result: KeyResult, data: KeyResultData) -> KeyResult:
    objective = Objective.objects.for_actor(actor).get(pk=key_result.objective_id)
    require_edit(actor, objective)
    start, target, weight = _validate_key_result(actor, data)
    rollup.lock_organisation(actor.organisation_id)
    kr = KeyResult.objects.select_for_update().for_actor(actor).get(pk=key_result.pk)
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
        existing = {m.title: m for m in Milestone.objects.for_actor(actor).filter(key_result=kr)}
        wanted = [m.strip() for m in data.milestones if m.strip()]
        Milestone.objects.for_actor(actor).filter(key_result=kr).exclude(title__in=wanted).delete()
        for index, title in enumerate(wanted):
            if title in existing:
                Milestone.objects.filter(pk=existing[title].pk).update(position=index)
            else:
                Milestone.objects.create(
                    organisation_id=actor.organisation_id, key_result=kr, title=title, position=index
                )
    record(objective, actor, "key result edited", key_result=kr.title)
    reopen_after_send_back(actor, objective, "key result edited")
    rollup.refresh_key_result(kr)
    return kr


@transaction.atomic
def key_result_delete(*, actor: Membership, key_result: KeyResult) -> None:
    objective = Objective.objects.for_actor(actor).get(pk=key_result.objective_id)
    require_edit(actor, objective)
    rollup.lock_organisation(actor.organisation_id)
    record(objective, actor, "key result removed", key_result=key_result.title)
    reopen_after_send_back(actor, objective, "key result removed")
    allow_history_deletion()
    key_result.delete()
    rollup.propagate(actor.organisation_id, {objective.pk})


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
    objective = Objective.objects.for_actor(actor).get(pk=key_result.objective_id)
    require_edit(actor, objective, key_result=key_result)
    if confidence and confidence not in Status.values:
        raise ValidationError({"confidence": "Choose on track, at risk or off track."})
    if len(note) > 2000:
        raise ValidationError({"note": "Keep the note under 2,000 characters."})
    rollup.lock_for_progress(actor.organisation_id, key_result_id=key_result.pk)
    # Re-read under the lock: the caller's copy may predate a concurrent update.
    kr = KeyResult.objects.for_actor(actor).get(pk=key_result.pk)
    if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
        if value not in (None, ""):
            raise ValidationError({"value": "This key result's progress comes from the objectives aligned to it."})
    elif kr.kind == KeyResultKind.MILESTONES:
        done = set(milestones_done or [])
        milestones = Milestone.objects.for_actor(actor).filter(key_result=kr)
        unknown = done - set(milestones.values_list("id", flat=True))
        if unknown:
            raise ValidationError({"milestones_done": "Those milestones are not part of this key result."})
        for milestone in milestones:
            if milestone.done != (milestone.pk in done):
                Milestone.objects.filter(pk=milestone.pk).update(done=milestone.pk in done)
    else:
        if value in (None, ""):
            raise ValidationError({"value": "Enter the current value."})
        number = as_stored(decimal_input(value, "value", actor=actor))
        if kr.kind == KeyResultKind.BOOLEAN and number not in (0, 1):
            raise ValidationError({"value": "Done is 1, not done is 0."})
        kr.current_value = number
    now = timezone.now()
    kr.confidence = confidence or kr.confidence
    kr.last_update_at = now
    rollup.refresh_key_result(kr, changed=["current_value", "confidence", "last_update_at"])
    update = ProgressUpdate.objects.create(
        organisation_id=actor.organisation_id,
        key_result=kr,
        value=None if kr.kind == KeyResultKind.MILESTONES else kr.current_value,
        progress=kr.progress,
        confidence=confidence,
        note=note.strip(),
        author=actor,
    )
    record(
        objective,
        actor,
        "progress",
        key_result=kr.title,
        progress=str(kr.progress),
        confidence=confidence,
        note=update.note,
    )
    return update
