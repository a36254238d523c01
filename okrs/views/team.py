"""The team view: a manager's reports, one level at a time, with what each one's whole line is
doing in a cycle (people, objectives, average progress, at risk or behind, stale, unaligned —
counted in SQL), and each report's own objectives (status, staleness, what they support) and
reports opened on demand. A small line (``SMALL_LINE`` people) is shown whole, every objective
without a click, as before; HR admins may look at any manager's team."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from okrs import queries, selectors
from okrs import status as okr_status
from okrs.models import Cycle, Objective, Status
from okrs.permissions import Access
from okrs.selectors.coverage import ObjectiveAlignment, team_alignment, team_coverage, uncovered_key_results
from okrs.selectors.objectives import objectives_owned_by
from okrs.selectors.team import (
    REPORTS_PAGE,
    SMALL_LINE,
    LineSummary,
    access_line_member,
    direct_reports_page,
    line_size,
    line_summaries,
    reports_overview,
)
from okrs.views.common import objective_url, percent
from organisations import selectors as org_selectors
from organisations.models import Membership, Role
from organisations.web import TenantRequest, parse_query, render_page, tenant_view

#: Whom a key result's owner may be asked to align, listed in the page's "Ask" menus of a small
#: line (a large one lists the direct reports of the page: thousands of options per key result
#: made most of the page's 8.6 MB at 10,000 people).
ASKABLE = 50


@dataclass
class TeamRow:
    objective: Objective
    status: Status | None
    stale: bool
    url: str
    alignment: ObjectiveAlignment

    @property
    def progress_percent(self) -> int:
        return percent(self.objective.progress)


@dataclass
class ReportNode:
    """One report: their line's summary and, once opened, their own objectives (``rows``, after
    the filter) and their reports (``children``, a page of them)."""

    member: Membership
    summary: LineSummary
    direct: bool
    person_url: str
    expanded: bool = False
    rows: list[TeamRow] = field(default_factory=list)
    children: list[ReportNode] = field(default_factory=list)
    more_url: str | None = None

    @property
    def stale_count(self) -> int:
        return sum(1 for r in self.rows if r.stale)


def _shown(row: TeamRow, alignment_filter: str) -> bool:
    if alignment_filter == "unaligned":
        return not row.alignment.aligned
    if alignment_filter == "mine":
        return row.alignment.to_managers_key_result
    return True


@dataclass
class TeamPage:
    """What every part of the team view shares: who looks, at whose team, which cycle, the
    filter."""

    request: TenantRequest
    membership: Membership
    manager: Membership
    cycle: Cycle | None
    alignment_filter: str
    access: Access
    today: date
    now: datetime

    @classmethod
    def read(cls, request: TenantRequest, membership: Membership, query: queries.TeamQuery) -> TeamPage:
        today = membership.organisation.today()
        return cls(
            request=request,
            membership=membership,
            manager=org_selectors.access_reporting_line_of(membership, query.manager_id()),
            cycle=query.chosen_cycle(membership, today),
            alignment_filter=query.cleaned_data.get("alignment") or "",
            access=Access(membership),
            today=today,
            now=timezone.now(),
        )

    def _params(self, **extra: object) -> str:
        params: dict[str, object] = {"cycle": self.cycle.pk} if self.cycle else {}
        if self.manager.pk != self.membership.pk:
            params["manager"] = self.manager.pk
        if self.alignment_filter:
            params["alignment"] = self.alignment_filter
        params.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(params)

    def team_url(self, **extra: object) -> str:
        """The team view of this cycle, manager and filter, with ``extra`` parameters."""
        return f"{reverse('okrs:team', kwargs={'org_slug': self.membership.organisation.slug})}?{self._params(**extra)}"

    def person_url(self, member: Membership, **extra: object) -> str:
        url = reverse("okrs:team_person", kwargs={"org_slug": self.membership.organisation.slug})
        return f"{url}?{self._params(member=member.pk, **extra)}"

    def rows_of(
        self, objectives: list[Objective], alignment: dict[int, ObjectiveAlignment]
    ) -> dict[int, list[TeamRow]]:
        """Each owner's rows, after the filter."""
        assert self.cycle is not None
        organisation = self.membership.organisation
        period = okr_status.stale_after(organisation)
        rows: dict[int, list[TeamRow]] = defaultdict(list)
        for objective in objectives:
            row = TeamRow(
                objective=objective,
                status=okr_status.objective_status(objective, organisation=organisation, today=self.today),
                stale=okr_status.is_stale(objective, self.cycle, now=self.now, today=self.today, period=period),
                url=objective_url(organisation.slug, objective.pk),
                alignment=alignment[objective.pk],
            )
            if _shown(row, self.alignment_filter):
                rows[objective.owner_id].append(row)
        return rows

    def summaries(self, heads: list[Membership]) -> dict[int, LineSummary]:
        assert self.cycle is not None
        return line_summaries(
            actor=self.membership,
            access=self.access,
            heads=[m.pk for m in heads],
            cycle=self.cycle,
            today=self.today,
            now=self.now,
        )

    def collapsed(self, reports: list[Membership], found: dict[int, LineSummary] | None = None) -> list[ReportNode]:
        """Closed nodes for a page of direct reports; a filter leaves out the lines it finds
        nothing in ("unaligned": no unaligned objective below)."""
        found = self.summaries(reports) if found is None else found
        nodes = [
            ReportNode(
                member=m, summary=found[m.pk], direct=m.manager_id == self.manager.pk, person_url=self.person_url(m)
            )
            for m in reports
        ]
        if self.alignment_filter == "unaligned":
            nodes = [n for n in nodes if n.summary.unaligned]
        return nodes

    def reports_page(self, of: Membership, after: Membership | None) -> tuple[list[Membership], str | None]:
        """A page of ``of``'s direct reports and the URL of the next page."""
        page, more = direct_reports_page(actor=self.membership, manager=of, after=after, limit=REPORTS_PAGE)
        if not more or not page:
            return page, None
        if of.pk == self.manager.pk:
            return page, self.team_url(after=page[-1].pk)
        return page, self.person_url(of, after=page[-1].pk)

    def reports_of(self, of: Membership, after: Membership | None) -> tuple[list[ReportNode], str | None]:
        """A page of ``of``'s direct reports (closed) and the URL of the next page."""
        page, more_url = self.reports_page(of, after)
        return self.collapsed(page), more_url

    def overview(self, page: list[Membership]) -> tuple[LineSummary, dict[int, LineSummary]]:
        """The totals of the manager's whole line and the summaries of ``page`` (one query)."""
        assert self.cycle is not None
        return reports_overview(
            actor=self.membership,
            access=self.access,
            manager=self.manager,
            page=[m.pk for m in page],
            cycle=self.cycle,
            today=self.today,
            now=self.now,
        )

    def opened(self, member: Membership) -> ReportNode:
        """``member`` opened: their own objectives and the first page of their reports."""
        assert self.cycle is not None
        objectives = objectives_owned_by(
            actor=self.membership,
            cycle=self.cycle,
            owners=org_selectors.member_only(actor=self.membership, membership_id=member.pk),
            access=self.access,
        )
        for objective in objectives:
            objective.cycle = self.cycle
        alignment = team_alignment(
            actor=self.membership, manager=self.manager, objectives=objectives, access=self.access
        )
        children, more_url = self.reports_of(member, None)
        return ReportNode(
            member=member,
            summary=self.summaries([member])[member.pk],
            direct=member.manager_id == self.manager.pk,
            person_url=self.person_url(member),
            expanded=True,
            rows=self.rows_of(objectives, alignment).get(member.pk, []),
            children=children,
            more_url=more_url,
        )

    def whole(self) -> tuple[list[ReportNode], list[Membership]]:
        """A small line, every node open: (the top nodes, every member by name)."""
        assert self.cycle is not None
        coverage = team_coverage(actor=self.membership, manager=self.manager, cycle=self.cycle, access=self.access)
        members = coverage.members
        rows = self.rows_of(coverage.objectives, coverage.alignment)
        found = self.summaries(members)
        nodes = {
            m.pk: ReportNode(
                member=m,
                summary=found[m.pk],
                direct=m.manager_id == self.manager.pk,
                person_url=self.person_url(m),
                expanded=True,
                rows=rows.get(m.pk, []),
            )
            for m in members
        }
        top: list[ReportNode] = []
        for m in members:  # by name: children keep that order
            parent = nodes.get(m.manager_id) if m.manager_id is not None else None
            # Below an inactive manager: shown at the top, with whom they report to.
            (parent.children if parent is not None else top).append(nodes[m.pk])
        if self.alignment_filter:
            top = _pruned(top)
        return top, members


