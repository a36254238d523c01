"""Employees' OKR pages: My OKRs, objective detail, create / edit, progress updates, alignment.

Every page computes the actor's reach once (okrs.permissions.Access) and reads through
okrs.selectors; every write goes through okrs.services, whose PermissionDenied becomes a 403 and
whose ValidationError lands on the form. Invalid input re-renders with status 200: htmx 2 does
not swap 4xx responses by default, and the app's other forms answer 200 with their errors too,
so one convention holds with and without JavaScript (and without a global htmx config change).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from okrs import forms, selectors, services
from okrs.models import CycleState, KeyResult, Objective
from okrs.permissions import Access
from organisations.forms import apply_validation_error
from organisations.models import Membership
from organisations.views import _page, tenant_view

CLOSED_MESSAGE = "This cycle is closed: only an HR admin can change its OKRs (and it is recorded)."
EDIT_MESSAGE = "You can change your own objectives, those you contribute to and your team's."


# ---------------------------------------------------------------- permissions, computed from prefetched data


def _contributor_ids(objective: Objective) -> set[int]:
    return {link.membership_id for link in objective.contributor_links.all()}


def _open_for(access: Access, objective: Objective) -> bool:
    """A closed cycle is frozen for everyone but HR admins (services.check_can_edit)."""
    return objective.cycle.state != CycleState.CLOSED or access.is_admin


def _can_edit(access: Access, objective: Objective) -> bool:
    return _open_for(access, objective) and access.can_edit(objective, _contributor_ids(objective))


def _can_update(access: Access, objective: Objective, kr: KeyResult) -> bool:
    """A key result's owner may update it even when the objective is someone else's."""
    return _open_for(access, objective) and (kr.owner_id == access.actor.pk or _can_edit(access, objective))


def _require_edit(access: Access, objective: Objective) -> None:
    if not _open_for(access, objective):
        raise PermissionDenied(CLOSED_MESSAGE)
    if not access.can_edit(objective, _contributor_ids(objective)):
        raise PermissionDenied(EDIT_MESSAGE)


def _prepare(objectives: list[Objective], access: Access) -> None:
    """Attach what the templates ask per row, so templates never query or decide rights."""
    for objective in objectives:
        objective.can_edit = _can_edit(access, objective)  # type: ignore[attr-defined]
        for link in getattr(objective, "visible_parent_links", []):
            link.parent = link.parent_objective or link.parent_key_result.objective
        for kr in objective.key_results.all():
            kr.can_update = _can_update(access, objective, kr)  # type: ignore[attr-defined]
            if kr.can_update:  # type: ignore[attr-defined]
                kr.row_form = forms.ProgressForm(key_result=kr)  # type: ignore[attr-defined]


def _shown(objectives: list[Objective]) -> str:
    """Ids of the objectives whose progress the page shows (own headers and parent chips): a
    progress update refreshes exactly those (an out-of-band swap without a target is an error)."""
    ids: list[int] = []
    for objective in objectives:
        ids.append(objective.pk)
        ids += [link.parent.pk for link in getattr(objective, "visible_parent_links", [])]
    return " ".join(str(pk) for pk in dict.fromkeys(ids))


def _parse_ids(raw: str) -> set[int]:
    return {int(pk) for pk in re.findall(r"\d{1,18}", raw)[:500]}


def _safe_next(request: HttpRequest, membership: Membership, default: str) -> str:
    """Back to the page the form was on, if it is one of this organisation's pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/o/{membership.organisation.slug}/"
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return default


def _okrs_url(membership: Membership, cycle_id: int | None = None) -> str:
    url = reverse("okrs", kwargs={"org_slug": membership.organisation.slug})
    return f"{url}?cycle={cycle_id}" if cycle_id else url


def _detail_url(membership: Membership, objective_id: int) -> str:
    return reverse("objective_detail", kwargs={"org_slug": membership.organisation.slug, "objective_id": objective_id})


# ---------------------------------------------------------------- My OKRs


@tenant_view()
def my_okrs(request: HttpRequest, membership: Membership) -> HttpResponse:
    access = Access(membership)
    cycles = list(selectors.cycle_list(actor=membership))
    raw = request.GET.get("cycle", "")
    if raw.isdigit():
        cycle = next((c for c in cycles if c.pk == int(raw)), None)
        if cycle is None:
            raise Http404("No such cycle")
    else:
        cycle = selectors.default_cycle(actor=membership) if cycles else None
    objectives = list(selectors.my_objectives(actor=membership, cycle=cycle, access=access)) if cycle else []
    _prepare(objectives, access)
    context = {
        "section": "okrs",
        "cycles": cycles,
        "cycle": cycle,
        "objectives": objectives,
        "shown": _shown(objectives),
        "next": _okrs_url(membership, cycle.pk if cycle else None),
        "variant": "list",
    }
    return _page(request, "okrs/my_okrs.html", context, region="my-okrs")


# ---------------------------------------------------------------- objective detail, scores, reflection


