"""Writes of a cycle's close: key-result scores, the objective's reflection, carry-over of what
is unfinished into the next cycle."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from notifications.services import notify
from okrs import rollup
from okrs.models import Alignment, Contributor, Cycle, KeyResult, Milestone, Objective
from okrs.permissions import Access, contributor_ids, require_edit, require_score
from okrs.rules import SCORE_QUANTUM, default_score
from okrs.selectors.reports import close_summary
from okrs.services.common import decimal_input, record, same_org
from organisations.models import Membership, Role
from organisations.selectors import require_role


@transaction.atomic
def key_result_score(*, actor: Membership, key_result: KeyResult, score: Any, note: str = "") -> KeyResult:
    """Set a key result's score (0.0–1.0; a note when it differs from the progress), or clear it
    with ``score`` None or blank so its default, its progress, stands again. The objective's score
    is recomputed by the roll-up in the same transaction, as for any other input change."""
    objective = Objective.objects.for_actor(actor).get(pk=key_result.objective_id)
    require_score(actor, objective, key_result)
    rollup.lock_organisation(actor.organisation_id)
    # Re-read under the lock: the caller's copy may predate a progress update.
    kr = KeyResult.objects.select_for_update().for_actor(actor).get(pk=key_result.pk)
    if score is None or (isinstance(score, str) and not score.strip()):
        kr.score, kr.score_note = None, ""
        verb_detail = {"score": "default"}
    else:
        value = decimal_input(score, "score", actor=actor)
        if not 0 <= value <= 1:
            raise ValidationError({"score": "A score is between 0.0 and 1.0."})
        value = value.quantize(SCORE_QUANTUM)
        if value != default_score(kr.progress) and not note.strip():
            raise ValidationError({"score_note": "Say why the score differs from the measured progress."})
        kr.score, kr.score_note = value, note.strip()
        verb_detail = {"score": str(value)}
    kr.save(update_fields=["score", "score_note"])
    rollup.recompute_objectives(actor.organisation_id, {objective.pk})
    record(objective, actor, "scored", key_result=kr.title, **verb_detail)
    key_result.score, key_result.score_note = kr.score, kr.score_note
    return kr


@transaction.atomic
def objective_reflect(*, actor: Membership, objective: Objective, reflection: str) -> Objective:
    require_edit(actor, objective)
    objective.reflection = reflection.strip()
    objective.save(update_fields=["reflection"])
    record(objective, actor, "reflected")
    return objective


@transaction.atomic
def cycle_carry_over(*, actor: Membership, source: Cycle, target: Cycle) -> list[Objective]:
    """Copy unfinished objectives and key results into ``target`` without their history, keeping
    alignments whose parents came along too (or that point to a cycle containing the target)."""
    require_role(actor, Role.MANAGER)
    same_org(actor, source, target)
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another cycle."})
    access = Access(actor)
    unfinished = [
        o
        for o in Objective.objects.for_actor(actor).filter(cycle=source, progress__lt=1).select_related("cycle")
        if access.may_edit(o)
    ]
    already = set(
        Objective.objects.for_actor(actor)
        .filter(cycle=target, carried_from__in=unfinished)
        .values_list("carried_from_id", flat=True)
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
        for member_id in contributor_ids(original):
            Contributor.objects.create(organisation_id=actor.organisation_id, objective=copy, membership_id=member_id)
        for kr in KeyResult.objects.for_actor(actor).filter(objective=original, progress__lt=1):
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
            for m in Milestone.objects.for_actor(actor).filter(key_result=kr, done=False):
                Milestone.objects.create(
                    organisation_id=actor.organisation_id,
                    key_result=new_kr,
                    title=m.title,
                    weight=m.weight,
                    position=m.position,
                )
            kr_copies[kr.pk] = new_kr
        copies[original.pk] = copy
        record(copy, actor, "carried over", source=source.name)
    # Alignments: whatever order objectives are carried in (a child first and its parent in a
    # later run, or the other way round), a link between two carried objectives joins their
    # copies. So the links touching this run's copies, as child or as parent, are recreated
    # between the copies of both ends (of earlier runs too), once.
    all_copies = {
        o.carried_from_id: o
        for o in Objective.objects.for_actor(actor).filter(cycle=target, carried_from__cycle=source)
    }
    all_kr_copies = {
        kr.carried_from_id: kr
        for kr in KeyResult.objects.for_actor(actor).filter(
            objective__cycle=target, carried_from__objective__cycle=source
        )
    }
    touching = Alignment.objects.for_actor(actor).filter(
        Q(child_id__in=list(copies))
        | Q(parent_objective_id__in=list(copies))
        | Q(parent_key_result__objective_id__in=list(copies))
    )
    new_alignments = []
    for link in touching.select_related("parent_objective__cycle", "parent_key_result__objective__cycle"):
        child_copy = all_copies.get(link.child_id)
        if child_copy is None:
            continue  # the child stayed behind
        parent_objective = all_copies.get(link.parent_objective_id) if link.parent_objective_id else None
        parent_kr = all_kr_copies.get(link.parent_key_result_id) if link.parent_key_result_id else None
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
        exists = Alignment.objects.for_actor(actor).filter(
            child=child_copy, parent_objective=parent_objective, parent_key_result=parent_kr
        )
        if exists.exists():
            continue
        new_alignments.append(
            Alignment.objects.create(
                organisation_id=actor.organisation_id,
                child=child_copy,
                parent_objective=parent_objective,
                parent_key_result=parent_kr,
                weight=link.weight,
                counts_toward_progress=link.counts_toward_progress,
            )
        )
    for kr in kr_copies.values():
        rollup.refresh_key_result(kr)
    for kr in KeyResult.objects.for_actor(actor).filter(
        pk__in=[a.parent_key_result_id for a in new_alignments if a.parent_key_result_id]
    ):
        rollup.refresh_key_result(kr)  # an earlier run's copy gained a child
    rollup.propagate(
        actor.organisation_id,
        {c.pk for c in copies.values()} | {a.parent_objective_id for a in new_alignments if a.parent_objective_id},
    )
    return list(copies.values())


def cycle_remind_scorers(*, actor: Membership, cycle: Cycle) -> int:
    """HR reminds everyone who still has key results of ``cycle`` to score: one in-app
    notification each, at most once a day (the key makes a second click the same day a no-op).
    Returns how many were notified now."""
    require_role(actor, Role.ADMIN)
    same_org(actor, cycle)
    organisation = actor.organisation
    today = organisation.today()
    url = reverse("okrs:my_okrs", kwargs={"org_slug": organisation.slug}) + f"?cycle={cycle.pk}"
    waiting = {m.pk: m for row in close_summary(actor=actor, cycle=cycle) for m in row.not_scored}
    sent = 0
    for member in waiting.values():
        notification = notify(
            recipient=member,
            kind="okr_score_reminder",
            title=f"Score your key results for {cycle.name}",
            body=f"{cycle.name} is being closed: give each of your key results a score from 0.0 to 1.0.",
            url=url,
            key=f"okrs:score-reminder:{cycle.pk}:{member.pk}:{today.isoformat()}",
        )
        sent += notification is not None
    return sent
