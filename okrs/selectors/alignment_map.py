"""Reads behind the alignment map: a manager's objectives and key results with the objectives of
their reporting line laid out beneath the ones they support, and those that support nothing.

Sized for a manager of hundreds: the first screen holds the manager's own objectives, the first
``GROUP_LIMIT`` supporters of each key result (with how many more there are) and how many
objectives sit below each supporter; deeper levels and the rest of a group are read on demand
(``map_supporters``), ``PAGE`` at a time. Every read is a constant number of queries, with the
hierarchy in SQL (the reporting line and visibility as subqueries, window functions for the
per-group cut).

Only what the actor may see is drawn or counted, as in okrs.selectors.coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from okrs.models import Alignment, Cycle, KeyResult, Objective
from okrs.permissions import Access
from okrs.selectors.objectives import by_level, visible_objectives
from organisations.models import Membership
from organisations.selectors import reporting_line

#: Supporters drawn per key result on the first screen; the rest come on demand.
GROUP_LIMIT = 8
#: Objectives per page when a group or a level is opened, and in the "supports nothing" list.
PAGE = 30


@dataclass
class MapNode:
    """One objective of the reporting line under what it supports; ``below`` counts the visible
    objectives of the line aligned to it or to one of its key results."""

    objective: Objective
    below: int
    via: KeyResult | None = None


@dataclass
class MapGroup:
    """The supporters of one of the manager's key results (``key_result`` None: of the objective
    itself): the first ones, and how many there are in all."""

    key_result: KeyResult | None
    nodes: list[MapNode] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.nodes)


@dataclass
class MapRoot:
    objective: Objective
    groups: list[MapGroup]


@dataclass
class AlignmentMap:
    roots: list[MapRoot]
    unaligned: list[Objective]
    unaligned_total: int
    #: Line objectives aligned to something, but not to the manager's objectives or key results.
    elsewhere_total: int


def line_objectives(*, actor: Membership, manager: Membership, cycle: Cycle, access: Access) -> QuerySet[Objective]:
    """Visible objectives of ``cycle`` owned by the manager's direct and indirect reports.

    The actor is the manager or an HR admin (``access_reporting_line_of``), and by
    ``Access.visible_q`` both see every objective of the manager's reporting line (the owner's
    managers see them all, private ones too): the visibility subqueries, which cost most of the
    map's time for a big team, are left out then, and kept for anyone else."""
    line = Objective.objects.for_actor(actor).filter(
        cycle_id=cycle.pk, owner_id__in=reporting_line(manager).values("pk")
    )
    if actor.pk == manager.pk or access.is_admin:
        return line
    return line.filter(access.visible_q())


def _manager_objectives(*, actor: Membership, manager: Membership, cycle: Cycle, access: Access) -> QuerySet[Objective]:
    """The manager's own visible objectives of the cycle, and their team's team objectives."""
    team_objectives = Q(team_id=manager.team_id, level="team") if manager.team_id else Q(pk=None)
    return visible_objectives(actor=actor, access=access).filter(
        Q(owner_id=manager.pk) | team_objectives, cycle_id=cycle.pk
    )


def _below_counts(actor: Membership, line: QuerySet[Objective]) -> dict[int, int]:
    """For every objective of ``line`` with something of ``line`` below it: how many objectives of
    ``line`` are aligned to it or to one of its key results. One grouped query (at most one row
    per objective of the team), instead of a count per drawn node."""
    rows = (
        Alignment.objects.for_actor(actor)
        .filter(child__in=line)
        .annotate(target=Coalesce("parent_objective_id", "parent_key_result__objective_id"))
        .filter(target__in=line.values("pk"))
        .order_by()
        .values("target")
        .annotate(n=Count("child_id", distinct=True))
        .values_list("target", "n")
    )
    return dict(rows)


def _links(actor: Membership, line: QuerySet[Objective]) -> QuerySet[Alignment]:
    return (
        Alignment.objects.for_actor(actor)
        .filter(child__in=line)
        .select_related("child__owner__user", "child__team", "parent_key_result")
    )