def _render_detail(
    request: HttpRequest,
    membership: Membership,
    access: Access,
    objective_id: int,
    *,
    score_form: tuple[int, forms.ScoreForm] | None = None,
    reflection_form: forms.ReflectionForm | None = None,
) -> HttpResponse:
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    _prepare([objective], access)
    key_results = list(objective.key_results.all())
    cycle = objective.cycle
    # Scores and the reflection are written in review (and by HR admins after the close).
    scoring_open = cycle.state == CycleState.REVIEW or (cycle.state == CycleState.CLOSED and access.is_admin)
    can_score = scoring_open and access.can_edit(objective, _contributor_ids(objective))
    if can_score:
        for kr in key_results:
            bound = score_form[1] if score_form and score_form[0] == kr.pk else None
            kr.score_form = bound or forms.ScoreForm(key_result=kr)  # type: ignore[attr-defined]
    context = {
        "section": "okrs",
        "objective": objective,
        "key_results": key_results,
        "cycle": cycle,
        "contributors": [link.membership for link in objective.contributor_links.all()],
        "parents": objective.visible_parent_links,  # type: ignore[attr-defined]
        "children": selectors.objective_child_links(membership, objective, access=access),
        "activity": selectors.objective_activity(membership, objective),
        "can_score": can_score,
        "show_scores": can_score or objective.score is not None or bool(objective.reflection),
        "reflection_form": reflection_form
        or (forms.ReflectionForm(initial={"reflection": objective.reflection}) if can_score else None),
        "shown": _shown([objective]),
        "next": _detail_url(membership, objective.pk),
        "variant": "detail",
    }
    return render(request, "okrs/objective_detail.html", context)


