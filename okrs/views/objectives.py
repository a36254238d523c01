"""Objective pages: My OKRs, the objective page (with scores and the reflection), create, edit,
delete. Invalid input re-renders with status 200: htmx 2 does not swap 4xx responses, and every
form in the app answers 200 with its errors, with and without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from okrs import forms, queries, selectors, services
from okrs import status as okr_status
from okrs.models import Cycle, Status
from okrs.permissions import Access
from okrs.views.common import detail_url, okrs_url, prepare_rows, shown_ids
from organisations import selectors as org_selectors
from organisations.models import Membership
from organisations.web import TenantRequest, parse_query, render_page, submit, tenant_view


@tenant_view()
def my_okrs(request: TenantRequest, membership: Membership) -> HttpResponse:
    access = Access(membership)
    cycles = list(selectors.cycle_list(actor=membership))
    query = parse_query(request, queries.CycleQuery)
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
    review_form: forms.ReviewForm | None = None,
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
        "can_review": objective.needs_approval and access.can_approve(objective),
        "review_form": review_form or forms.ReviewForm(),
    }
    return render(request, "okrs/objective_detail.html", context)


@tenant_view()
@require_POST
def objective_review(request: TenantRequest, membership: Membership, objective_id: int) -> HttpResponseBase:
    """A manager approves a report's objective or sends it back with a comment (the service
    decides who may); a send-back without a comment shows the page again with the error."""
    access = Access(membership)
    objective = selectors.access_objective(membership, objective_id, access=access)
    form = forms.ReviewForm(request.POST)
    done = submit(
        form,
        lambda: (
            services.objective_approve(actor=membership, objective=objective, comment=form.cleaned_data["comment"])
            if form.cleaned_data["decision"] == "approve"
            else services.objective_request_changes(
                actor=membership, objective=objective, comment=form.cleaned_data["comment"]
            )
        ),
    )
    if done.ok:
        approved = form.cleaned_data["decision"] == "approve"
        name = objective.owner.user.full_name
        messages.success(request, f"Approved “{objective.title}”." if approved else f"Sent back to {name}.")
        return redirect(detail_url(membership, objective.pk) + "#approval")
    return render_detail(request, membership, access, objective.pk, review_form=form)


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
    cycle = parse_query(request, queries.CycleQuery).chosen_cycle(membership, membership.organisation.today())
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
    """The OKR part of *My work*, the person's start page (organisations.web.my_work_cards): the
    key results that need an update (stale or at risk first) with their inline update, their
    objectives' progress; for a manager, the team's summary; for HR, the cycle and adoption."""
    organisation = membership.organisation
    today, now = organisation.today(), timezone.now()
    access = Access(membership)
    cycles = list(selectors.cycle_list(actor=membership))
    cycle = selectors.default_cycle(actor=membership, cycles=cycles, today=today)
    card: dict[str, object] = {"cycle": cycle, "is_admin": membership.is_admin}
    if cycle is None:
        return card
    objectives = list(selectors.my_objectives(actor=membership, cycle=cycle, access=access))
    prepare_rows(objectives, access)
    rows = []
    for objective in objectives:
        objective.cycle = cycle
        for kr in objective.key_results.all():
            if not kr.can_update:  # type: ignore[attr-defined]
                continue
            status = okr_status.key_result_status(kr, cycle, organisation=organisation, today=today)
            stale = okr_status.key_result_is_stale(
                kr, cycle, now=now, today=today, period=okr_status.stale_after(organisation)
            )
            behind = status in (Status.AT_RISK, Status.OFF_TRACK)
            kr.needs_attention = stale or behind  # type: ignore[attr-defined]
            kr.stale = stale  # type: ignore[attr-defined]
            rows.append((0 if stale or behind else 1, kr.last_update_at or cycle_start(cycle), kr, objective))
    rows.sort(key=lambda r: (r[0], r[1]))
    card.update(
        {
            "objectives": objectives,
            "key_results": [(kr, objective) for _, _, kr, objective in rows],
            # Only the objectives this card draws get their progress refreshed by an update.
            "shown": " ".join(str(o.pk) for o in objectives),
            "next": reverse("organisations:my_work", kwargs={"org_slug": organisation.slug}),
            "variant": "list",
            # The approval state of one's own objectives (only someone with a manager has one).
            "approval_owner": membership.pk if membership.manager_id is not None else None,
            "sent_back": [
                o for o in objectives if o.owner_id == membership.pk and o.approval_state == "changes_requested"
            ]
            if membership.manager_id is not None
            else [],
        }
    )
    reports = org_selectors.reporting_line(membership)
    if membership.is_admin or org_selectors.direct_reports(actor=membership):
        members = selectors.active_members_among(actor=membership, members=reports)
        if members:
            owned = selectors.objectives_owned_by(actor=membership, cycle=cycle, owners=reports)
            for objective in owned:
                objective.cycle = cycle
            with_objectives = {o.owner_id for o in owned}
            card["team"] = {
                "members": len(members),
                "without_objectives": sum(1 for m in members if m.pk not in with_objectives),
                "stale": sum(1 for o in owned if okr_status.is_stale(o, cycle, now=now, today=today)),
                "at_risk": sum(
                    1
                    for o in owned
                    if okr_status.objective_status(o, organisation=organisation, today=today)
                    in (Status.AT_RISK, Status.OFF_TRACK)
                ),
            }
    if membership.is_admin:
        active = selectors.active_member_count(actor=membership)
        without = selectors.members_without_objectives(actor=membership, cycle=cycle)
        freshness = selectors.key_result_freshness_by_team(
            actor=membership, cycle=cycle, since=now - okr_status.FRESH_WITHIN
        )
        total = sum(r["key_results"] for r in freshness)
        updated = sum(r["updated"] for r in freshness)
        card["adoption"] = {
            "active": active,
            "with_objectives": active - len(without),
            "share": round(100 * (active - len(without)) / active) if active else 0,
            "fresh_share": round(100 * updated / total) if total else 0,
            "fresh_days": okr_status.FRESH_WITHIN.days,
        }
    return card


def person_panel(request: TenantRequest, membership: Membership, subject: Membership) -> dict[str, object]:
    """The objectives of ``subject`` in the default cycle that the reader may see (a person page)."""
    cycle = selectors.default_cycle(actor=membership)
    if cycle is None:
        return {"cycle": None, "objectives": []}
    owners = org_selectors.member_list(actor=membership).filter(pk=subject.pk)
    objectives = selectors.objectives_owned_by(actor=membership, cycle=cycle, owners=owners)
    for objective in objectives:
        objective.cycle = cycle  # the status badge reads the cycle's pace
    return {"cycle": cycle, "objectives": objectives}


def cycle_start(cycle: Cycle) -> datetime:
    """Never-updated key results sort as if last updated when the cycle began (oldest first)."""
    return datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
