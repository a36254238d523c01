"""The alignment tree page: a cycle's objectives nested under what they align to, expanded node
by node (htmx swaps a node's children; without JavaScript, ``?open=`` lists the open nodes).

The tree is built by okrs.tree.Forest (the API's tree uses the same builder); this module only
adds what a page needs: element ids, links to open and close a node, and the filters' form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from okrs import queries, selectors
from okrs.models import Cycle, Objective, Status
from okrs.permissions import Access
from okrs.selectors import TreeChild
from okrs.tree import Forest
from okrs.views.common import objective_url, percent
from organisations import selectors as org_selectors
from organisations.models import Membership
from organisations.web import TenantRequest, parse_query, render_page, tenant_view

STATUS_CHOICES = [(s.value, s.label) for s in Status]
#: Deeper than any real cascade; a guard against pathological data, not a product limit.
MAX_OPEN_DEPTH = 12
_KEY = re.compile(r"^\d+(?:_\d+){0,12}$")


@dataclass
class TreeFilters:
    cycle: Cycle | None
    team_id: int | None = None
    owner_id: int | None = None
    status: str = ""
    open: tuple[int, ...] = ()
    after: int | None = None

    @classmethod
    def from_query(cls, query: queries.TreeQuery, cycle: Cycle | None) -> TreeFilters:
        data = query.cleaned_data
        return cls(
            cycle=cycle,
            team_id=data.get("team"),
            owner_id=data.get("owner"),
            status=data.get("status") or "",
            open=tuple(data.get("open") or ()),
            after=data.get("after"),
        )

    @property
    def active(self) -> bool:
        return bool(self.team_id or self.owner_id or self.status)

    def params(self, *, open_ids: list[int] | None = None, after: int | None = None) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        if self.cycle is not None:
            pairs.append(("cycle", self.cycle.pk))
        for name, value in (("team", self.team_id), ("owner", self.owner_id), ("status", self.status)):
            if value:
                pairs.append((name, value))
        pairs += [("open", i) for i in (list(self.open) if open_ids is None else open_ids)]
        if after is not None:
            pairs.append(("after", after))
        return pairs

    def query(self, *, open_ids: list[int] | None = None, after: int | None = None) -> str:
        return urlencode(self.params(open_ids=open_ids, after=after))


@dataclass
class TreeNode:
    objective: Objective
    status: Status | None
    key: str  # unique per path (a child may sit under several parents): element ids
    via: str  # the parent's key result it is aligned to, if any
    child_count: int
    url: str
    expand_href: str
    collapse_href: str
    children_href: str
    children: list[TreeNode] | None = None  # None: collapsed

    @property
    def progress_percent(self) -> int:
        return percent(self.objective.progress)


class TreePage:
    """The nodes of one tree page: a page of roots, the children of the open nodes, and the
    links of each node. Reads a constant number of queries, whatever the size of the cycle."""

    def __init__(self, membership: Membership, filters: TreeFilters, access: Access, today: date) -> None:
        assert filters.cycle is not None
        visible = selectors.objective_search(
            selectors.visible_objectives(actor=membership, access=access),
            actor=membership,
            filters=selectors.ObjectiveFilters(
                team_id=filters.team_id, owner_id=filters.owner_id, status=filters.status
            ),
            today=today,
        )
        self.forest = Forest(actor=membership, cycle=filters.cycle, objectives=visible, today=today)
        self.filters = filters
        self.opened: dict[int, list[TreeChild]] = {}
        self.slug = membership.organisation.slug
        self.tree_url = reverse("okrs:tree", kwargs={"org_slug": self.slug})
        self.children_url = reverse("okrs:tree_children", kwargs={"org_slug": self.slug})

    def read_open(self, also: tuple[int, ...] = ()) -> None:
        """The children of every open node (``?open=``, at most 50) and of ``also``, in one query:
        wherever an open node appears in the tree, its children are at hand."""
        self.opened = self.forest.children(list(dict.fromkeys((*self.filters.open, *also))))

    def node(
        self, objective: Objective, key: str, via: str = "", *, depth: int = 0, expand: bool | None = None
    ) -> TreeNode:
        filters = self.filters
        objective_id = objective.pk
        opened = list(filters.open)
        closed = [i for i in opened if i != objective_id]
        after = filters.after  # the no-JavaScript links stay on this page of roots
        base = urlencode([("objective", objective_id), ("key", key), *filters.params(open_ids=[])])
        node = TreeNode(
            objective=objective,
            status=self.forest.status(objective),
            key=key,
            via=via,
            child_count=objective.child_count,  # type: ignore[attr-defined]  # annotated by the tree's reads
            url=objective_url(self.slug, objective_id),
            expand_href=f"{self.tree_url}?{filters.query(open_ids=[*opened, objective_id], after=after)}#node-{key}",
            collapse_href=f"{self.tree_url}?{filters.query(open_ids=closed, after=after)}#node-{key}",
            children_href=f"{self.children_url}?{base}",
        )
        is_open = (objective_id in opened) if expand is None else expand
        if is_open and depth < MAX_OPEN_DEPTH:
            node.children = self.children_of(objective_id, key, depth=depth + 1)
        return node

    def children_of(self, objective_id: int, key: str, *, depth: int = 0) -> list[TreeNode]:
        return [
            self.node(kid.objective, f"{key}_{kid.objective.pk}", kid.via_title, depth=depth)
            for kid in self.opened.get(objective_id, [])
        ]

    def root_nodes(self) -> tuple[list[TreeNode], int | None]:
        """One page of root nodes after ``?after=``, and the cursor of the next page (None: last)."""
        roots, more = self.forest.roots(after=self.filters.after)
        return [self.node(o, str(o.pk)) for o in roots], (roots[-1].pk if more and roots else None)


def _tree_context(filters: TreeFilters) -> dict[str, Any]:
    return {"filters": filters, "statuses": STATUS_CHOICES, "section": "okrs", "tab": "tree"}


def _owner_picker(membership: Membership, owner_id: int | None, text: str) -> dict[str, Any]:
    """The owner filter: the chosen owner (shown by name) and, when the form was sent with a name
    typed but no JavaScript, the people matching it (with JavaScript, organisations:people_search
    offers them as one types). Never the whole organisation: 10,000 options are no filter."""
    chosen = org_selectors.member_choice(actor=membership, membership_id=owner_id)
    matches = org_selectors.member_search(actor=membership, query=text) if text else []
    return {
        "owner_choice": chosen,
        "field": "owner",
        "people": [m for m in matches if chosen is None or m.pk != chosen.pk],
        "people_query": text,
        "people_limit": org_selectors.PEOPLE_SEARCH_LIMIT,
    }


@tenant_view()
def tree(request: TenantRequest, membership: Membership) -> HttpResponse:
    today = membership.organisation.today()
    query = parse_query(request, queries.TreeQuery)
    cycle = query.chosen_cycle(membership, today)
    filters = TreeFilters.from_query(query, cycle)
    context = _tree_context(filters)
    context.update({"roots": [], "shown": 0, "root_total": 0, "more_href": ""})
    if cycle is not None:
        page = TreePage(membership, filters, Access(membership), today)
        page.read_open()
        roots, next_after = page.root_nodes()
        context["roots"] = roots
        context["shown"], context["root_total"] = page.forest.counts()
        if next_after is not None:
            context["more_href"] = f"{page.tree_url}?{filters.query(after=next_after)}"
    if request.htmx and filters.after is not None:  # "Show more": the next roots, appended
        return render(request, "okrs/manage/tree.html#tree-more", context)
    context.update(
        {
            "cycles": selectors.cycle_list(actor=membership),
            "teams": org_selectors.team_list(actor=membership).order_by("name"),
            **_owner_picker(membership, filters.owner_id, query.cleaned_data["owner_q"]),
        }
    )
    return render_page(request, "okrs/manage/tree.html", context, region="tree")


@tenant_view()
def tree_children(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """The children region of one node (htmx). Without htmx, the tree page with the node open."""
    query = parse_query(request, queries.TreeChildrenQuery)
    objective_id = query.cleaned_data["objective"]
    if objective_id is None:
        return redirect("okrs:tree", org_slug=membership.organisation.slug)
    access = Access(membership)
    objective = selectors.access_objective(membership, objective_id, access=access)  # invisible: 404
    filters = TreeFilters.from_query(query, objective.cycle)
    collapse = query.cleaned_data["collapse"]
    if not request.htmx:
        opened = [i for i in filters.open if i != objective_id] + ([] if collapse else [objective_id])
        tree_url = reverse("okrs:tree", kwargs={"org_slug": membership.organisation.slug})
        return redirect(f"{tree_url}?{filters.query(open_ids=opened)}")
    key = query.cleaned_data["key"]
    key = key if _KEY.match(key) and key.endswith(str(objective_id)) else str(objective_id)
    page = TreePage(membership, filters, access, membership.organisation.today())
    page.read_open((objective_id,))  # its children: to list them, or to count them when filtered out
    member = page.forest.node(objective_id)
    if member is not None:
        node = page.node(member, key, expand=not collapse)
    else:  # filtered out itself: still list its children that pass the filters
        children = page.children_of(objective_id, key, depth=1)
        node = TreeNode(
            objective=objective,
            status=None,
            key=key,
            via="",
            child_count=len(children),
            url=objective_url(membership.organisation.slug, objective_id),
            expand_href="",
            collapse_href="",
            children_href="",
            children=None if collapse else children,
        )
    return render(request, "okrs/manage/tree.html#tree-children", _tree_context(filters) | {"node": node})