def _pruned(nodes: list[ReportNode]) -> list[ReportNode]:
    """The nodes that show something after a filter: rows of their own, or below them."""
    kept = []
    for node in nodes:
        node.children = _pruned(node.children)
        if node.rows or node.children:
            kept.append(node)
    return kept


@tenant_view()
def team(request: TenantRequest, membership: Membership) -> HttpResponse:
    query = parse_query(request, queries.TeamQuery)
    page = TeamPage.read(request, membership, query)
    manager, cycle = page.manager, page.cycle
    after_id = query.cleaned_data.get("after")
    after = access_line_member(membership, manager, after_id) if after_id else None
    context: dict[str, Any] = {
        "section": "okrs",
        "tab": "team",
        "subject": manager,
        "is_self": manager.pk == membership.pk,
        "picker": selectors.managers(actor=membership) if membership.is_admin else [],
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
        "stale_days": membership.organisation.stale_after_days,
        "alignment_filter": page.alignment_filter,
        "alignment_choices": queries.TeamQuery.base_fields["alignment"].choices,  # type: ignore[attr-defined]
        "team_url": page.team_url(),
        "all_url": page.team_url(alignment=""),
        "unaligned_url": page.team_url(alignment="unaligned"),
        "people": line_size(actor=membership, manager=manager, up_to=SMALL_LINE),
    }
    if cycle is None or not context["people"]:
        context.update({"nodes": [], "totals": None, "can_carry_over": False})
        return render_page(request, "okrs/manage/team.html", context, region="team-table")
    if after is not None and getattr(request, "htmx", None):
        # The next page of direct reports ("Show more"): only its items.
        nodes, more_url = page.reports_of(manager, after)
        context.update({"nodes": nodes, "more_url": more_url})
        return render(request, "okrs/manage/_team_nodes.html", context)
    if after is None and context["people"] <= SMALL_LINE:
        nodes, members = page.whole()
        more_url = None
        totals, _ = page.overview([])
        # Whom a key result's owner may ask to align: direct reports first.
        context["askable"] = sorted(members, key=lambda m: m.manager_id != manager.pk)[:ASKABLE]
    else:
        reports, more_url = page.reports_page(manager, after)
        totals, found = page.overview(reports)
        nodes = page.collapsed(reports, found)
        context["askable"] = reports  # the direct reports on this page
    context.update(
        {
            "nodes": nodes,
            "more_url": more_url,
            "after": after,
            "totals": totals,
            "unaligned_total": totals.objectives - totals.aligned,
            "uncovered": uncovered_key_results(actor=membership, manager=manager, cycle=cycle, access=page.access),
            "can_carry_over": membership.has_role(Role.MANAGER),
        }
    )
    return render_page(request, "okrs/manage/team.html", context, region="team-table")


