"""Key result pages: create, edit, delete, the inline progress update, and scoring."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from okrs import forms, selectors, services
from okrs.models import KeyResult
from okrs.permissions import CLOSED_MESSAGE, EDIT_MESSAGE, Access
from okrs.templatetags.okrs_tags import kr_value, pct
from okrs.views.common import detail_url, okrs_url
from okrs.views.objectives import render_detail
from organisations.errors import NotAllowed
from organisations.models import Membership
from organisations.web import TenantRequest, announce, errors_sentence, safe_next, submit, tenant_view


def progress_saved(kr: KeyResult) -> str:
    """What the live region says after a progress update (every page that posts one)."""
    return f"Progress saved: {kr.title}: {kr_value(kr)}, {pct(kr.progress)}."


def _parse_ids(raw: str) -> set[int]:
    """The ``shown`` field: the objective ids a page displays (a bounded list of digits)."""
    return {int(pk) for pk in re.findall(r"\d{1,18}", raw)[:500]}


@tenant_view()
def key_result_progress(request: TenantRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    """GET: the update form on its own page (the no-JavaScript way in). POST: append an update.

    With htmx the answer is the re-rendered row plus out-of-band swaps of the objective's progress
    and of every ancestor shown on the page whose progress changed; without JavaScript, a
    redirect back. Invalid input re-renders the row (200) with the errors and what was typed.
    """
    access = Access(membership)
    variant = "detail" if request.POST.get("variant") == "detail" else "list"
    history = selectors.HISTORY_POINTS if variant == "detail" else selectors.SPARKLINE_POINTS
    kr = selectors.key_result_for_row(membership, key_result_id, access=access, history=history)
    objective = kr.objective
    if not access.can_update(objective, kr):
        raise NotAllowed(CLOSED_MESSAGE if not access.is_open(objective.cycle) else EDIT_MESSAGE)
    shown = _parse_ids(request.POST.get("shown", ""))
    default_next = okrs_url(membership, objective.cycle_id)
    form = forms.ProgressForm(
        request.POST if request.method == "POST" else None,
        key_result=kr,
        number_format=membership.organisation.number_format,
    )
    if request.method == "POST" and form.is_valid():
        # The ancestors the page shows (none on a page that shows only this row: no query then).
        others_shown = shown - {objective.pk}
        watched = (
            selectors.ancestor_ids(membership.organisation_id, objective.pk) & others_shown if others_shown else set()
        )
        before = {o.pk: o.progress for o in selectors.objectives_progress(membership, watched, access=access)}
        done = submit(
            form, lambda: services.progress_update_create(actor=membership, key_result=kr, **form.service_kwargs())
        )
        if done.ok and done.value is not None:
            if not request.htmx:
                messages.success(request, f"Updated “{kr.title}”.")
                return redirect(safe_next(request, membership, default_next))
            kr = selectors.key_result_row_after(kr, done.value, history=history)
            kr.can_update = True  # type: ignore[attr-defined]
            kr.row_form = forms.ProgressForm(  # type: ignore[attr-defined]
                key_result=kr, number_format=membership.organisation.number_format
            )
            after = selectors.objectives_progress(membership, watched | {objective.pk}, access=access)
            refreshed = [o for o in after if o.pk == objective.pk or o.progress != before.get(o.pk)]
            context = _row_context(request, membership, kr, variant, shown, default_next)
            context["refreshed"] = refreshed
            response = render(request, "okrs/key_result_progress.html#kr-update", context)
            return announce(response, progress_saved(kr))
    kr.can_update = True  # type: ignore[attr-defined]
    kr.row_form = form  # type: ignore[attr-defined]
    context = _row_context(request, membership, kr, variant, shown, default_next)
    if request.htmx:
        response = render(request, "okrs/key_result_progress.html#kr-update", context)
        return announce(response, f"Progress not saved: {errors_sentence(form)}") if form.errors else response
    return render(request, "okrs/key_result_progress.html", context)


def _row_context(
    request: TenantRequest, membership: Membership, kr: KeyResult, variant: str, shown: set[int], default_next: str
) -> dict[str, Any]:
    return {
        "section": "okrs",
        "kr": kr,
        "objective": kr.objective,
        "variant": variant,
        "shown": " ".join(str(pk) for pk in sorted(shown)),
        "next": safe_next(request, membership, default_next),
        "refreshed": [],
    }


@tenant_view()
@require_POST
def key_result_score(request: TenantRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    access = Access(membership)
    kr = selectors.access_key_result(membership, key_result_id, access=access)
    form = forms.ScoreForm(request.POST, key_result=kr)
    done = submit(
        form,
        lambda: services.key_result_score(
            actor=membership, key_result=kr, score=form.cleaned_data["score"], note=form.cleaned_data["score_note"]
        ),
    )
    if done.ok:
        messages.success(request, f"Scored “{kr.title}”.")
        return redirect(detail_url(membership, kr.objective_id) + "#scores")
    return render_detail(request, membership, access, kr.objective_id, score_form=(kr.pk, form))


@tenant_view()
def key_result_create(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    access.require_edit(objective)
    form = forms.KeyResultForm(request.POST or None, actor=membership, initial={"owner": objective.owner_id})
    done = submit(
        form, lambda: services.key_result_create(actor=membership, objective=objective, data=form.data_for_service())
    )
    if done.ok:
        messages.success(request, "Key result added.")
        if request.POST.get("action") == "another":
            return redirect(
                reverse(
                    "okrs:key_result_create",
                    kwargs={"org_slug": membership.organisation.slug, "objective_id": objective.pk},
                )
            )
        return redirect(detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "key_result": None}
    return render(request, "okrs/key_result_form.html", context)


@tenant_view()
def key_result_edit(request: TenantRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    access = Access(membership)
    kr = selectors.key_result_for_row(membership, key_result_id, access=access)
    objective = kr.objective
    access.require_edit(objective)
    form = forms.KeyResultForm(
        request.POST or None,
        actor=membership,
        initial=forms.KeyResultForm.initial_for(kr, membership.organisation.number_format),
    )
    done = submit(
        form, lambda: services.key_result_update(actor=membership, key_result=kr, data=form.data_for_service())
    )
    if done.ok:
        messages.success(request, "Key result saved.")
        return redirect(detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "key_result": kr}
    return render(request, "okrs/key_result_form.html", context)


@tenant_view()
@require_POST
def key_result_delete(request: TenantRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    kr = selectors.access_key_result(membership, key_result_id)
    services.key_result_delete(actor=membership, key_result=kr)
    messages.success(request, f"Removed “{kr.title}” and its history.")
    return redirect(detail_url(membership, kr.objective_id))
