"""Objective pages: My OKRs, the objective page (with scores and the reflection), create, edit,
delete. Invalid input re-renders with status 200: htmx 2 does not swap 4xx responses, and every
form in the app answers 200 with its errors, with and without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from okrs import forms, selectors, services
from okrs.permissions import Access
from okrs.views.common import detail_url, okrs_url, prepare_rows, shown_ids
from organisations.models import Membership
from organisations.web import TenantRequest, parse_query, render_page, submit, tenant_view


@tenant_view()
def my_okrs(request: TenantRequest, membership: Membership) -> HttpResponse:
    access = Access(membership)
    cycles = list(selectors.cycle_list(actor=membership))
    query = parse_query(request, forms.CycleQuery)
    cycle_id = query.cleaned_data["cycle"]
    cycle = (
        selectors.access_cycle(membership, cycle_id)
        if cycle_id is not None
        else selectors.default_cycle(actor=membership, cycles=cycles)
    )
    objectives = list(selectors.my_objectives(actor=membership, cycle=cycle, access=access)) if cycle else []
    prepare_rows(objectives, access)
    context = {
        "section": "okrs",
        "cycles": cycles,
        "cycle": cycle,
        "objectives": objectives,
        "shown": shown_ids(objectives),
        "next": okrs_url(membership, cycle.pk if cycle else None),
        "variant": "list",
    }
    return render_page(request, "okrs/my_okrs.html", context, region="my-okrs")


def render_detail(
    request: TenantRequest,
    membership: Membership,
    access: Access,
    objective_id: int,
    *,
    score_form: tuple[int, forms.ScoreForm] | None = None,
    reflection_form: forms.ReflectionForm | None = None,
) -> HttpResponse:
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    prepare_rows([objective], access)
    key_results = list(objective.key_results.all())
    can_score = False
    for kr in key_results:
        kr.can_score = access.can_score(objective, kr)  # type: ignore[attr-defined]
        can_score = can_score or kr.can_score  # type: ignore[attr-defined]
        if kr.can_score:  # type: ignore[attr-defined]
            bound = score_form[1] if score_form and score_form[0] == kr.pk else None
            kr.score_form = bound or forms.ScoreForm(key_result=kr)  # type: ignore[attr-defined]
    context = {
        "section": "okrs",
        "objective": objective,
        "key_results": key_results,
        "cycle": objective.cycle,
        "contributors": [link.membership for link in objective.contributor_links.all()],
        "parents": objective.visible_parent_links,  # type: ignore[attr-defined]
        "children": selectors.objective_child_links(membership, objective, access=access),
        "activity": selectors.objective_activity(membership, objective),
        "can_score": can_score,
        "show_scores": can_score or objective.score is not None or bool(objective.reflection),
        "reflection_form": reflection_form
        or (
            forms.ReflectionForm(initial={"reflection": objective.reflection})
            if access.scoring_open(objective.cycle) and access.may_edit(objective)
            else None
        ),
        "shown": shown_ids([objective]),
        "next": detail_url(membership, objective.pk),
        "variant": "detail",
    }
    return render(request, "okrs/objective_detail.html", context)


@tenant_view()
def objective_detail(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponse:
    return render_detail(request, membership, Access(membership), objective_id)


@tenant_view()
@require_POST
def objective_reflect(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.access_objective(membership, objective_id, access=access)
    form = forms.ReflectionForm(request.POST)
    done = submit(
        form,
        lambda: services.objective_reflect(
            actor=membership, objective=objective, reflection=form.cleaned_data["reflection"]
        ),
    )
    if done.ok:
        messages.success(request, "Reflection saved.")
        return redirect(detail_url(membership, objective.pk) + "#scores")
    return render_detail(request, membership, access, objective.pk, reflection_form=form)


@tenant_view()
def objective_create(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    cycle = parse_query(request, forms.CycleQuery).chosen_cycle(membership, membership.organisation.today())
    if cycle is None:
        messages.error(request, "There is no OKR cycle yet: your HR admin creates the quarters first.")
        return redirect(okrs_url(membership))
    initial = {"cycle": cycle.pk, "owner": membership.pk, "team": membership.team_id}
    form = forms.ObjectiveForm(request.POST or None, actor=membership, initial=initial)
    done = submit(form, lambda: services.objective_create(actor=membership, data=form.data_for_service()))
    if done.ok and done.value is not None:
        messages.success(request, "Objective created. Now add the key results that measure it.")
        return redirect(detail_url(membership, done.value.pk))
    context = {"section": "okrs", "form": form, "objective": None, "cycle": cycle}
    return render(request, "okrs/objective_form.html", context)


@tenant_view()
def objective_edit(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    access.require_edit(objective)
    form = forms.ObjectiveForm(
        request.POST or None, actor=membership, initial=forms.ObjectiveForm.initial_for(objective)
    )
    done = submit(
        form, lambda: services.objective_update(actor=membership, objective=objective, data=form.data_for_service())
    )
    if done.ok:
        messages.success(request, "Objective saved.")
        return redirect(detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "cycle": objective.cycle}
    return render(request, "okrs/objective_form.html", context)


@tenant_view()
@require_POST
def objective_delete(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    objective = selectors.access_objective(membership, objective_id)
    cycle_id = objective.cycle_id
    services.objective_delete(actor=membership, objective=objective)
    messages.success(request, f"Deleted “{objective.title}” and its key results.")
    return redirect(okrs_url(membership, cycle_id))


def my_work_card(request: TenantRequest, membership: Membership) -> dict[str, object]:
    """The OKR card of *My work* (organisations.web.my_work_cards)."""
    return {}