@tenant_view()
def team_person(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """One report opened: their objectives and a page of their reports (htmx: the part that fills
    their row; ``after``: the next page of their reports; without JavaScript: a page of its own)."""
    query = parse_query(request, queries.TeamPersonQuery)
    page = TeamPage.read(request, membership, query)
    if query.cleaned_data.get("member") is None:
        return redirect(page.team_url())
    member = access_line_member(membership, page.manager, query.cleaned_data["member"])
    after_id = query.cleaned_data.get("after")
    context: dict[str, Any] = {
        "section": "okrs",
        "tab": "team",
        "subject": page.manager,
        "is_self": page.manager.pk == membership.pk,
        "cycle": page.cycle,
        "stale_days": membership.organisation.stale_after_days,
        "alignment_filter": page.alignment_filter,
        "team_url": page.team_url(),
        "person": member,
    }
    if page.cycle is None:
        context.update({"node": None, "nodes": [], "more_url": None})
        return render(request, "okrs/manage/team_person.html", context)
    htmx = getattr(request, "htmx", None)
    if after_id:
        after = access_line_member(membership, member, after_id)
        nodes, more_url = page.reports_of(member, after)
        context.update({"nodes": nodes, "more_url": more_url, "node": None})
        template = "okrs/manage/_team_nodes.html" if htmx else "okrs/manage/team_person.html"
        return render(request, template, context)
    node = page.opened(member)
    context.update({"node": node})
    template = "okrs/manage/_team_body.html" if htmx else "okrs/manage/team_person.html"
    return render(request, template, context)
