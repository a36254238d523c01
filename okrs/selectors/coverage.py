"""Reads behind a manager's alignment review: what each of the team's objectives supports, the
chain above it, alignment coverage per report and for the team, and the manager's key results
that nobody supports.

Only what the actor may see counts, everywhere: a link to a parent the actor cannot see does not
make an objective "aligned", and a child the actor cannot see does not cover a key result, so
neither a flag nor a count reveals that an invisible objective exists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from okrs.models import Alignment, Cycle, KeyResult, KeyResultSource, Objective
from okrs.permissions import Access
from okrs.selectors.objectives import by_level, visible_objectives
from organisations.models import Membership


@dataclass(frozen=True)
class ParentRef:
    """One thing an objective supports: a parent objective, or a key result of one."""

    objective: Objective
    key_result: KeyResult | None
    #: The parent belongs to the manager whose team is reviewed (their objective or key result).
    is_managers: bool
    counts: bool

    @property
    def title(self) -> str:
        return self.key_result.title if self.key_result is not None else self.objective.title


@dataclass
class ObjectiveAlignment:
    """What one objective supports (visible parents) and the visible objectives above it, company
    level first."""

    parents: list[ParentRef] = field(default_factory=list)
    chain: list[Objective] = field(default_factory=list)

    @property
    def aligned(self) -> bool:
        return bool(self.parents)

    @property
    def to_managers_key_result(self) -> bool:
        return any(p.is_managers and p.key_result is not None for p in self.parents)


@dataclass(frozen=True)
class Coverage:
    """Share of objectives aligned upward; ``percent`` is None when there is nothing to share."""

    aligned: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.aligned / self.total) if self.total else None

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.aligned + other.aligned, self.total + other.total)


def coverage_of(objective_ids: Iterable[int], alignment: dict[int, ObjectiveAlignment]) -> Coverage:
    ids = list(objective_ids)
    return Coverage(aligned=sum(1 for pk in ids if alignment.get(pk, ObjectiveAlignment()).aligned), total=len(ids))


def _ancestor_pairs(organisation_id: int, objective_ids: list[int]) -> list[tuple[int, int]]:
    """(start, ancestor) for every objective above each of ``objective_ids``: one recursive query
    for the whole team, whatever its size."""
    if not objective_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(start_id, id) AS (
                SELECT s, s FROM unnest(%s::bigint[]) AS s
                UNION
                SELECT up.start_id, coalesce(a.parent_objective_id, kr.objective_id)
                  FROM okrs_alignment a
                  LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id AND kr.organisation_id = %s
                  JOIN up ON a.child_id = up.id
                 WHERE a.organisation_id = %s
            ) SELECT start_id, id FROM up WHERE id IS NOT NULL AND id <> start_id
            """,
            [objective_ids, organisation_id, organisation_id],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def team_alignment(
    *, actor: Membership, manager: Membership, objectives: list[Objective], access: Access
) -> dict[int, ObjectiveAlignment]:
    """For each of ``objectives`` (already visible to ``actor``): its visible parents and the
    visible chain above it. Three queries for any number of objectives.

    The chain may pass through an objective the actor cannot see; it is left out of the chain
    (the ones above it still show), as the alignment tree does."""
    ids = [o.pk for o in objectives]
    result: dict[int, ObjectiveAlignment] = {pk: ObjectiveAlignment() for pk in ids}
    if not ids:
        return result
    visible = visible_objectives(actor=actor, access=access)
    links = (
        Alignment.objects.for_actor(actor)
        .filter(child_id__in=ids)
        .filter(Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible))
        .select_related("parent_objective__owner__user", "parent_key_result__objective__owner__user")
        .order_by("id")
    )
    for link in links:
        key_result = link.parent_key_result
        parent = link.parent_objective or (key_result.objective if key_result is not None else None)
        if parent is None:
            continue
        mine = parent.owner_id == manager.pk or (key_result is not None and key_result.owner_id == manager.pk)
        result[link.child_id].parents.append(
            ParentRef(objective=parent, key_result=key_result, is_managers=mine, counts=link.counts_toward_progress)
        )
    pairs = _ancestor_pairs(actor.organisation_id, ids)
    above: dict[int, set[int]] = defaultdict(set)
    for start, ancestor in pairs:
        above[start].add(ancestor)
    all_above = set().union(*above.values()) if above else set()
    if all_above:
        shown = list(by_level(visible.filter(pk__in=all_above).select_related("owner__user")))
        for start, ancestors in above.items():
            result[start].chain = [o for o in shown if o.pk in ancestors]
    return result


