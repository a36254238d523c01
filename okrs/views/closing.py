"""HR's close summary of a cycle: per team, the share of objectives scored, the average score and
who has not scored yet, with a reminder for them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from okrs import queries, selectors, services
from organisations.models import Membership, Role
from organisations.web import TenantRequest, parse_query, render_page, tenant_view


@tenant_view(Role.ADMIN)
def close_summary(request: TenantRequest, membership: Membership) -> HttpResponse:
    cycle = parse_query(request, queries.CycleQuery).chosen_cycle(membership, membership.organisation.today())
    context: dict[str, Any] = {
        "section": "okrs",
        "tab": "close",
        "cycle": cycle,
        "cycles": selectors.cycle_list(actor=membership),
    }
    if cycle is not None:
        rows = selectors.close_summary(actor=membership, cycle=cycle)
        context.update(
            {
                "teams": rows,
                "waiting": sorted(
                    {m.pk: m for row in rows for m in row.not_scored}.values(), key=lambda m: m.user.full_name
                ),
                "objectives": sum(r.objectives for r in rows),
                "scored": sum(r.scored for r in rows),
            }
        )
    return render_page(request, "okrs/manage/close_summary.html", context, region="close-report")


@tenant_view(Role.ADMIN)
@require_POST
def close_remind(request: TenantRequest, membership: Membership, cycle_id: int) -> HttpResponseBase:
    cycle = selectors.access_cycle(membership, cycle_id)
    sent = services.cycle_remind_scorers(actor=membership, cycle=cycle)
    messages.success(
        request,
        f"Reminded {sent} {'person' if sent == 1 else 'people'} to score."
        if sent
        else "Nobody new to remind today: everyone waiting has had today's reminder.",
    )
    return redirect(
        reverse("okrs:close_summary", kwargs={"org_slug": membership.organisation.slug}) + f"?cycle={cycle.pk}"
    )
