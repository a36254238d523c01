"""The alignment tree of one cycle: the one builder behind the tree page and the tree API.

A child may align to several parents (a DAG), so it appears under each of them; a child whose
parents are invisible to the actor, filtered out or in another cycle becomes a root instead of
vanishing. Nodes are ordered company level first, then by title (``selectors.by_level``).

The tree is read level by level in SQL (``okrs.selectors.alignment``), never the whole cycle: a
page of roots (keyset-paged), the children of the nodes asked for, each node's child count. So
a page costs the same at 30 objectives and at 3,000.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from okrs import selectors
from okrs import status as okr_status
from okrs.models import Cycle, Objective, Status
from okrs.selectors import TreeChild
from organisations.models import Membership

#: Roots on one page of the tree (and of the API's tree); "Show more" reads the next ones.
ROOTS_PER_PAGE = 50


class Forest:
    """The tree of ``cycle`` over ``objectives`` (visible to the actor and filtered)."""

    def __init__(
        self,
        *,
        actor: Membership,
        cycle: Cycle,
        objectives: QuerySet[Objective],
        today: date,
        with_key_results: bool = False,
    ) -> None:
        self.actor = actor
        self.cycle = cycle
        self.today = today
        self.with_key_results = with_key_results
        self.members = selectors.tree_members(cycle=cycle, objectives=objectives)
        self._counts: tuple[int, int] | None = None

    def status(self, objective: Objective) -> Status | None:
        return okr_status.objective_status(objective, organisation=self.actor.organisation, today=self.today)

    def _placed(self, objective: Objective) -> Objective:
        objective.cycle = self.cycle  # one cycle for all: no query per node
        return objective

    def counts(self) -> tuple[int, int]:
        """(objectives in the tree, roots among them): read with the first page of roots when it
        was read, else one query."""
        if self._counts is None:
            self._counts = selectors.tree_counts(actor=self.actor, members=self.members)
        return self._counts

    def _roots(self, after: int | None) -> QuerySet[Objective]:
        return selectors.tree_roots(actor=self.actor, members=self.members, after=after)

    def _page(self, roots: QuerySet[Objective], *, counted: bool) -> QuerySet[Objective]:
        if counted:  # no cursor: the roots are all there, so their window counts them
            roots = selectors.with_tree_counts(roots, actor=self.actor, members=self.members)
        return selectors.tree_with_key_results(roots) if self.with_key_results else roots

    def _keep_counts(self, found: list[Objective]) -> None:
        if found:
            self._counts = (found[0].tree_shown, found[0].tree_root_total)  # type: ignore[attr-defined]
        else:
            self._counts = (0, 0)  # no root: nothing at all (a finite DAG has a root)

    def roots(self, *, after: int | None = None, limit: int | None = None) -> tuple[list[Objective], bool]:
        """One page of roots (``ROOTS_PER_PAGE``) after the root ``after``, and whether more follow."""
        limit = limit or ROOTS_PER_PAGE
        found = list(self._page(self._roots(after), counted=after is None)[: limit + 1])
        if after is None:
            self._keep_counts(found)
        return [self._placed(o) for o in found[:limit]], len(found) > limit

    def root_page(self, *, offset: int, limit: int) -> list[Objective]:
        """The roots ``offset`` to ``offset + limit`` (the API pages by offset, as its lists do)."""
        found = list(self._page(self._roots(None), counted=True)[offset : offset + limit])
        if found or offset == 0:
            self._keep_counts(found)
        return [self._placed(o) for o in found]

    def root_page_ids(self, *, offset: int, limit: int) -> QuerySet[Any]:
        """The same page of roots as a subquery of ids: the parents of the first level below."""
        return self._roots(None).values("pk")[offset : offset + limit]

    def node(self, objective_id: int) -> Objective | None:
        """One objective of the tree with its child count; None if filtered out."""
        found = selectors.tree_node(actor=self.actor, members=self.members, objective_id=objective_id)
        return self._placed(found) if found is not None else None

    def children(self, parents: list[int] | QuerySet[Any]) -> dict[int, list[TreeChild]]:
        """The children of each of ``parents`` (ids, or a subquery of ids), in display order."""
        found = selectors.tree_children(
            actor=self.actor, members=self.members, parents=parents, with_key_results=self.with_key_results
        )
        for kids in found.values():
            for kid in kids:
                self._placed(kid.objective)
        return found

    def descend(self, parents: QuerySet[Any], depth: int) -> dict[int, list[TreeChild]]:
        """The children of ``parents`` and of their children, ``depth`` levels down: one query
        per level, each level's parents a subquery of the one above."""
        found: dict[int, list[TreeChild]] = {}
        for _ in range(depth):
            level = self.children(parents)
            if not level:
                break
            for parent_id, kids in level.items():
                found.setdefault(parent_id, kids)
            parents = selectors.tree_child_ids(actor=self.actor, members=self.members, parents=parents)
        return found
