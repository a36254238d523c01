"""Alignment pages: pick a parent (with a search as you type), remove an alignment, ask a report to
align to a key result nobody supports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from okrs import forms, queries, selectors, services
from okrs.models import Objective
from okrs.permissions import Access
from okrs.views.common import detail_url
from organisations.models import Membership, Role
from organisations.web import (
    TenantRequest,
    parse_query,
    render_page,
    safe_next,
    submit,
    tenant_view,
)


def _alignment_context(
    membership: Membership, access: Access, objective: Objective, query: str, form: forms.AlignmentForm
) -> dict[str, Any]:
    candidates = selectors.alignment_candidates(membership, objective, query=query, access=access)
    selectors.alignment_previews(membership, objective, candidates)  # what aligning would do
    for candidate in candidates:  # the radio values, so a re-rendered form keeps the pick
        candidate.token = f"objective:{candidate.pk}"  # type: ignore[attr-defined]
        for kr in candidate.key_results.all():
            kr.token = f"key_result:{kr.pk}"  # type: ignore[attr-defined]
    return {
        "section": "okrs",
        "objective": objective,
        "query": query,
        "candidates": candidates,
        "form": form,
        "picked": form.data.get("parent", "") if form.is_bound else "",
    }


@tenant_view()
def alignment_add(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    access.require_edit(objective)
    form = forms.AlignmentForm(request.POST or None, actor=membership, access=access)
    search = queries.SearchQuery(request.POST if request.method == "POST" else request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""

    def align() -> object:
        kind, parent = form.cleaned_data["parent"]
        return services.alignment_create(
            actor=membership,
            child=objective,
            parent_objective=parent if kind == "objective" else None,
            parent_key_result=parent if kind == "key_result" else None,
            weight=form.cleaned_data["weight"],
            counts_toward_progress=form.cleaned_data["counts_toward_progress"],
        )

    if submit(form, align).ok:
        messages.success(request, "Aligned. Its progress now flows up to the parent.")
        return redirect(detail_url(membership, objective.pk))
    context = _alignment_context(membership, access, objective, query, form)
    return render(request, "okrs/alignment_form.html", context)


@tenant_view()
def alignment_search(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponse:
    """Parents matching ?q= (htmx swaps the results list; without JavaScript, the whole page)."""
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    access.require_edit(objective)
    query = parse_query(request, queries.SearchQuery).cleaned_data["q"]
    form = forms.AlignmentForm(actor=membership, access=access)
    context = _alignment_context(membership, access, objective, query, form)
    return render_page(request, "okrs/alignment_form.html", context, region="alignment-results")


@tenant_view()
@require_POST
def alignment_delete(request: TenantRequest, membership: Membership, alignment_id: int) -> HttpResponseBase:
    alignment = selectors.access_alignment(membership, alignment_id)
    services.alignment_delete(actor=membership, alignment=alignment)
    messages.success(request, "Alignment removed.")
    return redirect(detail_url(membership, alignment.child_id))


@tenant_view()
@require_POST
def alignment_weight(request: TenantRequest, membership: Membership, alignment_id: int) -> HttpResponseBase:
    """The parent's editor sets an alignment's weight and whether it counts (the service decides)."""
    alignment = selectors.access_alignment(membership, alignment_id)
    parent = services.alignment_parent(membership, alignment)
    form = forms.AlignmentWeightForm(request.POST)
    done = submit(
        form,
        lambda: services.alignment_update(
            actor=membership,
            alignment=alignment,
            weight=form.cleaned_data["weight"],
            counts_toward_progress=form.cleaned_data["counts_toward_progress"],
        ),
    )
    if done.ok:
        messages.success(request, "Weight saved: the progress above it is recomputed.")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) or "Enter a weight from 0 to 100.")
    return redirect(detail_url(membership, parent.pk))


@tenant_view(Role.MANAGER)
def ask_to_align(request: TenantRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    """One click from the list of key results nobody supports: notify the chosen report. A choice
    that is not one (someone outside the reporting line) shows the form again, with the error.
    GET: the form on its own page, whose picker searches the whole reporting line (the team
    view's one-click choice lists only the people on its screen)."""
    key_result = selectors.access_key_result(membership, key_result_id)
    form = forms.AskToAlignForm(request.POST if request.method == "POST" else None, actor=membership)
    back = safe_next(request, membership, reverse("okrs:team", kwargs={"org_slug": membership.organisation.slug}))
    done = submit(
        form,
        lambda: (
            services.key_result_ask_to_align(
                actor=membership, key_result=key_result, member=form.cleaned_data["member"]
            )
            or False
        ),
    )
    if not done.ok:
        context = {"section": "okrs", "key_result": key_result, "form": form, "back": back}
        return render(request, "okrs/ask_to_align.html", context)
    name = form.cleaned_data["member"].user.full_name
    if done.value:
        messages.success(request, f"Asked {name} to support “{key_result.title}”.")
    else:
        messages.info(request, f"{name} was already asked today to support “{key_result.title}”.")
    return redirect(back)
