"""Memberships: roles, reporting lines, deactivation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organisations.models import (
    ROLE_RANK,
    Membership,
    Role,
    Team,
)
from organisations.selectors import manager_chain_ids, require_role


def _check_role_change(*, actor: Membership, membership: Membership, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if ROLE_RANK[Role(role)] > actor.rank or membership.rank > actor.rank:
        raise PermissionDenied("You cannot give or change a role above your own.")
    if membership.role == Role.OWNER and role != Role.OWNER:
        other_owners = (
            Membership.objects.for_actor(actor)
            .filter(role=Role.OWNER, is_active=True)
            .exclude(pk=membership.pk)
            .exists()
        )
        if not other_owners:
            raise ValidationError({"role": "An organisation needs at least one owner; make someone else owner first."})


def check_manager(*, membership: Membership | None, manager: Membership | None) -> None:
    """Refuse a manager from another organisation, an inactive one, oneself, or a loop."""
    if manager is None:
        return
    if membership is not None and manager.organisation_id != membership.organisation_id:
        raise ValidationError({"manager": "Choose a manager from this organisation."})
    if not manager.is_active:
        raise ValidationError({"manager": "That person is deactivated and cannot manage anyone."})
    if membership is None or membership.pk is None:
        return
    if manager.pk == membership.pk:
        raise ValidationError({"manager": "Nobody can be their own manager."})
    if membership.pk in manager_chain_ids(manager):
        raise ValidationError(
            {
                "manager": f"{manager.user} already reports, directly or indirectly, to {membership.user}: "
                "that would make a reporting loop."
            }
        )


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    team: Team | None,
    manager: Membership | None,
    job_title: str,
) -> Membership:
    require_role(actor, Role.ADMIN)
    # Lock the row so two admins editing one person cannot interleave a loop check.
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(organisation_id=actor.organisation_id, pk=membership.pk)
    )
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot change someone with a higher role than yours.")
    if role != membership.role:
        _check_role_change(actor=actor, membership=membership, role=role)
    if team is not None and team.organisation_id != actor.organisation_id:
        raise ValidationError({"team": "Choose a team of this organisation."})
    check_manager(membership=membership, manager=manager)
    membership.role = role
    membership.team = team
    membership.manager = manager
    membership.job_title = job_title.strip()
    membership.save(update_fields=["role", "team", "manager", "job_title"])
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """Block the person's access to this organisation; their history stays."""
    require_role(actor, Role.ADMIN)
    if membership.pk == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot deactivate someone with a higher role than yours.")
    if membership.role == Role.OWNER:
        _check_role_change(actor=actor, membership=membership, role=Role.ADMIN)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    # Their reports now report to their manager, so nobody is left without one silently.
    Membership.objects.for_actor(actor).filter(manager=membership).update(manager=membership.manager)
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    require_role(actor, Role.ADMIN)
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot reactivate someone with a higher role than yours.")
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    return membership
