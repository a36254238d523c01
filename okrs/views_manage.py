"""Managers' and HR's OKR pages: the alignment tree, the team view, cycles (with carry-over)
and the adoption report.

Reads go through okrs.selectors (scoped to the organisation and to what the actor may see),
writes through okrs.services. Each page runs a constant number of queries: the tree reads the
whole cycle once and links nodes in memory, so opening one node costs what opening ten does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from okrs import selectors, services
from okrs.forms_manage import CarryOverForm, CustomCycleForm, CycleStateForm, GenerateYearForm
from okrs.models import Cycle, CycleKind, CycleState, Objective, Status
from okrs.permissions import Access, report_ids
from organisations import selectors as org_selectors
from organisations.forms import apply_validation_error
from organisations.models import Membership, Organisation, Role
from organisations.views import _page, tenant_view

#: No progress update for this long flags an objective as stale in the team view.
STALE_AFTER = timedelta(days=14)
#: The adoption report counts a key result as fresh when updated within this window.
FRESH_WITHIN = timedelta(days=14)
STATUS_CHOICES = [(s.value, s.label) for s in Status]
#: Deeper than any real cascade; a guard against pathological data, not a product limit.
MAX_OPEN_DEPTH = 12
_KEY = re.compile(r"^\d+(?:_\d+){0,12}$")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def objective_url(org_slug: str, objective_id: int) -> str:
    """The objective's detail page (the employees' pages own it)."""
    try:
        return reverse("objective_detail", kwargs={"org_slug": org_slug, "objective_id": objective_id})
    except NoReverseMatch:  # that page is not routed yet: its agreed path
        return f"/o/{org_slug}/okrs/objectives/{objective_id}/"


def percent(value: Decimal | None) -> int:
    return round((value or Decimal(0)) * 100)


def _chosen_cycle(request: HttpRequest, membership: Membership, today: date) -> Cycle | None:
    """?cycle=<id> (another organisation's id: 404), else the default cycle."""
    cycle_id = _int(request.GET.get("cycle"))
    if cycle_id is not None:
        return selectors.access_cycle(membership, cycle_id)
    return selectors.default_cycle(actor=membership, today=today)


# ---------------------------------------------------------------- alignment tree


@dataclass
class TreeFilters:
    cycle: Cycle | None
    team_id: int | None = None
    owner_id: int | None = None
    status: str = ""
    open: list[int] = field(default_factory=list)

    @classmethod
    def parse(cls, request: HttpRequest, cycle: Cycle | None) -> TreeFilters:
        status = request.GET.get("status", "")
        opened = [i for i in (_int(v) for v in request.GET.getlist("open")[:50]) if i is not None]
        return cls(
            cycle=cycle,
            team_id=_int(request.GET.get("team")),
            owner_id=_int(request.GET.get("owner")),
            status=status if status in Status.values else "",
            open=list(dict.fromkeys(opened)),
        )

    @property
    def active(self) -> bool:
        return bool(self.team_id or self.owner_id or self.status)

    def params(self, *, open_ids: list[int] | None = None) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        if self.cycle is not None:
            pairs.append(("cycle", self.cycle.pk))
        for name, value in (("team", self.team_id), ("owner", self.owner_id), ("status", self.status)):
            if value:
                pairs.append((name, value))
        pairs += [("open", i) for i in (self.open if open_ids is None else open_ids)]
        return pairs

    def query(self, *, open_ids: list[int] | None = None) -> str:
        return urlencode(self.params(open_ids=open_ids))


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


class Forest:
    """The visible (and filtered) objectives of one cycle, linked by alignment in memory."""

    def __init__(
        self,
        membership: Membership,
        filters: TreeFilters,
        access: Access,
        today: date,
    ) -> None:
        assert filters.cycle is not None
        organisation = membership.organisation
        cycle = filters.cycle
        objectives = selectors.tree_objectives(
            actor=membership, cycle=cycle, access=access, team_id=filters.team_id, owner_id=filters.owner_id
        )
        self.status: dict[int, Status | None] = {}
        for objective in objectives:
            objective.cycle = cycle  # one cycle for all: no query per objective
            self.status[objective.pk] = selectors.objective_status(objective, organisation=organisation, today=today)
        if filters.status:
            objectives = [o for o in objectives if self.status[o.pk] == filters.status]
        self.order = {o.pk: index for index, o in enumerate(objectives)}
        self.by_id = {o.pk: o for o in objectives}
        self.children: dict[int, list[tuple[int, str]]] = defaultdict(list)
        has_parent: set[int] = set()
        seen: set[tuple[int, int]] = set()
        # Only links between objectives the actor sees (and that pass the filters) count: a child
        # of a private objective the actor may not see becomes a root instead of vanishing.
        for child, parent, via in selectors.tree_edges(actor=membership, cycle=cycle):
            if child not in self.by_id or parent == child or (child, parent) in seen:
                continue
            seen.add((child, parent))
            self.children[parent].append((child, via))
            if parent in self.by_id:
                has_parent.add(child)
        for links in self.children.values():
            links.sort(key=lambda link: self.order[link[0]])
        self.roots = [o.pk for o in objectives if o.pk not in has_parent]
        self.filters = filters
        self.slug = organisation.slug
        self.tree_url = reverse("okr_tree", kwargs={"org_slug": self.slug})
        self.children_url = reverse("okr_tree_children", kwargs={"org_slug": self.slug})

    def node(
        self, objective_id: int, key: str, via: str = "", *, depth: int = 0, expand: bool | None = None
    ) -> TreeNode:
        objective = self.by_id[objective_id]
        links = self.children.get(objective_id, [])
        filters = self.filters
        opened = filters.open
        base = urlencode([("objective", objective_id), ("key", key), *filters.params(open_ids=[])])
        node = TreeNode(
            objective=objective,
            status=self.status[objective_id],
            key=key,
            via=via,
            child_count=len(links),
            url=objective_url(self.slug, objective_id),
            expand_href=f"{self.tree_url}?{filters.query(open_ids=[*opened, objective_id])}#node-{key}",
            collapse_href=f"{self.tree_url}?{filters.query(open_ids=[i for i in opened if i != objective_id])}#node-{key}",
            children_href=f"{self.children_url}?{base}",
        )
        is_open = (objective_id in opened) if expand is None else expand
        if is_open and depth < MAX_OPEN_DEPTH:
            node.children = self.children_of(objective_id, key, depth=depth + 1)
        return node

    def children_of(self, objective_id: int, key: str, *, depth: int = 0) -> list[TreeNode]:
        return [
            self.node(child, f"{key}_{child}", via, depth=depth) for child, via in self.children.get(objective_id, [])
        ]

    def root_nodes(self) -> list[TreeNode]:
        return [self.node(pk, str(pk)) for pk in self.roots]


def _tree_context(membership: Membership, filters: TreeFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "statuses": STATUS_CHOICES,
        "section": "okrs",
        "tab": "tree",
    }


@tenant_view()
def okr_tree(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation: Organisation = membership.organisation
    today = selectors.organisation_today(organisation)
    cycle = _chosen_cycle(request, membership, today)
    filters = TreeFilters.parse(request, cycle)
    context = _tree_context(membership, filters)
    context.update(
        {
            "cycles": selectors.cycle_list(actor=membership),
            "teams": org_selectors.team_list(actor=membership).order_by("name"),
            "owners": org_selectors.member_list(actor=membership),
            "roots": [],
            "shown": 0,
        }
    )
    if cycle is not None:
        forest = Forest(membership, filters, Access(membership), today)
        context["roots"] = forest.root_nodes()
        context["shown"] = len(forest.by_id)
    return _page(request, "okrs/manage/tree.html", context, region="tree")


@tenant_view()
def okr_tree_children(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """The children region of one node (htmx). Without htmx, the tree page with the node open."""
    objective_id = _int(request.GET.get("objective"))
    if objective_id is None:
        return redirect("okr_tree", org_slug=membership.organisation.slug)
    access = Access(membership)
    objective = selectors.access_objective(membership, objective_id, access=access)  # invisible: 404
    filters = TreeFilters.parse(request, objective.cycle)
    collapse = request.GET.get("collapse") == "1"
    if not getattr(request, "htmx", False):
        opened = [i for i in filters.open if i != objective_id] + ([] if collapse else [objective_id])
        return redirect(
            f"{reverse('okr_tree', kwargs={'org_slug': membership.organisation.slug})}?{filters.query(open_ids=opened)}"
        )
    key = request.GET.get("key", "")
    key = key if _KEY.match(key) and key.endswith(str(objective_id)) else str(objective_id)
    forest = Forest(membership, filters, access, selectors.organisation_today(membership.organisation))
    if objective_id in forest.by_id:
        node = forest.node(objective_id, key, expand=not collapse)
    else:  # filtered out itself: still list its children that pass the filters
        node = TreeNode(
            objective=objective,
            status=None,
            key=key,
            via="",
            child_count=len(forest.children.get(objective_id, [])),
            url=objective_url(membership.organisation.slug, objective_id),
            expand_href="",
            collapse_href="",
            children_href="",
            children=None if collapse else forest.children_of(objective_id, key, depth=1),
        )
    context = _tree_context(membership, filters) | {"node": node}
    return render(request, "okrs/manage/tree.html#tree-children", context)


# ---------------------------------------------------------------- team view


@dataclass
class TeamRow:
    objective: Objective
    status: Status | None
    stale: bool
    url: str

    @property
    def progress_percent(self) -> int:
        return percent(self.objective.progress)


@dataclass
class ReportBlock:
    member: Membership
    rows: list[TeamRow]

    @property
    def stale_count(self) -> int:
        return sum(1 for r in self.rows if r.stale)


def is_stale(objective: Objective, cycle: Cycle, *, now: datetime, today: date) -> bool:
    """No progress update for 14 days, or none ever and the cycle started more than 14 days
    ago. A closed cycle, or one not started, has nothing to chase."""
    if cycle.state == CycleState.CLOSED or today < cycle.start_date:
        return False
    if objective.last_update_at is None:
        return (today - cycle.start_date) > STALE_AFTER
    return now - objective.last_update_at >= STALE_AFTER


@tenant_view()
def okr_team(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation: Organisation = membership.organisation
    today = selectors.organisation_today(organisation)
    now = timezone.now()
    manager = membership
    picker: list[Membership] = []
    manager_raw = request.GET.get("manager", "")
    if manager_raw and manager_raw != str(membership.pk):
        if not membership.is_admin:
            raise PermissionDenied("Only HR admins look at another manager's team.")
        manager_id = _int(manager_raw)
        if manager_id is None:
            raise Http404("No such manager")
        manager = org_selectors.access_membership(membership, manager_id)  # another organisation's: 404
    if membership.is_admin:
        picker = selectors.managers(actor=membership)
    cycle = _chosen_cycle(request, membership, today)
    ids = report_ids(manager)
    members = selectors.members_by_ids(actor=membership, ids=ids) if ids else []
    blocks: list[ReportBlock] = []
    if cycle is not None and members:
        by_owner: dict[int, list[TeamRow]] = defaultdict(list)
        for objective in selectors.objectives_owned_by(
            actor=membership, cycle=cycle, owner_ids={m.pk for m in members}
        ):
            objective.cycle = cycle
            by_owner[objective.owner_id].append(
                TeamRow(
                    objective=objective,
                    status=selectors.objective_status(objective, organisation=organisation, today=today),
                    stale=is_stale(objective, cycle, now=now, today=today),
                    url=objective_url(organisation.slug, objective.pk),
                )
            )
        blocks = [ReportBlock(member=m, rows=by_owner.get(m.pk, [])) for m in members]
    context = {
        "section": "okrs",
        "tab": "team",
        "subject": manager,
        "is_self": manager.pk == membership.pk,
        "picker": picker,
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
        "blocks": blocks,
        "members": members,
        "objective_count": sum(len(b.rows) for b in blocks),
        "stale_count": sum(b.stale_count for b in blocks),
        "without_objectives": sum(1 for b in blocks if not b.rows),
        "direct_ids": {m.pk for m in members if m.manager_id == manager.pk},
        "can_carry_over": membership.has_role(Role.MANAGER) and bool(ids),
        "stale_days": STALE_AFTER.days,
    }
    return _page(request, "okrs/manage/team.html", context, region="team-table")


# ---------------------------------------------------------------- cycles (HR)


def _generated_years(cycles: list[Cycle], organisation: Organisation) -> set[int]:
    month = organisation.fiscal_year_start_month
    return {
        c.start_date.year
        for c in cycles
        if c.kind == CycleKind.YEAR and c.start_date.month == month and c.start_date.day == 1
    }


def _carry_over_initial(cycles: list[Cycle], today: date) -> dict[str, int]:
    """From the latest quarter (or custom cycle) that has ended, else the running one, into the
    next cycle of its kind; no guess at a target when there is none yet."""
    ordered = sorted((c for c in cycles if c.kind != CycleKind.YEAR), key=lambda c: (c.start_date, c.pk))
    ended = [c for c in ordered if c.end_date < today]
    running = [c for c in ordered if c.start_date <= today <= c.end_date]
    source = ended[-1] if ended else (running[0] if running else None)
    if source is None:
        return {}
    target = next((c for c in ordered if c.kind == source.kind and c.start_date > source.end_date), None)
    return {"source": source.pk, **({"target": target.pk} if target else {})}


@tenant_view(Role.ADMIN)
def okr_cycles(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    organisation: Organisation = membership.organisation
    today = selectors.organisation_today(organisation)
    cycles = selectors.cycle_overview(actor=membership)
    generated = _generated_years(cycles, organisation)
    action = request.POST.get("action") if request.method == "POST" else None
    generate_form = GenerateYearForm(
        request.POST if action == "generate" else None, organisation=organisation, today=today, generated=generated
    )
    custom_form = CustomCycleForm(request.POST if action == "custom" else None)
    if action == "generate" and generate_form.is_valid():
        try:
            created = services.cycles_generate_year(
                actor=membership, start_year=generate_form.cleaned_data["start_year"], today=today
            )
        except ValidationError as exc:
            apply_validation_error(generate_form, exc)
        else:
            messages.success(request, f"Generated {', '.join(c.name for c in created)}.")
            return redirect("okr_cycles", org_slug=organisation.slug)
    if action == "custom" and custom_form.is_valid():
        try:
            cycle = services.cycle_create_custom(actor=membership, **custom_form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(custom_form, exc)
        else:
            messages.success(request, f"Created {cycle.name} ({cycle.get_state_display().lower()}).")
            return redirect("okr_cycles", org_slug=organisation.slug)
    context = {
        "section": "okrs",
        "tab": "cycles",
        "cycles": cycles,
        "generate_form": generate_form,
        "custom_form": custom_form,
        "carry_form": CarryOverForm(actor=membership, initial=_carry_over_initial(cycles, today)),
        "states": CycleState.choices,
        "today": today,
    }
    return render(request, "okrs/manage/cycles.html", context, status=200)


@tenant_view(Role.ADMIN)
@require_POST
def okr_cycle_state(request: HttpRequest, membership: Membership, cycle_id: int) -> HttpResponseBase:
    cycle = selectors.access_cycle(membership, cycle_id)
    form = CycleStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose planning, active, review or closed.")
    else:
        try:
            services.cycle_set_state(actor=membership, cycle=cycle, state=form.cleaned_data["state"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"{cycle.name} is now {cycle.get_state_display().lower()}; "
                "the daily move by dates leaves it alone from now on.",
            )
    return redirect("okr_cycles", org_slug=membership.organisation.slug)


@tenant_view(Role.MANAGER)
def okr_carry_over(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """Admins carry everything unfinished; managers what they may edit (theirs, their reports',
    their team's): the service decides, objective by objective."""
    organisation: Organisation = membership.organisation
    today = selectors.organisation_today(organisation)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    cycles = list(selectors.cycle_list(actor=membership))
    form = CarryOverForm(data, actor=membership, initial=_carry_over_initial(cycles, today))
    if data is not None and form.is_valid():
        source, target = form.cleaned_data["source"], form.cleaned_data["target"]
        try:
            copies = services.cycle_carry_over(actor=membership, source=source, target=target)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if copies:
                titles = ", ".join(f"“{c.title}”" for c in copies[:5]) + (" …" if len(copies) > 5 else "")
                messages.success(
                    request,
                    f"Carried {len(copies)} unfinished objective(s) from {source.name} into {target.name}: {titles}.",
                )
            else:
                messages.success(
                    request, f"Nothing to carry from {source.name}: everything you can edit is done or already carried."
                )
            if membership.is_admin:
                return redirect("okr_cycles", org_slug=organisation.slug)
            return redirect(f"{reverse('okr_team', kwargs={'org_slug': organisation.slug})}?cycle={target.pk}")
    context = {"section": "okrs", "tab": "team", "form": form, "is_admin": membership.is_admin}
    return render(request, "okrs/manage/carry_over.html", context)


# ---------------------------------------------------------------- adoption (HR)


@dataclass
class TeamAdoption:
    name: str
    key_results: int
    updated: int
    objectives: int

    @property
    def share(self) -> int:
        return round(100 * self.updated / self.key_results) if self.key_results else 0


@tenant_view(Role.ADMIN)
def okr_adoption(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation: Organisation = membership.organisation
    today = selectors.organisation_today(organisation)
    cycle = _chosen_cycle(request, membership, today)
    context: dict[str, Any] = {
        "section": "okrs",
        "tab": "adoption",
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
        "fresh_days": FRESH_WITHIN.days,
    }
    if cycle is not None:
        teams = {t.pk: t.name for t in org_selectors.team_list(actor=membership)}
        rows = [
            TeamAdoption(
                name=teams.get(r["team_id"], "No team") if r["team_id"] else "No team",
                key_results=r["key_results"],
                updated=r["updated"],
                objectives=r["objectives"],
            )
            for r in selectors.key_result_freshness_by_team(
                actor=membership, cycle=cycle, since=timezone.now() - FRESH_WITHIN
            )
        ]
        rows.sort(key=lambda r: (r.name == "No team", r.name.lower()))
        without = selectors.members_without_objectives(actor=membership, cycle=cycle)
        active = selectors.active_member_count(actor=membership)
        total_krs = sum(r.key_results for r in rows)
        total_updated = sum(r.updated for r in rows)
        context.update(
            {
                "teams": rows,
                "without": without,
                "active": active,
                "with_objectives": active - len(without),
                "adoption_share": round(100 * (active - len(without)) / active) if active else 0,
                "total_krs": total_krs,
                "total_updated": total_updated,
                "fresh_share": round(100 * total_updated / total_krs) if total_krs else 0,
                "chart_height": 28 * len(rows) + 8,
            }
        )
    return _page(request, "okrs/manage/adoption.html", context, region="adoption-report")