def alignment_map(*, actor: Membership, manager: Membership, cycle: Cycle, access: Access) -> AlignmentMap:
    """The first screen of the map: six queries (roots with key results, the cut supporters,
    the first unaligned, and two counts), whatever the size of the team."""
    line = line_objectives(actor=actor, manager=manager, cycle=cycle, access=access)
    roots_qs = _manager_objectives(actor=actor, manager=manager, cycle=cycle, access=access)
    roots = list(
        by_level(roots_qs.select_related("owner__user")).prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
        )
    )
    partition = [F("parent_key_result_id"), F("parent_objective_id")]
    cut = list(
        _links(actor, line)
        .filter(Q(parent_objective__in=roots_qs) | Q(parent_key_result__objective__in=roots_qs))
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[F("child__title").asc(), F("id").asc()]),
            group_total=Window(Count("id"), partition_by=partition),
        )
        .filter(rank__lte=GROUP_LIMIT)
        .order_by("rank")
    )
    below = _below_counts(actor, line)
    groups: dict[tuple[str, int], MapGroup] = {}
    for root in roots:
        root.cycle = cycle
        groups[("objective", root.pk)] = MapGroup(None)
        for kr in root.key_results.all():
            groups[("key_result", kr.pk)] = MapGroup(kr)
    for link in cut:
        link.child.cycle = cycle
        key = (
            ("key_result", link.parent_key_result_id)
            if link.parent_key_result_id
            else ("objective", link.parent_objective_id)
        )
        group = groups.get(key)  # type: ignore[arg-type]
        if group is None:
            continue
        group.nodes.append(MapNode(link.child, below.get(link.child_id, 0)))
        group.total = link.group_total
    map_roots = [
        MapRoot(
            root,
            [
                g
                for g in [
                    groups[("objective", root.pk)],
                    *(groups[("key_result", k.pk)] for k in root.key_results.all()),
                ]
                if g.key_result or g.total
            ],
        )
        for root in roots
    ]
    has_parent = _has_visible_parent(actor, access)
    to_roots = Exists(
        Alignment.objects.for_actor(actor)
        .filter(child_id=OuterRef("pk"))
        .filter(Q(parent_objective__in=roots_qs) | Q(parent_key_result__objective__in=roots_qs))
    )
    unaligned, unaligned_total = map_unaligned(actor=actor, manager=manager, cycle=cycle, access=access)
    # Two counts, each with its EXISTS in the WHERE clause (a semi-join): the same EXISTS as
    # selected columns runs once per row, seconds for a team of 300.
    return AlignmentMap(
        roots=map_roots,
        unaligned=unaligned,
        unaligned_total=unaligned_total,
        elsewhere_total=line.filter(has_parent).exclude(to_roots).count(),
    )


def _has_visible_parent(actor: Membership, access: Access) -> Exists:
    """The objective is aligned to something the actor may see (coverage's rule of "aligned")."""
    visible = visible_objectives(actor=actor, access=access)
    return Exists(
        Alignment.objects.for_actor(actor)
        .filter(child_id=OuterRef("pk"))
        .filter(Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible))
    )


def map_unaligned(
    *, actor: Membership, manager: Membership, cycle: Cycle, access: Access, offset: int = 0
) -> tuple[list[Objective], int]:
    """One page of the line's objectives that support nothing the actor may see, and how many."""
    line = line_objectives(actor=actor, manager=manager, cycle=cycle, access=access)
    unaligned_qs = line.exclude(_has_visible_parent(actor, access))
    page = list(
        unaligned_qs.select_related("owner__user").order_by("owner__user__full_name", "title", "id")[
            offset : offset + PAGE
        ]
    )
    for objective in page:
        objective.cycle = cycle
    return page, unaligned_qs.count()


def map_supporters(
    *,
    actor: Membership,
    manager: Membership,
    cycle: Cycle,
    access: Access,
    parent: Objective,
    key_result: KeyResult | None,
    whole: bool,
    offset: int = 0,
) -> tuple[list[MapNode], int]:
    """One page of the line's objectives aligned to ``key_result`` (or, without one, to ``parent``
    itself; with ``whole``, to ``parent`` or any of its key results), and how many there are.
    Three queries."""
    line = line_objectives(actor=actor, manager=manager, cycle=cycle, access=access)
    links = _links(actor, line)
    if key_result is not None:
        links = links.filter(parent_key_result_id=key_result.pk)
    elif whole:
        links = links.filter(Q(parent_objective_id=parent.pk) | Q(parent_key_result__objective_id=parent.pk))
    else:
        links = links.filter(parent_objective_id=parent.pk)
    total = links.values("child_id").distinct().count()
    page = list(links.order_by("child__title", "id")[offset : offset + PAGE])
    below = _below_counts(actor, line) if page else {}
    nodes = []
    for link in page:
        link.child.cycle = cycle
        nodes.append(MapNode(link.child, below.get(link.child_id, 0), via=link.parent_key_result))
    return nodes, total
