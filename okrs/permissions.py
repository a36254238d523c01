"""Who may see and edit objectives (issue: Permissions).

See: objectives visible to everyone; team objectives to the team (and its sub-teams), the owner,
contributors and the owner's managers; private ones to the owner, their manager chain and admins.
Edit: admins everything; owners and contributors their objectives; managers their reports'
(direct or indirect) and their own team's.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from okrs.models import Contributor, Objective, Visibility
from organisations.models import Membership, Role


def report_ids(actor: Membership) -> set[int]:
    """Everyone who reports to ``actor``, directly or indirectly (one recursive query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE down(id) AS (
                SELECT id FROM organisations_membership WHERE manager_id = %s AND organisation_id = %s
                UNION
                SELECT m.id FROM organisations_membership m JOIN down ON m.manager_id = down.id
                 WHERE m.organisation_id = %s
            ) SELECT id FROM down
            """,
            [actor.pk, actor.organisation_id, actor.organisation_id],
        )
        return {row[0] for row in cursor.fetchall()}


def team_ids(actor: Membership) -> set[int]:
    """The actor's team and every team below it."""
    if actor.team_id is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE below(id) AS (
                SELECT %s::bigint
                UNION
                SELECT t.id FROM organisations_team t JOIN below ON t.parent_id = below.id
                 WHERE t.organisation_id = %s
            ) SELECT id FROM below
            """,
            [actor.team_id, actor.organisation_id],
        )
        return {row[0] for row in cursor.fetchall()}


class Access:
    """The actor's reach, computed once per request (two small queries)."""

    def __init__(self, actor: Membership) -> None:
        self.actor = actor
        self.is_admin = actor.has_role(Role.ADMIN)
        self.reports = report_ids(actor)
        self.teams = team_ids(actor)

    def visible_q(self) -> Q:
        if self.is_admin:
            return Q()
        contributes = Exists(
            Contributor.objects.filter(
                organisation_id=self.actor.organisation_id, objective=OuterRef("pk"), membership=self.actor
            )
        )
        owner_side = Q(owner=self.actor) | Q(owner__in=self.reports)
        return (
            Q(visibility=Visibility.ORGANISATION)
            | (Q(visibility=Visibility.TEAM) & (Q(team_id__in=self.teams) | owner_side | contributes))
            | (Q(visibility=Visibility.PRIVATE) & owner_side)
        )

    def can_view(self, objective: Objective, contributor_ids: set[int] | None = None) -> bool:
        if self.is_admin or objective.visibility == Visibility.ORGANISATION:
            return True
        if objective.owner_id == self.actor.pk or objective.owner_id in self.reports:
            return True
        if objective.visibility == Visibility.TEAM:
            return objective.team_id in self.teams or self.actor.pk in (contributor_ids or set())
        return False

    def can_edit(self, objective: Objective, contributor_ids: set[int] | None = None) -> bool:
        if self.is_admin or objective.owner_id == self.actor.pk or objective.owner_id in self.reports:
            return True
        if self.actor.pk in (contributor_ids or set()):
            return True
        return self.actor.has_role(Role.MANAGER) and objective.team_id is not None and objective.team_id in self.teams
