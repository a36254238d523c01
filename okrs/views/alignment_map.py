"""The alignment map: a manager's objectives and key results with the reports' objectives beneath
the ones they support (progress and status as colour), and what supports nothing to one side.

Server-rendered HTML and CSS: columns per key result on a wide screen, one list at phone width.
Big teams stay fast: the first screen shows a few supporters per key result and how many objectives
sit below each; "show more" and "show below" fetch the next page or level (htmx, with a real link
to the same list as a page without JavaScript)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse

from okrs import queries, selectors
from okrs import status as okr_status
from okrs.models import Cycle, Objective
from okrs.permissions import Access
from okrs.selectors.alignment_map import PAGE, MapNode, alignment_map, map_supporters, map_unaligned
from okrs.views.common import percent
from organisations import selectors as org_selectors
from organisations.models import Membership, Organisation
from organisations.web import TenantRequest, parse_query, render_page, tenant_view


def _decorate(objective: Objective, organisation: Organisation) -> None:
    """What a node draws: its progress in percent and its status (stored values, no query)."""
    today = organisation.today()
    objective.pct = percent(objective.progress)  # type: ignore[attr-defined]
    objective.map_status = okr_status.objective_status(objective, organisation=organisation, today=today)  # type: ignore[attr-defined]


def _more_url(membership: Membership, cycle: Cycle, manager: Membership, parent: str, offset: int = 0) -> str:
    params: dict[str, object] = {"cycle": cycle.pk, **({"parent": parent} if parent else {})}
    if manager.pk != membership.pk:
        params["manager"] = manager.pk
    if offset:
        params["offset"] = offset
    return (
        f"{reverse('okrs:alignment_map_more', kwargs={'org_slug': membership.organisation.slug})}?{urlencode(params)}"
    )


def _nodes(membership: Membership, cycle: Cycle, manager: Membership, nodes: list[MapNode]) -> list[MapNode]:
    for node in nodes:
        _decorate(node.objective, membership.organisation)
        node.below_url = _more_url(membership, cycle, manager, f"all:{node.objective.pk}")  # type: ignore[attr-defined]
    return nodes


@tenant_view()
def alignment_map_page(request: TenantRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    query = parse_query(request, queries.TeamQuery)
    manager = org_selectors.access_reporting_line_of(membership, query.manager_id())
    cycle = query.chosen_cycle(membership, organisation.today())
    found = None
    if cycle is not None:
        found = alignment_map(actor=membership, manager=manager, cycle=cycle, access=Access(membership))
        for root in found.roots:
            _decorate(root.objective, organisation)
            for group in root.groups:
                _nodes(membership, cycle, manager, group.nodes)
                parent = f"kr:{group.key_result.pk}" if group.key_result else f"obj:{root.objective.pk}"
                group.more_url = _more_url(membership, cycle, manager, parent, len(group.nodes))  # type: ignore[attr-defined]
        for objective in found.unaligned:
            _decorate(objective, organisation)
    context = {
        "section": "okrs",
        "tab": "map",
        "subject": manager,
        "is_self": manager.pk == membership.pk,
        "picker": selectors.managers(actor=membership) if membership.is_admin else [],
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
        "map": found,
        "page_size": PAGE,
        "team_url": reverse("okrs:team", kwargs={"org_slug": organisation.slug})
        + (f"?cycle={cycle.pk}" if cycle else ""),
        "unaligned_url": _more_url(membership, cycle, manager, "", PAGE) if cycle else "",
        "unaligned_more": found.unaligned_total - len(found.unaligned) if found else 0,
    }
    return render_page(request, "okrs/manage/alignment_map.html", context, region="alignment-map")


@tenant_view()
def alignment_map_more(request: TenantRequest, membership: Membership) -> HttpResponse:
    """One page of supporters of a key result or objective, or the level below a node; the htmx
    swap of "show more" / "show below", and a page of its own without JavaScript."""
    organisation = membership.organisation
    query = parse_query(request, queries.MapMoreQuery)
    manager = org_selectors.access_reporting_line_of(membership, query.manager_id())
    cycle = query.chosen_cycle(membership, organisation.today())
    offset = query.cleaned_data.get("offset") or 0
    access = Access(membership)
    nodes: list[MapNode] = []
    total = 0
    if query.cleaned_data["parent"] is None:  # what supports nothing
        if cycle is not None:
            page, total = map_unaligned(actor=membership, manager=manager, cycle=cycle, access=access, offset=offset)
            nodes = _nodes(membership, cycle, manager, [MapNode(o, 0) for o in page])
        shown_to = offset + len(nodes)
        context = {
            "section": "okrs",
            "tab": "map",
            "unaligned": True,
            "nodes": nodes,
            "total": total,
            "offset": offset,
            "target": f"none-{offset}",
            "next_url": _more_url(membership, cycle, manager, "", shown_to) if cycle and shown_to < total else "",
            "remaining": total - shown_to,
            "map_url": reverse("okrs:alignment_map", kwargs={"org_slug": organisation.slug})
            + (f"?cycle={cycle.pk}" if cycle else ""),
        }
        return render_page(request, "okrs/manage/alignment_map_more.html", context, region="map-more")
    kind, pk = query.cleaned_data["parent"]
    key_result = selectors.access_key_result(membership, pk, access=access) if kind == "kr" else None
    parent = key_result.objective if key_result else selectors.access_objective(membership, pk, access=access)
    if cycle is not None:
        nodes, total = map_supporters(
            actor=membership,
            manager=manager,
            cycle=cycle,
            access=access,
            parent=parent,
            key_result=key_result,
            whole=kind == "all",
            offset=offset,
        )
        _nodes(membership, cycle, manager, nodes)
    shown_to = offset + len(nodes)
    context = {
        "section": "okrs",
        "tab": "map",
        "parent": parent,
        "key_result": key_result,
        "nodes": nodes,
        "total": total,
        "offset": offset,
        "target": f"{kind}-{pk}-{offset}",
        "next_url": _more_url(membership, cycle, manager, f"{kind}:{pk}", shown_to)
        if cycle and shown_to < total
        else "",
        "remaining": total - shown_to,
        "map_url": reverse("okrs:alignment_map", kwargs={"org_slug": organisation.slug})
        + (f"?cycle={cycle.pk}" if cycle else ""),
    }
    return render_page(request, "okrs/manage/alignment_map_more.html", context, region="map-more")
