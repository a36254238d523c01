"""The alignment tree of one cycle, linked in memory: the one builder behind the tree page and the
tree API.

A child may align to several parents (a DAG), so it appears under each of them; a child whose
parents are invisible to the actor, filtered out or in another cycle becomes a root instead of
vanishing. Nodes are ordered company level first, then by title (``selectors.by_level``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from okrs import status as okr_status
from okrs.models import Objective, Status
from organisations.models import Organisation


@dataclass(frozen=True)
class Edge:
    """A child objective under a parent objective, directly or through one of its key results."""

    child_id: int
    parent_id: int
    via_key_result_id: int | None = None
    via_title: str = ""  # the key result's title, when through one


class Forest:
    """``objectives`` (visible and filtered, in display order) linked by ``edges``."""

    def __init__(
        self, objectives: list[Objective], edges: Iterable[Edge], *, organisation: Organisation, today: date
    ) -> None:
        self.by_id = {o.pk: o for o in objectives}
        self.order = {o.pk: index for index, o in enumerate(objectives)}
        self.status: dict[int, Status | None] = {
            o.pk: okr_status.objective_status(o, organisation=organisation, today=today) for o in objectives
        }
        self.children: dict[int, list[Edge]] = defaultdict(list)
        has_parent: set[int] = set()
        seen: set[tuple[int, int]] = set()
        for edge in edges:
            # Only children the actor sees (and that pass the filters) hang anywhere; a child linked
            # to one parent twice (to it and to one of its key results) appears once.
            if edge.child_id not in self.by_id or edge.parent_id == edge.child_id:
                continue
            if (edge.child_id, edge.parent_id) in seen:
                continue
            seen.add((edge.child_id, edge.parent_id))
            self.children[edge.parent_id].append(edge)
            if edge.parent_id in self.by_id:
                has_parent.add(edge.child_id)
        for links in self.children.values():
            links.sort(key=lambda edge: self.order[edge.child_id])
        self.roots = [o.pk for o in objectives if o.pk not in has_parent]

    def children_of(self, objective_id: int) -> list[Edge]:
        return self.children.get(objective_id, [])
