"""Who may see, edit, update and score OKRs: decided here once. Services enforce these rules
(``require_*``) and pages and the API ask the same questions (``can_*``) to show or hide a button,
so a view never re-derives a rule.

See: objectives visible to everyone in the organisation; team objectives to the members of that
team and of every team below it (a sub-team sees its parent team's team objectives, not the other
way round; a manager also sees those of the teams below their own, which they may edit), the
owner, contributors and the owner's managers; private ones to the owner, their
manager chain and admins.

Edit: admins everything; owners and contributors their objectives; managers their reports'
(direct or indirect) and their own team's. A key result's owner may also update its progress.
A closed cycle is frozen for everyone but HR admins (and their edits are recorded).

Score a key result: its owner, the objective's owner and editors (everyone who may edit it, so
managers of the owner, contributors and admins too), while the cycle is in review; after the
close only HR admins, recorded like every other closed-cycle edit. The rule is ``Access.can_score``
and ``require_score``; the page, the API and the service all ask it.

An alignment's weight and "counts toward progress" belong to the parent: they are set by whoever
may edit the parent objective (``Access.may_edit``); the child's owner aligns with the defaults.

Approve or send back an objective (``Access.can_approve`` / ``require_approve``): a manager above
its owner (direct or indirect) or an HR admin, never its owner, while the cycle is open. Ask
someone to align to a key result (``can_ask_to_align``): an editor of its objective asks someone
in their reporting line (HR admins anyone).
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from okrs.models import Contributor, Cycle, CycleState, KeyResult, Objective, Visibility
from organisations.errors import NotAllowed
from organisations.models import Membership, Role
from organisations.selectors import reporting_line, reporting_line_subquery, team_ancestry, team_subtree

CLOSED_MESSAGE = "This cycle is closed: only an HR admin can change its OKRs (and it is recorded)."
EDIT_MESSAGE = "You can change your own objectives, those you contribute to and your team's."
SCORE_WINDOW_MESSAGE = "Scores are given when the cycle is in review."
SCORE_MESSAGE = "A key result is scored by its owner, the objective's owner and editors, and admins."
ASK_TO_ALIGN_MESSAGE = "You can ask your own reports to align to a key result you may edit."
APPROVE_MESSAGE = "An objective is approved by its owner's managers (or HR admins), never by its owner."


def contributor_ids(objective: Objective) -> set[int]:
    """Members who contribute to ``objective``: from its prefetched links when a page loaded them,
    else one query."""
    cache = getattr(objective, "_prefetched_objects_cache", {})
    if "contributor_links" in cache:
        return {link.membership_id for link in objective.contributor_links.all()}
    return set(
        Contributor.objects.in_organisation(objective.organisation_id)
        .filter(objective=objective)
        .values_list("membership_id", flat=True)
    )


class Access:
    """One actor's reach. The reporting line and team subtree are SQL subqueries inside
    ``visible_q``; the id sets for one-object checks are read once, on first use."""

    def __init__(self, actor: Membership) -> None:
        self.actor = actor
        self.is_admin = actor.has_role(Role.ADMIN)

    @cached_property
    def reports(self) -> set[int]:
        return set(reporting_line(self.actor).values_list("pk", flat=True))

    @cached_property
    def teams(self) -> set[int]:
        """The actor's team and the teams below it (where a manager edits)."""
        return set(team_subtree(self.actor, self.actor.team_id).values_list("pk", flat=True))

    @cached_property
    def team_line(self) -> set[int]:
        """The actor's team and the teams above it (whose team objectives the actor sees)."""
        return set(team_ancestry(self.actor, self.actor.team_id).values_list("pk", flat=True))

    # ---------------------------------------------------------------- see

    def visible_q(self) -> Q:
        if self.is_admin:
            return Q()
        contributes = Exists(
            Contributor.objects.for_actor(self.actor).filter(objective=OuterRef("pk"), membership=self.actor)
        )
        # The reporting line is a recursive CTE inside the query; it appears once (the owner's
        # side is the same for team and private objectives), because each copy is evaluated on
        # its own: at 10,000 people a manager's pages ran it several times per visibility test.
        owner_side = Q(owner=self.actor) | Q(owner__in=reporting_line_subquery(self.actor))
        in_team = Q(team_id__in=team_ancestry(self.actor, self.actor.team_id).values("pk"))
        if self.actor.has_role(Role.MANAGER):
            # A manager also sees the team objectives they may edit: their team's subtree.
            in_team |= Q(team_id__in=team_subtree(self.actor, self.actor.team_id).values("pk"))
        return (
            Q(visibility=Visibility.ORGANISATION)
            | (Q(visibility__in=[Visibility.TEAM, Visibility.PRIVATE]) & owner_side)
            | (Q(visibility=Visibility.TEAM) & (in_team | Q(contributes)))
        )

    def can_view(self, objective: Objective) -> bool:
        if self.is_admin or objective.visibility == Visibility.ORGANISATION:
            return True
        if objective.owner_id == self.actor.pk or objective.owner_id in self.reports:
            return True
        if objective.visibility == Visibility.TEAM:
            if objective.team_id in self.team_line or self.actor.pk in contributor_ids(objective):
                return True
            return self.actor.has_role(Role.MANAGER) and objective.team_id in self.teams
        return False

    # ---------------------------------------------------------------- change

    def is_open(self, cycle: Cycle) -> bool:
        """A closed cycle is frozen for everyone but HR admins."""
        return cycle.state != CycleState.CLOSED or self.is_admin

    def may_edit(self, objective: Objective) -> bool:
        """The relationship that allows editing, whatever the cycle's state."""
        if self.is_admin or objective.owner_id == self.actor.pk or objective.owner_id in self.reports:
            return True
        if self.actor.pk in contributor_ids(objective):
            return True
        return self.actor.has_role(Role.MANAGER) and objective.team_id is not None and objective.team_id in self.teams

    def can_edit(self, objective: Objective) -> bool:
        return self.is_open(objective.cycle) and self.may_edit(objective)

    def can_update(self, objective: Objective, key_result: KeyResult) -> bool:
        """Post a progress update: editors, and the key result's own owner."""
        return self.is_open(objective.cycle) and (key_result.owner_id == self.actor.pk or self.may_edit(objective))

    def scoring_open(self, cycle: Cycle) -> bool:
        """Scores and the reflection are written in review (and by HR admins after the close)."""
        return cycle.state == CycleState.REVIEW or (cycle.state == CycleState.CLOSED and self.is_admin)

    def may_score(self, objective: Objective, key_result: KeyResult) -> bool:
        """The relationship that allows scoring, whatever the cycle's state."""
        return key_result.owner_id == self.actor.pk or self.may_edit(objective)

    def can_score(self, objective: Objective, key_result: KeyResult) -> bool:
        return self.scoring_open(objective.cycle) and self.may_score(objective, key_result)

    def can_ask_to_align(self, objective: Objective, member: Membership) -> bool:
        """Ask ``member`` to align to a key result of ``objective``: an editor of the objective
        asks someone in their reporting line (HR admins anyone)."""
        if member.pk == self.actor.pk or not self.may_edit(objective):
            return False
        return self.is_admin or member.pk in self.reports

    def can_approve(self, objective: Objective) -> bool:
        """Approve or send back ``objective``: a manager above its owner (direct or indirect), or
        an HR admin; never its owner, and not in a closed cycle."""
        if objective.owner_id == self.actor.pk or not self.is_open(objective.cycle):
            return False
        return self.is_admin or objective.owner_id in self.reports

    def require_edit(self, objective: Objective, *, key_result: KeyResult | None = None) -> None:
        """Raise NotAllowed unless the actor may change ``objective`` (with ``key_result``: update
        that key result's progress)."""
        if not self.is_open(objective.cycle):
            raise NotAllowed(CLOSED_MESSAGE)
        if key_result is not None and key_result.owner_id == self.actor.pk:
            return
        if not self.may_edit(objective):
            raise NotAllowed(EDIT_MESSAGE)


