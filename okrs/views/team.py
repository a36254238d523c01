"""The team view: every report's objectives of a cycle (direct and indirect) with progress,
status and staleness; HR admins may look at any manager's team."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone

from okrs import forms, selectors
from okrs import status as okr_status
from okrs.models import Objective, Status
from okrs.views.common import objective_url, percent
from organisations import selectors as org_selectors
from organisations.models import Membership, Role
from organisations.web import TenantRequest, parse_query, render_page, tenant_view


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


@tenant_view()
def team(request: TenantRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    today = organisation.today()
    now = timezone.now()
    query = parse_query(request, forms.TeamQuery)
    manager = org_selectors.access_reporting_line_of(membership, query.manager_id())
    picker = selectors.managers(actor=membership) if membership.is_admin else []
    cycle = query.chosen_cycle(membership, today)
    reports = org_selectors.reporting_line(manager)
    members = selectors.active_members_among(actor=membership, members=reports)
    blocks: list[ReportBlock] = []
    if cycle is not None and members:
        by_owner: dict[int, list[TeamRow]] = defaultdict(list)
        for objective in selectors.objectives_owned_by(actor=membership, cycle=cycle, owners=reports):
            objective.cycle = cycle
            by_owner[objective.owner_id].append(
                TeamRow(
                    objective=objective,
                    status=okr_status.objective_status(objective, organisation=organisation, today=today),
                    stale=okr_status.is_stale(objective, cycle, now=now, today=today),
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
        "can_carry_over": membership.has_role(Role.MANAGER) and bool(members),
        "stale_days": okr_status.STALE_AFTER.days,
    }
    return render_page(request, "okrs/manage/team.html", context, region="team-table")
