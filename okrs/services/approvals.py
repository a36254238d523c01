"""Writes of a manager's review of their reports' objectives: approve, send back with a comment,
and the return to "pending" when a sent-back objective changes materially.

Who may review is ``okrs.permissions.Access.can_approve`` (a manager above the owner, or an HR
admin; never the owner). Every change is a line of the objective's activity, and the owner is
notified. What counts as a material edit (``reopen_after_send_back``): the objective's own fields
(title, description, level, kind, team, visibility, progress source, owner, cycle), a key result
added, edited or removed, an alignment added or removed. Progress updates, scores, tags and
contributors are not: they do not change what was agreed. An approved objective stays approved
when edited (the edit is in the activity); only a sent-back one goes back to pending.

Whether a cycle may become active (``require_cycle_approved``) is HR's choice per organisation
(``Organisation.objectives_need_approval``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify
from okrs.models import ApprovalState, Cycle, Objective
from okrs.permissions import require_approve
from okrs.selectors.approvals import unapproved_objectives
from okrs.services.common import record
from organisations.models import Membership, Organisation

COMMENT_MAX = 2000


def _objective_url(objective: Objective, organisation: Organisation) -> str:
    return reverse("okrs:objective_detail", kwargs={"org_slug": organisation.slug, "objective_id": objective.pk})


def _review(*, actor: Membership, objective: Objective, state: str, comment: str) -> Objective:
    require_approve(actor, objective)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment under {COMMENT_MAX} characters."})
    locked = Objective.objects.for_actor(actor).select_for_update().select_related("owner__user").get(pk=objective.pk)
    locked.cycle = objective.cycle
    locked.approval_state, locked.approval_comment = state, comment
    locked.approval_by, locked.approval_at = actor, timezone.now()
    locked.save(update_fields=["approval_state", "approval_comment", "approval_by", "approval_at", "updated_at"])
    verb = "approved" if state == ApprovalState.APPROVED else "requested changes"
    record(locked, actor, verb, comment=comment)
    organisation = actor.organisation
    sent_back = state == ApprovalState.CHANGES_REQUESTED
    notify(
        recipient=locked.owner,
        kind="okrs.approval",
        title=(
            f"{actor.user.full_name} asks for changes to “{locked.title}”"
            if sent_back
            else f"{actor.user.full_name} approved “{locked.title}”"
        ),
        body=comment,
        url=_objective_url(locked, organisation),
        email=sent_back,  # a send-back needs the owner to act; an approval can wait for the app
    )
    for name in ("approval_state", "approval_comment", "approval_by", "approval_at"):
        setattr(objective, name, getattr(locked, name))
    return locked


@transaction.atomic
def objective_approve(*, actor: Membership, objective: Objective, comment: str = "") -> Objective:
    """A manager above the owner (or HR) approves the objective, with an optional comment."""
    return _review(actor=actor, objective=objective, state=ApprovalState.APPROVED, comment=comment)


@transaction.atomic
def objective_request_changes(*, actor: Membership, objective: Objective, comment: str) -> Objective:
    """Send the objective back to its owner with a comment saying what to change (required)."""
    if not comment.strip():
        raise ValidationError({"comment": "Say what should change, so its owner knows what to do."})
    return _review(actor=actor, objective=objective, state=ApprovalState.CHANGES_REQUESTED, comment=comment)


def reopen_after_send_back(actor: Membership, objective: Objective, change: str) -> None:
    """A material change to a sent-back objective makes it pending again (one UPDATE that only
    touches a sent-back one; recorded when it did). Called by the services that make such changes,
    inside their transaction."""
    reopened = (
        Objective.objects.for_actor(actor)
        .filter(pk=objective.pk, approval_state=ApprovalState.CHANGES_REQUESTED)
        .update(approval_state=ApprovalState.PENDING)
    )
    if reopened:
        objective.approval_state = ApprovalState.PENDING
        record(objective, actor, "approval pending", change=change)


def cycle_may_activate(organisation: Organisation, cycle: Cycle) -> bool:
    """The same rule for the daily move by dates (no actor: the task runs in the tenant)."""
    if not organisation.objectives_need_approval:
        return True
    return not unapproved_objectives(organisation_id=organisation.pk, cycle=cycle).exists()


def require_cycle_approved(actor: Membership, organisation: Organisation, cycle: Cycle) -> None:
    """Refuse to make ``cycle`` active while the organisation asks for approval first and some of
    its objectives needing approval are not approved (the cycles page lists them)."""
    if not organisation.objectives_need_approval:
        return
    waiting = unapproved_objectives(organisation_id=actor.organisation_id, cycle=cycle).count()
    if waiting:
        raise ValidationError(
            {
                "state": f"{cycle.name} cannot become active yet: {waiting} objective"
                f"{' is' if waiting == 1 else 's are'} not approved (listed on the cycles page). "
                "Their owners' managers approve them on each objective's page, or HR turns off "
                "“approval before a cycle is active” in the organisation settings."
            }
        )
