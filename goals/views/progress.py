"""The inline updates of a goal's progress: ticking a milestone and setting manual progress (htmx
on My goals and on the goal's page, a plain form post without JavaScript), and adding and removing
milestones on the goal's page.

An htmx answer is the goal's progress region (``goals/parts.html#goal-body``, same element ids, so
htmx keeps the focus on the checkbox or field that was used), and ``announce`` has the page's
polite live region say what changed ("Ticked “Abstract”: 1 of 3 milestones done, 33 %")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from goals import forms, permissions, selectors, services
from goals.models import Goal
from goals.views.common import decorate, detail_url, progress_form_for
from goals.views.goals import render_detail
from organisations.models import Membership
from organisations.web import TenantRequest, announce, errors_sentence, safe_next, submit, tenant_view


def _variant(request: TenantRequest) -> str:
    return "detail" if request.POST.get("variant") == "detail" else "list"


def _body(
    request: TenantRequest,
    membership: Membership,
    goal_id: int,
    message: str,
    progress_form: forms.ProgressForm | None = None,
) -> HttpResponseBase:
    goal = selectors.access_goal(membership, goal_id)
    decorate(membership, [goal])
    goal.can_comment = False  # type: ignore[attr-defined]
    goal.shown_milestones = selectors.goal_milestones(goal)  # type: ignore[attr-defined]
    goal.progress_form = progress_form or progress_form_for(goal)  # type: ignore[attr-defined]
    context: dict[str, Any] = {"goal": goal, "variant": _variant(request)}
    return announce(render(request, "goals/parts.html#goal-body", context), message)


def _summary(goal: Goal) -> str:
    if goal.progress_mode == "milestones":
        return f"{goal.milestones_done} of {goal.milestone_count} milestones done, {goal.percent} %."
    return f"Progress {goal.percent} %."


@tenant_view()
@require_POST
def milestone_toggle(request: TenantRequest, membership: Membership, milestone_id: int) -> HttpResponseBase:
    """Tick (``done`` sent) or untick (not sent) a milestone: the state the checkbox shows, so a
    repeated request agrees with the first."""
    milestone = selectors.access_milestone(membership, milestone_id)
    permissions.require_edit(membership, milestone.goal)
    done = request.POST.get("done") in ("1", "on", "true")
    error = ""
    try:
        services.milestone_toggle(actor=membership, milestone=milestone, done=done)
    except ValidationError as exc:  # the goal was closed or the milestone removed meanwhile
        error = " ".join(exc.messages)
    goal = milestone.goal
    if request.htmx:
        goal.refresh_from_db()
        verb = "Ticked" if done else "Unticked"
        return _body(request, membership, goal.pk, error or f"{verb} “{milestone.title}”: {_summary(goal)}")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"“{milestone.title}” {'done' if done else 'not done yet'}.")
    return redirect(safe_next(request, membership, detail_url(membership, goal.pk)))


@tenant_view()
@require_POST
def goal_progress(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    """Set a manual goal's progress, in percent."""
    goal = selectors.access_goal(membership, goal_id)
    permissions.require_edit(membership, goal)
    form = forms.ProgressForm(request.POST, prefix=f"g{goal.pk}")
    done = submit(form, lambda: services.goal_progress_set(actor=membership, goal=goal, progress=form.progress()))
    if request.htmx:
        if done.ok:
            return _body(request, membership, goal.pk, f"Saved. {_summary(done.result)}")
        return _body(request, membership, goal.pk, f"Progress not saved: {errors_sentence(form)}", progress_form=form)
    if done.ok:
        messages.success(request, f"Progress of “{goal.title}” saved.")
        return redirect(safe_next(request, membership, detail_url(membership, goal.pk)))
    return render_detail(request, membership, goal, progress_form=form)


@tenant_view()
@require_POST
def milestone_add(request: TenantRequest, membership: Membership, goal_id: int) -> HttpResponseBase:
    goal = selectors.access_goal(membership, goal_id)
    permissions.require_edit(membership, goal)
    form = forms.MilestoneForm(request.POST)
    done = submit(form, lambda: services.milestone_add(actor=membership, goal=goal, title=form.cleaned_data["title"]))
    if done.ok:
        messages.success(request, f"Milestone “{done.result.title}” added.")
        return redirect(detail_url(membership, goal.pk) + "#milestones")
    return render_detail(request, membership, goal, milestone_form=form)


@tenant_view()
@require_POST
def milestone_remove(request: TenantRequest, membership: Membership, milestone_id: int) -> HttpResponseBase:
    milestone = selectors.access_milestone(membership, milestone_id)
    permissions.require_edit(membership, milestone.goal)
    goal_id = milestone.goal_id
    try:
        services.milestone_remove(actor=membership, milestone=milestone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Milestone “{milestone.title}” removed.")
    return redirect(detail_url(membership, goal_id) + "#milestones")
