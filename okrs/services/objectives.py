"""Writes of objectives: create, edit (with contributors), delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from okrs import rollup
from okrs.models import Alignment, Contributor, Cycle, CycleState, Objective, ObjectiveSource
from okrs.permissions import require_edit
from okrs.services.approvals import reopen_after_send_back
from okrs.services.common import allow_history_deletion, record, same_org
from organisations.models import Membership, Role, Team


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
    same_org(actor, data.cycle, data.owner, data.team, *(data.contributors or []))
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
        measured=False,  # nothing to measure until a key result or a child brings something
    )
    for member in data.contributors or []:
        Contributor.objects.create(organisation_id=actor.organisation_id, objective=objective, membership=member)
    record(objective, actor, "created")
    return objective


@transaction.atomic
def objective_update(*, actor: Membership, objective: Objective, data: ObjectiveData) -> Objective:
    require_edit(actor, objective)
    _validate_objective(actor, data, current=objective)
    rollup.lock_organisation(actor.organisation_id)
    source_changed = data.progress_source != objective.progress_source
    fields = ("level", "kind", "team", "visibility", "progress_source", "owner", "cycle")
    # What was agreed with the manager: tags and contributors aside (okrs.services.approvals).
    material = any(getattr(objective, f) != getattr(data, f) for f in fields) or (
        objective.title != data.title.strip() or objective.description != data.description.strip()
    )
    for field in fields:
        setattr(objective, field, getattr(data, field))
    objective.title, objective.description, objective.tags = (
        data.title.strip(),
        data.description.strip(),
        _tags(data.tags),
    )
    objective.save()
    if data.contributors is not None:
        wanted = {m.pk for m in data.contributors}
        Contributor.objects.for_actor(actor).filter(objective=objective).exclude(membership_id__in=wanted).delete()
        have = set(
            Contributor.objects.for_actor(actor).filter(objective=objective).values_list("membership_id", flat=True)
        )
        for member in data.contributors:
            if member.pk not in have:
                Contributor.objects.create(
                    organisation_id=actor.organisation_id, objective=objective, membership=member
                )
    record(objective, actor, "edited")
    if material:
        reopen_after_send_back(actor, objective, "edited")
    if source_changed:
        rollup.propagate(actor.organisation_id, {objective.pk})
    return objective


@transaction.atomic
def objective_delete(*, actor: Membership, objective: Objective) -> None:
    require_edit(actor, objective)
    rollup.lock_organisation(actor.organisation_id)
    parents = set(
        Alignment.objects.for_actor(actor)
        .filter(child=objective)
        .values_list("parent_objective_id", "parent_key_result_id")
    )
    allow_history_deletion()
    objective.delete()
    parent_objectives = {p for p, _ in parents if p}
    parent_objectives |= rollup.recompute_aligned_key_results(actor.organisation_id, {k for _, k in parents if k})
    rollup.propagate(actor.organisation_id, parent_objectives)