@dataclass
class TeamCoverage:
    """A manager's team in one cycle: the active reports (by name), their visible objectives, what
    each supports, and coverage per report (``per_member``) and for the whole team."""

    members: list[Membership]
    objectives: list[Objective]
    alignment: dict[int, ObjectiveAlignment]
    per_member: dict[int, Coverage]

    @property
    def team(self) -> Coverage:
        return sum(self.per_member.values(), Coverage(0, 0))

    def unaligned_of(self, member: Membership) -> list[Objective]:
        return [o for o in self.objectives if o.owner_id == member.pk and not self.alignment[o.pk].aligned]


def team_coverage(*, actor: Membership, manager: Membership, cycle: Cycle | None, access: Access) -> TeamCoverage:
    """The team view's and the API's reading of a team's alignment: a constant number of queries
    (members, objectives, links, the chain), whatever the team's size."""
    from okrs.selectors.objectives import objectives_owned_by
    from okrs.selectors.reports import active_members_among
    from organisations.selectors import reporting_line

    reports = reporting_line(manager)
    members = active_members_among(actor=actor, members=reports)
    if cycle is None or not members:
        return TeamCoverage(members, [], {}, {m.pk: Coverage(0, 0) for m in members})
    objectives = objectives_owned_by(actor=actor, cycle=cycle, owners=reports, access=access)
    for objective in objectives:
        objective.cycle = cycle  # one cycle for all: no query per objective
    alignment = team_alignment(actor=actor, manager=manager, objectives=objectives, access=access)
    owned: dict[int, list[int]] = defaultdict(list)
    for objective in objectives:
        owned[objective.owner_id].append(objective.pk)
    per_member = {m.pk: coverage_of(owned.get(m.pk, []), alignment) for m in members}
    return TeamCoverage(members, objectives, alignment, per_member)


# ---------------------------------------------------------------- key results nobody supports


def _team_key_results(*, actor: Membership, manager: Membership, cycle: Cycle, access: Access) -> QuerySet[KeyResult]:
    """Key results fed by aligned children on the visible objectives of ``cycle`` that belong to
    the manager or their team: owned by the manager, or a team objective of the manager's team."""
    objectives = visible_objectives(actor=actor, access=access).filter(cycle_id=cycle.pk)
    team_objectives = Q(objective__team_id=manager.team_id, objective__level="team") if manager.team_id else Q(pk=None)
    return (
        KeyResult.objects.for_actor(actor)
        .filter(objective__in=objectives, progress_source=KeyResultSource.ALIGNED_CHILDREN)
        .filter(Q(objective__owner_id=manager.pk) | Q(owner_id=manager.pk) | team_objectives)
    )


def uncovered_key_results(*, actor: Membership, manager: Membership, cycle: Cycle, access: Access) -> list[KeyResult]:
    """The manager's (and their team's) key results whose progress comes from aligned children
    but that no visible objective supports in a way that counts (aligned, counting, weight > 0).
    One query."""
    counting_child = Alignment.objects.for_actor(actor).filter(
        parent_key_result_id=OuterRef("pk"),
        counts_toward_progress=True,
        weight__gt=0,
        child__in=visible_objectives(actor=actor, access=access),
    )
    any_child = Alignment.objects.for_actor(actor).filter(
        parent_key_result_id=OuterRef("pk"), child__in=visible_objectives(actor=actor, access=access)
    )
    return list(
        _team_key_results(actor=actor, manager=manager, cycle=cycle, access=access)
        .annotate(has_any_child=Exists(any_child))
        .exclude(Exists(counting_child))
        .select_related("objective__owner__user", "owner__user")
        .order_by("objective__title", "position", "id")
    )


def ask_to_align_url(org_slug: str, key_result_id: int) -> str:
    return reverse("okrs:ask_to_align", kwargs={"org_slug": org_slug, "key_result_id": key_result_id})
