"""HR's adoption report for a cycle: who has objectives, and how fresh each team's key results are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from okrs import queries, selectors
from okrs import status as okr_status
from organisations import selectors as org_selectors
from organisations.models import Membership, Role
from organisations.web import TenantRequest, parse_query, render_page, tenant_view


@dataclass
class TeamAdoption:
    name: str
    key_results: int
    updated: int
    objectives: int

    @property
    def share(self) -> int:
        return round(100 * self.updated / self.key_results) if self.key_results else 0


#: Members without an objective per page ("Show more" appends the next).
WITHOUT_PAGE = 50


@tenant_view(Role.ADMIN)
def adoption(request: TenantRequest, membership: Membership) -> HttpResponse:
    today = membership.organisation.today()
    query = parse_query(request, queries.AdoptionQuery)
    cycle = query.chosen_cycle(membership, today)
    after_id = query.cleaned_data.get("after")
    after = org_selectors.access_membership(membership, after_id) if after_id else None
    context: dict[str, Any] = {
        "section": "okrs",
        "tab": "adoption",
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
        "fresh_days": okr_status.FRESH_WITHIN.days,
    }
    if cycle is not None:
        without, more = selectors.members_without_objectives_page(
            actor=membership, cycle=cycle, after=after, limit=WITHOUT_PAGE
        )
        more_url = None
        if more and without:
            base = reverse("okrs:adoption", kwargs={"org_slug": membership.organisation.slug})
            more_url = f"{base}?{urlencode({'cycle': cycle.pk, 'after': without[-1].pk})}"
        context.update({"without": without, "more_url": more_url, "after": after})
        if after is not None and getattr(request, "htmx", None):
            # "Show more": only the next members.
            return render(request, "okrs/manage/_adoption_without.html", context)
        teams = {t.pk: t.name for t in org_selectors.team_list(actor=membership)}
        rows = [
            TeamAdoption(
                name=teams.get(r["team_id"], "No team") if r["team_id"] else "No team",
                key_results=r["key_results"],
                updated=r["updated"],
                objectives=r["objectives"],
            )
            for r in selectors.key_result_freshness_by_team(
                actor=membership, cycle=cycle, since=timezone.now() - okr_status.FRESH_WITHIN
            )
        ]
        rows.sort(key=lambda r: (r.name == "No team", r.name.lower()))
        counts = selectors.adoption_counts(actor=membership, cycle=cycle)
        active, without_count = counts["active"], counts["without"]
        total_krs = sum(r.key_results for r in rows)
        total_updated = sum(r.updated for r in rows)
        context.update(
            {
                "teams": rows,
                "without_count": without_count,
                "active": active,
                "with_objectives": active - without_count,
                "adoption_share": round(100 * (active - without_count) / active) if active else 0,
                "total_krs": total_krs,
                "total_updated": total_updated,
                "fresh_share": round(100 * total_updated / total_krs) if total_krs else 0,
                "chart_height": 28 * len(rows) + 8,
            }
        )
    return render_page(request, "okrs/manage/adoption.html", context, region="adoption-report")
