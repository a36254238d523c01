"""The manager's view: goals that direct and indirect reports share with their managers (never a
private goal), filtered by person, category and state; and the goals card of *My work*."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase

from goals import forms, selectors
from goals.views.common import decorate
from organisations.models import Membership
from organisations.selectors import reporting_line
from organisations.web import TenantRequest, parse_query, render_page, tenant_view


@tenant_view()
def shared_with_me(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    people = [
        (m.pk, m.user.full_name)
        for m in reporting_line(membership).filter(is_active=True).select_related("user").order_by("user__full_name")
    ]
    filters = parse_query(request, forms.SharedFilterForm, people=people)
    category = filters.cleaned_data.get("category") or ""
    state = filters.cleaned_data.get("state") or ""
    person_id = filters.cleaned_data.get("person")
    goals = decorate(
        membership,
        selectors.shared_with_me(actor=membership, category=category, state=state, person_id=person_id),
    )
    groups: list[dict[str, Any]] = []
    for goal in goals:
        goal.shown_milestones = list(goal.milestones.all())  # type: ignore[attr-defined]  # prefetched
        if not groups or groups[-1]["owner"].pk != goal.owner_id:
            groups.append({"owner": goal.owner, "goals": []})
        groups[-1]["goals"].append(goal)
    context = {
        "section": "goals",
        "tab": "shared",
        "has_reports": bool(people),
        "filters": filters,
        "filtered": bool(category or state or person_id),
        "groups": groups,
        "people": people,
        "variant": "shared",
    }
    return render_page(request, "goals/shared.html", context, region="shared-list")


def my_work_card(request: TenantRequest, membership: Membership) -> dict[str, Any]:
    """*My work*: the person's active goals, due soonest first."""
    return {"goals": selectors.active_goals_due_soon(actor=membership), "today": membership.organisation.today()}
