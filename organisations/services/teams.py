"""Teams: the company's tree of departments and teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from organisations.models import (
    Membership,
    Role,
    Team,
    TeamKind,
)
from organisations.selectors import require_role


def _check_team_parent(*, kind: str, parent: Team | None, team: Team | None = None) -> None:
    if kind == TeamKind.COMPANY:
        raise ValidationError({"kind": "An organisation has exactly one company; add departments and teams under it."})
    if parent is None:
        raise ValidationError({"parent": "Choose where this sits in the organisation."})
    if kind == TeamKind.DEPARTMENT and parent.kind != TeamKind.COMPANY:
        raise ValidationError({"parent": "A department sits directly under the company."})
    if kind == TeamKind.TEAM and parent.kind == TeamKind.COMPANY:
        raise ValidationError({"parent": "A team sits under a department (or another team)."})
    if team is not None:
        node: Team | None = parent
        seen = set()
        while node is not None and node.pk not in seen:
            if node.pk == team.pk:
                raise ValidationError({"parent": "A team cannot sit under itself or one of its own teams."})
            seen.add(node.pk)
            node = node.parent


@transaction.atomic
def team_create(*, actor: Membership, name: str, kind: str, parent: Team | None) -> Team:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError({"name": "Please name the team."})
    if parent is not None and parent.organisation_id != actor.organisation_id:
        raise ValidationError({"parent": "Choose a team of this organisation."})
    _check_team_parent(kind=kind, parent=parent)
    if Team.objects.for_actor(actor).filter(parent=parent, name__iexact=name.strip()).exists():
        raise ValidationError({"name": "There is already a team of that name here."})
    return Team.objects.create(organisation_id=actor.organisation_id, name=name.strip(), kind=kind, parent=parent)


@transaction.atomic
def team_update(*, actor: Membership, team: Team, name: str, parent: Team | None) -> Team:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError({"name": "Please name the team."})
    if team.kind == TeamKind.COMPANY:
        if parent is not None:
            raise ValidationError({"parent": "The company is the root of the tree."})
    else:
        if parent is not None and parent.organisation_id != actor.organisation_id:
            raise ValidationError({"parent": "Choose a team of this organisation."})
        _check_team_parent(kind=team.kind, parent=parent, team=team)
    duplicate = (
        Team.objects.for_actor(actor).filter(parent=parent, name__iexact=name.strip()).exclude(pk=team.pk).exists()
    )
    if duplicate:
        raise ValidationError({"name": "There is already a team of that name here."})
    team.name = name.strip()
    team.parent = parent
    team.save(update_fields=["name", "parent"])
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    require_role(actor, Role.ADMIN)
    if team.kind == TeamKind.COMPANY:
        raise ValidationError("The company cannot be deleted.")
    if Team.objects.for_actor(actor).filter(parent=team).exists():
        raise ValidationError("Move or delete the teams under this one first.")
    if Membership.objects.for_actor(actor).filter(team=team, is_active=True).exists():
        raise ValidationError("Move this team's people to another team first.")
    team.delete()