@tenant_view()
def objective_detail(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponse:
    return _render_detail(request, membership, Access(membership), objective_id)


@tenant_view()
@require_POST
def key_result_score(request: HttpRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    access = Access(membership)
    kr = selectors.access_key_result(membership, key_result_id, access=access)
    form = forms.ScoreForm(request.POST, key_result=kr)
    if form.is_valid():
        try:
            services.key_result_score(
                actor=membership, key_result=kr, score=form.cleaned_data["score"], note=form.cleaned_data["score_note"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Scored “{kr.title}”.")
            return redirect(_detail_url(membership, kr.objective_id) + "#scores")
    return _render_detail(request, membership, access, kr.objective_id, score_form=(kr.pk, form))


@tenant_view()
@require_POST
def objective_reflect(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.access_objective(membership, objective_id, access=access)
    form = forms.ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.objective_reflect(
                actor=membership, objective=objective, reflection=form.cleaned_data["reflection"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Reflection saved.")
            return redirect(_detail_url(membership, objective.pk) + "#scores")
    return _render_detail(request, membership, access, objective.pk, reflection_form=form)


# ---------------------------------------------------------------- inline progress update


@tenant_view()
def key_result_progress(request: HttpRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
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
    if not _can_update(access, objective, kr):
        raise PermissionDenied(CLOSED_MESSAGE if not _open_for(access, objective) else EDIT_MESSAGE)
    shown = _parse_ids(request.POST.get("shown", ""))
    default_next = _okrs_url(membership, objective.cycle_id)
    form = forms.ProgressForm(request.POST if request.method == "POST" else None, key_result=kr)
    if request.method == "POST" and form.is_valid():
        watched = (selectors.objective_ancestor_ids(membership, objective.pk) & shown) - {objective.pk}
        before = {o.pk: o.progress for o in selectors.objectives_progress(membership, watched, access=access)}
        try:
            services.progress_update_create(actor=membership, key_result=kr, **form.service_kwargs())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, f"Updated “{kr.title}”.")
                return redirect(_safe_next(request, membership, default_next))
            kr = selectors.key_result_for_row(membership, key_result_id, access=access, history=history)
            kr.can_update = True  # type: ignore[attr-defined]
            kr.row_form = forms.ProgressForm(key_result=kr)  # type: ignore[attr-defined]
            after = selectors.objectives_progress(membership, watched | {objective.pk}, access=access)
            refreshed = [o for o in after if o.pk == objective.pk or o.progress != before.get(o.pk)]
            context = _row_context(request, membership, kr, variant, shown, default_next)
            context["refreshed"] = refreshed
            return render(request, "okrs/key_result_progress.html#kr-update", context)
    kr.can_update = True  # type: ignore[attr-defined]
    kr.row_form = form  # type: ignore[attr-defined]
    context = _row_context(request, membership, kr, variant, shown, default_next)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "okrs/key_result_progress.html#kr-update", context)
    return render(request, "okrs/key_result_progress.html", context)


def _row_context(
    request: HttpRequest, membership: Membership, kr: KeyResult, variant: str, shown: set[int], default_next: str
) -> dict[str, Any]:
    return {
        "section": "okrs",
        "kr": kr,
        "objective": kr.objective,
        "variant": variant,
        "shown": " ".join(str(pk) for pk in sorted(shown)),
        "next": _safe_next(request, membership, default_next),
        "refreshed": [],
    }


# ---------------------------------------------------------------- objectives: create, edit, delete


@tenant_view()
def objective_create(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    raw = request.GET.get("cycle", "")
    cycle = selectors.access_cycle(membership, int(raw)) if raw.isdigit() else selectors.default_cycle(actor=membership)
    if cycle is None:
        messages.error(request, "There is no OKR cycle yet: your HR admin creates the quarters first.")
        return redirect(_okrs_url(membership))
    initial = {"cycle": cycle.pk, "owner": membership.pk, "team": membership.team_id}
    form = forms.ObjectiveForm(request.POST or None, actor=membership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(actor=membership, data=form.data_for_service())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Objective created. Now add the key results that measure it.")
            return redirect(_detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": None, "cycle": cycle}
    return render(request, "okrs/objective_form.html", context)


@tenant_view()
def objective_edit(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    _require_edit(access, objective)
    form = forms.ObjectiveForm(
        request.POST or None, actor=membership, initial=forms.ObjectiveForm.initial_for(objective)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(actor=membership, objective=objective, data=form.data_for_service())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Objective saved.")
            return redirect(_detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "cycle": objective.cycle}
    return render(request, "okrs/objective_form.html", context)


@tenant_view()
@require_POST
def objective_delete(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    objective = selectors.access_objective(membership, objective_id)
    cycle_id = objective.cycle_id
    services.objective_delete(actor=membership, objective=objective)
    messages.success(request, f"Deleted “{objective.title}” and its key results.")
    return redirect(_okrs_url(membership, cycle_id))


# ---------------------------------------------------------------- key results: create, edit, delete


@tenant_view()
def key_result_create(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    _require_edit(access, objective)
    form = forms.KeyResultForm(request.POST or None, actor=membership, initial={"owner": objective.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_create(actor=membership, objective=objective, data=form.data_for_service())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Key result added.")
            if request.POST.get("action") == "another":
                return redirect(reverse("key_result_create", args=[membership.organisation.slug, objective.pk]))
            return redirect(_detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "key_result": None}
    return render(request, "okrs/key_result_form.html", context)


@tenant_view()
def key_result_edit(request: HttpRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    access = Access(membership)
    kr = selectors.key_result_for_row(membership, key_result_id, access=access)
    objective = kr.objective
    _require_edit(access, objective)
    form = forms.KeyResultForm(request.POST or None, actor=membership, initial=forms.KeyResultForm.initial_for(kr))
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_update(actor=membership, key_result=kr, data=form.data_for_service())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Key result saved.")
            return redirect(_detail_url(membership, objective.pk))
    context = {"section": "okrs", "form": form, "objective": objective, "key_result": kr}
    return render(request, "okrs/key_result_form.html", context)


@tenant_view()
@require_POST
def key_result_delete(request: HttpRequest, membership: Membership, key_result_id: int) -> HttpResponseBase:
    kr = selectors.access_key_result(membership, key_result_id)
    services.key_result_delete(actor=membership, key_result=kr)
    messages.success(request, f"Removed “{kr.title}” and its history.")
    return redirect(_detail_url(membership, kr.objective_id))


# ---------------------------------------------------------------- alignment


def _alignment_context(
    membership: Membership, access: Access, objective: Objective, query: str, form: forms.AlignmentForm
) -> dict[str, Any]:
    candidates = selectors.alignment_candidates(membership, objective, query=query, access=access)
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
def alignment_add(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    _require_edit(access, objective)
    form = forms.AlignmentForm(request.POST or None, actor=membership, access=access)
    query = (request.POST.get("q") or request.GET.get("q", "")).strip()[:100]
    if request.method == "POST" and form.is_valid():
        kind, parent = form.cleaned_data["parent"]
        try:
            services.alignment_create(
                actor=membership,
                child=objective,
                parent_objective=parent if kind == "objective" else None,
                parent_key_result=parent if kind == "key_result" else None,
                weight=form.cleaned_data["weight"],
                counts_toward_progress=form.cleaned_data["counts_toward_progress"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Aligned. Its progress now flows up to the parent.")
            return redirect(_detail_url(membership, objective.pk))
    context = _alignment_context(membership, access, objective, query, form)
    return render(request, "okrs/alignment_form.html", context)


@tenant_view()
def alignment_search(request: HttpRequest, membership: Membership, objective_id: int) -> HttpResponse:
    """Parents matching ?q= (htmx swaps the results list; without JavaScript, the whole page)."""
    access = Access(membership)
    objective = selectors.objective_for_page(membership, objective_id, access=access)
    _require_edit(access, objective)
    query = request.GET.get("q", "").strip()[:100]
    form = forms.AlignmentForm(actor=membership, access=access)
    context = _alignment_context(membership, access, objective, query, form)
    return _page(request, "okrs/alignment_form.html", context, region="alignment-results")


@tenant_view()
@require_POST
def alignment_delete(request: HttpRequest, membership: Membership, alignment_id: int) -> HttpResponseBase:
    alignment = selectors.access_alignment(membership, alignment_id)
    services.alignment_delete(actor=membership, alignment=alignment)
    messages.success(request, "Alignment removed.")
    return redirect(_detail_url(membership, alignment.child_id))
