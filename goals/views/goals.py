"""Goal pages: My goals, the new/edit form, the detail page with its log, and the state buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from goals import forms, permissions, selectors, services
from goals.models import Goal
from goals.views.common import base_context, decorate, detail_url, home_url, progress_form_for
from organisations.models import Membership
from organisations.web import TenantRequest, panels, parse_query, render_page, submit, tenant_view


@tenant_view()
def my_goals(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    filters = parse_query(request, forms.GoalFilterForm)
    category = filters.cleaned_data.get("category") or ""
    state = filters.cleaned_data.get("state") or ""
    goals = decorate(membership, selectors.my_goals(actor=membership, category=category, state=state))
    for goal in goals:
        goal.shown_milestones = list(goal.milestones.all())  # type: ignore[attr-defined]  # prefetched
        goal.progress_form = progress_form_for(goal)  # type: ignore[attr-defined]
    context = {
        **base_context(request, membership, "mine"),
        "filters": filters,
        "filtered": bool(category or state),
        "goals": goals,
        "variant": "list",
    }
    return render_page(request, "goals/my_goals.html", context, region="goal-list")


@tenant_view()
def goal_create(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    form = forms.GoalForm(request.POST or None)
    done = submit(form, lambda: services.goal_create(actor=membership, data=form.data_for_service()))
    if done.ok:
        messages.success(request, f"Goal “{done.result.title}” created.")
        return redirect(detail_url(membership, done.result.pk))
    return render(request, "goals/goal_form.html", {"section": "goals", "form": form, "goal": None})


@tenant_view()
def goal_edit(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    goal = selectors.access_goal(membership, goal_id)
    permissions.require_edit(membership, goal)
    form = forms.GoalForm(request.POST or None, goal=goal, initial=forms.GoalForm.initial_for(goal))
    done = submit(form, lambda: services.goal_update(actor=membership, goal=goal, data=form.data_for_service()))
    if done.ok:
        messages.success(request, "Goal saved.")
        return redirect(detail_url(membership, goal.pk))
    return render(request, "goals/goal_form.html", {"section": "goals", "form": form, "goal": goal})


def render_detail(
    request: TenantRequest,
    membership: Membership,
    goal: Goal,
    *,
    comment_form: forms.CommentForm | None = None,
    milestone_form: forms.MilestoneForm | None = None,
    progress_form: forms.ProgressForm | None = None,
    status: int = 200,
) -> HttpResponseBase:
    decorate(membership, [goal])
    goal.shown_milestones = selectors.goal_milestones(goal)  # type: ignore[attr-defined]
    goal.progress_form = progress_form or progress_form_for(goal)  # type: ignore[attr-defined]
    goal.can_comment = permissions.can_comment(membership, goal)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        **base_context(request, membership, "mine" if goal.owner_id == membership.pk else "shared"),
        "goal": goal,
        "updates": list(selectors.goal_updates(goal)),
        "comment_form": comment_form or forms.CommentForm(),
        "milestone_form": milestone_form or forms.MilestoneForm(),
        "panels": panels("goal_panels", request, membership, goal),
        "variant": "detail",
    }
    return render(request, "goals/goal_detail.html", context, status=status)


@tenant_view()
def goal_detail(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    return render_detail(request, membership, selectors.access_goal(membership, goal_id))


@tenant_view()
@require_POST
def goal_state(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    """Complete, abandon or reopen (the ``action`` the button sends)."""
    goal = selectors.access_goal(membership, goal_id)
    permissions.require_edit(membership, goal)
    form = forms.StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose complete, abandon or reopen.")
        return redirect(detail_url(membership, goal.pk))
    action = form.cleaned_data["action"]
    service = {"complete": services.goal_complete, "abandon": services.goal_abandon, "reopen": services.goal_reopen}
    done = submit(form, lambda: service[action](actor=membership, goal=goal, note=form.cleaned_data["note"]))
    if done.ok:
        word = {"complete": "completed", "abandon": "abandoned", "reopen": "reopened"}[action]
        messages.success(request, f"Goal “{goal.title}” {word}.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(detail_url(membership, goal.pk))


@tenant_view()
@require_POST
def goal_comment(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    goal = selectors.access_goal(membership, goal_id)
    permissions.require_comment(membership, goal)
    form = forms.CommentForm(request.POST)
    done = submit(form, lambda: services.goal_comment(actor=membership, goal=goal, text=form.cleaned_data["text"]))
    if done.ok:
        messages.success(request, "Comment added.")
        return redirect(detail_url(membership, goal.pk) + "#log")
    return render_detail(request, membership, goal, comment_form=form)


@tenant_view()
@require_POST
def goal_delete(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    goal = selectors.access_goal(membership, goal_id)
    services.goal_delete(actor=membership, goal=goal)
    messages.success(request, f"Goal “{goal.title}” deleted.")
    return redirect(home_url(membership))