def fresh_cycle(objective: Objective) -> Cycle:
    """Re-read the objective's cycle: a service decides on its current state, not on the caller's
    copy of it."""
    objective.cycle = Cycle.objects.in_organisation(objective.organisation_id).get(pk=objective.cycle_id)
    return objective.cycle


def require_edit(actor: Membership, objective: Objective, *, key_result: KeyResult | None = None) -> None:
    """The services' check before any change to an objective or its key results."""
    fresh_cycle(objective)
    Access(actor).require_edit(objective, key_result=key_result)


def require_score(actor: Membership, objective: Objective, key_result: KeyResult) -> None:
    """The services' check before a key result is scored: its owner or an editor of the
    objective, in the scoring window (after the close: an admin)."""
    fresh_cycle(objective)
    access = Access(actor)
    if not access.is_open(objective.cycle):
        raise NotAllowed(CLOSED_MESSAGE)
    if not access.may_score(objective, key_result):
        raise NotAllowed(SCORE_MESSAGE)
    if not access.scoring_open(objective.cycle):
        raise ValidationError({"score": SCORE_WINDOW_MESSAGE})


def require_ask_to_align(actor: Membership, objective: Objective, member: Membership) -> None:
    """The service's check before a request to align is sent."""
    fresh_cycle(objective)
    if not Access(actor).can_ask_to_align(objective, member):
        raise NotAllowed(ASK_TO_ALIGN_MESSAGE)


def require_approve(actor: Membership, objective: Objective) -> None:
    """The services' check before an objective is approved or sent back."""
    fresh_cycle(objective)
    access = Access(actor)
    if not access.is_open(objective.cycle):
        raise NotAllowed(CLOSED_MESSAGE)
    if not access.can_approve(objective):
        raise NotAllowed(APPROVE_MESSAGE)
