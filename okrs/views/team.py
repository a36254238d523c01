"""The team view: every report's objectives of a cycle (direct and indirect) with progress,
status, staleness and what each supports (alignment coverage per report and for the team);
HR admins may look at any manager's team."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from okrs import queries, selectors
from okrs import status as okr_status
from okrs.models import Cycle, Objective, Status
from okrs.permissions import Access
from okrs.selectors.coverage import Coverage, ObjectiveAlignment, team_coverage, uncovered_key_results
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
    alignment: ObjectiveAlignment

    @property
    def progress_percent(self) -> int:
        return percent(self.objective.progress)


@dataclass
class ReportBlock:
    member: Membership
    rows: list[TeamRow]
    #: Of all the report's objectives of the cycle, whatever the filter shows.
    coverage: Coverage
    unaligned_count: int

    @property
    def stale_count(self) -> int:
        return sum(1 for r in self.rows if r.stale)


def _shown(row: TeamRow, alignment_filter: str) -> bool:
    if alignment_filter == "unaligned":
        return not row.alignment.aligned
    if alignment_filter == "mine":
        return row.alignment.to_managers_key_result
    return True


def _team_url(
    request: TenantRequest, cycle: Cycle | None, manager: Membership, membership: Membership, **extra: str
) -> str:
    """The team view of this cycle and manager, with ``extra`` parameters."""
    params: dict[str, object] = {"cycle": cycle.pk} if cycle else {}
    if manager.pk != membership.pk:
        params["manager"] = manager.pk
    params.update(extra)
    url = reverse("okrs:team", kwargs={"org_slug": membership.organisation.slug})
    return f"{url}?{urlencode(params)}"


@tenant_view()
def team(request: TenantRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    today = organisation.today()
    now = timezone.now()
    query = parse_query(request, queries.TeamQuery)
    manager = org_selectors.access_reporting_line_of(membership, query.manager_id())
    picker = selectors.managers(actor=membership) if membership.is_admin else []
    cycle = query.chosen_cycle(membership, today)
    alignment_filter = query.cleaned_data.get("alignment") or ""
    access = Access(membership)
    uncovered = uncovered_key_results(actor=membership, manager=manager, cycle=cycle, access=access) if cycle else []
    coverage = team_coverage(actor=membership, manager=manager, cycle=cycle, access=access)
    members = coverage.members
    by_owner: dict[int, list[TeamRow]] = defaultdict(list)
    for objective in coverage.objectives:
        assert cycle is not None
        by_owner[objective.owner_id].append(
            TeamRow(
                objective=objective,
                status=okr_status.objective_status(objective, organisation=organisation, today=today),
                stale=okr_status.is_stale(
                    objective, cycle, now=now, today=today, period=okr_status.stale_after(organisation)
                ),
                url=objective_url(organisation.slug, objective.pk),
                alignment=coverage.alignment[objective.pk],
            )
        )
    blocks: list[ReportBlock] = []
    if cycle is not None:
        for m in members:
            covered = coverage.per_member[m.pk]
            blocks.append(
                ReportBlock(
                    member=m,
                    rows=by_owner.get(m.pk, []),
                    coverage=covered,
                    unaligned_count=covered.total - covered.aligned,
                )
            )
    # The summary counts everyone's objectives; a filter only narrows the table, to the people it
    # found something for.
    whole_team = coverage.team
    shown_members = {m.pk for m in members}
    approvals = Counter(o.approval_state for o in coverage.objectives if o.owner_id in shown_members)
    summary = {
        "objective_count": sum(len(b.rows) for b in blocks),
        "stale_count": sum(b.stale_count for b in blocks),
        "without_objectives": sum(1 for b in blocks if not b.rows),
    }
    if alignment_filter:
        filtered = [
            ReportBlock(b.member, [r for r in b.rows if _shown(r, alignment_filter)], b.coverage, b.unaligned_count)
            for b in blocks
        ]
        blocks = [b for b in filtered if b.rows]
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
        **summary,
        "team_coverage": whole_team,
        "unaligned_total": whole_team.total - whole_team.aligned,
        "unaligned_url": _team_url(request, cycle, manager, membership, alignment="unaligned"),
        "all_url": _team_url(request, cycle, manager, membership),
        "direct_ids": {m.pk for m in members if m.manager_id == manager.pk},
        "uncovered": uncovered,
        "approvals": approvals,
        # Whom a key result's owner may ask to align: direct reports first.
        "askable": sorted(members, key=lambda m: m.manager_id != manager.pk),
        "team_url": _team_url(request, cycle, manager, membership),
        "can_carry_over": membership.has_role(Role.MANAGER) and bool(members),
        "stale_days": organisation.stale_after_days,
        "alignment_filter": alignment_filter,
        "alignment_choices": queries.TeamQuery.base_fields["alignment"].choices,  # type: ignore[attr-defined]
    }
    return render_page(request, "okrs/manage/team.html", context, region="team-table")
