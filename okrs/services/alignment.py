"""Writes of alignments: a child objective supports a parent objective or key result (a DAG)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from okrs import rollup
from okrs.models import Alignment, Cycle, KeyResult, Objective
from okrs.permissions import Access, require_ask_to_align, require_edit
from okrs.selectors.alignment import ancestor_ids
from okrs.services.approvals import reopen_after_send_back
from okrs.services.common import record, same_org, weight_input
from organisations.errors import Conflict
from organisations.models import Membership

DEFAULT_WEIGHT = Decimal(1)


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
    require_edit(actor, child)
    same_org(actor, parent_objective, parent_key_result)
    if (parent_objective is None) == (parent_key_result is None):
        raise ValidationError({"parent": "Align to one parent: an objective or a key result."})
    parent = parent_objective
    if parent is None:
        assert parent_key_result is not None
        parent = Objective.objects.for_actor(actor).get(pk=parent_key_result.objective_id)
    if not Access(actor).can_view(parent):
        raise ValidationError({"parent": "No such objective in this organisation."})
    weight_value = weight_input(weight, actor=actor)
    child_cycle = Cycle.objects.for_actor(actor).get(pk=child.cycle_id)
    parent_cycle = Cycle.objects.for_actor(actor).get(pk=parent.cycle_id)
    if not (parent_cycle.start_date <= child_cycle.start_date and child_cycle.end_date <= parent_cycle.end_date):
        raise ValidationError(
            {"parent": f"Align to an objective of {child_cycle.name} or of a cycle that contains it."}
        )
    if not Access(actor).may_edit(parent):
        # The weight belongs to the parent: the child's owner aligns with the defaults.
        message = f"Only someone who may edit “{parent.title}” sets this; leave the default."
        if weight_value != DEFAULT_WEIGHT:
            raise ValidationError({"weight": message.replace("sets this", "sets the weight") + f" ({DEFAULT_WEIGHT})"})
        if not counts_toward_progress:
            raise ValidationError({"counts_toward_progress": message})
    rollup.lock_organisation(actor.organisation_id)
    if parent.pk == child.pk or child.pk in ancestor_ids(actor.organisation_id, parent.pk):
        raise ValidationError(
            {"parent": f"“{parent.title}” already depends on “{child.title}”: aligning would make a loop."}
        )
    duplicate = Alignment.objects.for_actor(actor).filter(
        child=child,
        parent_objective=parent_objective,
        parent_key_result=parent_key_result,
    )
    if duplicate.exists():
        raise Conflict({"parent": "Already aligned to that."})
    alignment = Alignment.objects.create(
        organisation_id=actor.organisation_id,
        child=child,
        parent_objective=parent_objective,
        parent_key_result=parent_key_result,
        weight=weight_value,
        counts_toward_progress=counts_toward_progress,
    )
    # The parent's id lets the feed name it only to readers who may see it (okrs.selectors).
    record(child, actor, "aligned", parent=parent.title, parent_id=parent.pk)
    reopen_after_send_back(actor, child, "aligned")
    _propagate_parents(actor.organisation_id, [alignment])
    return alignment


def _propagate_parents(organisation_id: int, alignments: list[Alignment]) -> None:
    objectives = {a.parent_objective_id for a in alignments if a.parent_objective_id}
    objectives |= rollup.recompute_aligned_key_results(
        organisation_id, {a.parent_key_result_id for a in alignments if a.parent_key_result_id}
    )
    rollup.propagate(organisation_id, objectives)


def alignment_parent(actor: Membership, alignment: Alignment) -> Objective:
    """The objective an alignment supports (a key result's objective for a key-result parent)."""
    parent_id = alignment.parent_objective_id
    if parent_id is None:
        kr_id = alignment.parent_key_result_id
        assert kr_id is not None  # exactly one parent (a constraint)
        parent_id = KeyResult.objects.for_actor(actor).values_list("objective_id", flat=True).get(pk=kr_id)
    return Objective.objects.for_actor(actor).get(pk=parent_id)


@transaction.atomic
def alignment_update(
    *, actor: Membership, alignment: Alignment, weight: Any, counts_toward_progress: bool
) -> Alignment:
    """The parent's editor sets an alignment's weight and whether it counts toward progress."""
    parent = alignment_parent(actor, alignment)
    require_edit(actor, parent)
    weight_value = weight_input(weight, actor=actor)
    rollup.lock_organisation(actor.organisation_id)
    link = Alignment.objects.select_for_update().for_actor(actor).get(pk=alignment.pk)
    link.weight, link.counts_toward_progress = weight_value, counts_toward_progress
    link.save(update_fields=["weight", "counts_toward_progress"])
    child = Objective.objects.for_actor(actor).select_related("cycle").get(pk=link.child_id)
    record(
        child, actor, "alignment weighted", parent=parent.title, weight=str(weight_value), counts=counts_toward_progress
    )
    _propagate_parents(actor.organisation_id, [link])
    alignment.weight, alignment.counts_toward_progress = link.weight, link.counts_toward_progress
    return link


@transaction.atomic
def alignment_delete(*, actor: Membership, alignment: Alignment) -> None:
    child = Objective.objects.for_actor(actor).get(pk=alignment.child_id)
    require_edit(actor, child)
    rollup.lock_organisation(actor.organisation_id)
    alignment.delete()
    record(child, actor, "unaligned")
    reopen_after_send_back(actor, child, "unaligned")
    _propagate_parents(actor.organisation_id, [alignment])


@transaction.atomic
def key_result_ask_to_align(*, actor: Membership, key_result: KeyResult, member: Membership) -> Notification | None:
    """Ask ``member`` (someone in the actor's reporting line) to align an objective to
    ``key_result``: an in-app notification, e-mailed through the outbox if they take e-mail.

    Once a day per key result and person (a second click the same day notifies nobody, and
    returns None); each request is in the key result's objective's activity."""
    objective = Objective.objects.for_actor(actor).get(pk=key_result.objective_id)
    same_org(actor, member)
    require_ask_to_align(actor, objective, member)
    organisation = actor.organisation
    url = reverse("okrs:objective_detail", kwargs={"org_slug": organisation.slug, "objective_id": objective.pk})
    notification = notify(
        recipient=member,
        kind="okrs.align_request",
        title=f"{actor.user.full_name} asks you to support “{key_result.title}”",
        body=(
            f"Nobody's objective supports the key result “{key_result.title}” of “{objective.title}” yet. "
            "Align one of your objectives to it (Align to a parent, on your objective's page), or add one."
        ),
        url=f"{url}#kr-{key_result.pk}",
        key=f"okrs:align-request:{key_result.pk}:{member.pk}:{organisation.today().isoformat()}",
        email=True,
    )
    if notification is not None:
        record(objective, actor, "asked to align", key_result=key_result.title, member=member.user.full_name)
    return notification
