"""HR's cycles page (generate a fiscal year, custom cycles, states by hand) and the carry-over
of unfinished objectives into the next cycle (HR and managers)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from okrs import forms, queries, selectors, services
from okrs.models import Cycle, CycleKind, CycleState, Objective
from okrs.selectors.approvals import unapproved_in_planning
from organisations.errors import Conflict
from organisations.models import Membership, Organisation, Role
from organisations.web import TenantRequest, parse_query, submit, tenant_view


def _generated_years(cycles: list[Cycle], organisation: Organisation) -> set[int]:
    month = organisation.fiscal_year_start_month
    return {
        c.start_date.year
        for c in cycles
        if c.kind == CycleKind.YEAR and c.start_date.month == month and c.start_date.day == 1
    }


def _carry_over_initial(cycles: list[Cycle], today: date) -> dict[str, int]:
    """From the latest quarter (or custom cycle) that has ended, else the running one, into the
    next cycle of its kind; no guess at a target when there is none yet."""
    ordered = sorted((c for c in cycles if c.kind != CycleKind.YEAR), key=lambda c: (c.start_date, c.pk))
    ended = [c for c in ordered if c.end_date < today]
    running = [c for c in ordered if c.start_date <= today <= c.end_date]
    source = ended[-1] if ended else (running[0] if running else None)
    if source is None:
        return {}
    target = next((c for c in ordered if c.kind == source.kind and c.start_date > source.end_date), None)
    return {"source": source.pk, **({"target": target.pk} if target else {})}


def _unapproved_by_cycle(membership: Membership) -> list[tuple[Cycle, list[Objective]]]:
    """What keeps each planning cycle from becoming active (HR asks for approval first)."""
    grouped: dict[int, tuple[Cycle, list[Objective]]] = {}
    for objective in unapproved_in_planning(actor=membership):
        grouped.setdefault(objective.cycle_id, (objective.cycle, []))[1].append(objective)
    return sorted(grouped.values(), key=lambda pair: (pair[0].start_date, pair[0].pk))


@tenant_view(Role.ADMIN)
def cycles(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    organisation = membership.organisation
    today = organisation.today()
    overview = selectors.cycle_overview(actor=membership)
    action = request.POST.get("action") if request.method == "POST" else None
    generate_form = forms.GenerateYearForm(
        request.POST if action == "generate" else None,
        organisation=organisation,
        today=today,
        generated=_generated_years(overview, organisation),
    )
    custom_form = forms.CustomCycleForm(
        request.POST if action == "custom" else None, initial={"review_window_days": organisation.review_window_days}
    )
    generated = submit(
        generate_form,
        lambda: services.cycles_generate_year(
            actor=membership, start_year=generate_form.cleaned_data["start_year"], today=today
        ),
    )
    if generated.ok and generated.value is not None:
        messages.success(request, f"Generated {', '.join(c.name for c in generated.value)}.")
        return redirect("okrs:cycles", org_slug=organisation.slug)
    created = submit(custom_form, lambda: services.cycle_create_custom(actor=membership, **custom_form.cleaned_data))
    if created.ok and created.value is not None:
        cycle = created.value
        messages.success(request, f"Created {cycle.name} ({cycle.get_state_display().lower()}).")
        return redirect("okrs:cycles", org_slug=organisation.slug)
    # A state change refused for an overlap comes back here to be confirmed (?confirm=<id>).
    confirm = parse_query(request, queries.CycleConfirmQuery).cleaned_data.get("confirm")
    overlap = None
    if confirm is not None:
        pending = selectors.access_cycle(membership, confirm)
        clashes = services.overlapping_active(membership, pending)
        if clashes and pending.state != CycleState.ACTIVE:
            overlap = {"cycle": pending, "clashes": clashes}
    context = {
        "section": "okrs",
        "tab": "cycles",
        "overlap": overlap,
        "cycles": overview,
        "generate_form": generate_form,
        "custom_form": custom_form,
        "carry_form": forms.CarryOverForm(actor=membership, initial=_carry_over_initial(overview, today)),
        "states": CycleState.choices,
        "today": today,
        "approval_required": organisation.objectives_need_approval,
        "unapproved": _unapproved_by_cycle(membership) if organisation.objectives_need_approval else [],
    }
    return render(request, "okrs/manage/cycles.html", context)


@tenant_view(Role.ADMIN)
@require_POST
def cycle_state(request: TenantRequest, membership: Membership, cycle_id: int) -> HttpResponseBase:
    cycle = selectors.access_cycle(membership, cycle_id)
    form = forms.CycleStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose planning, active, review or closed.")
        return redirect("okrs:cycles", org_slug=membership.organisation.slug)
    try:
        services.cycle_set_state(
            actor=membership,
            cycle=cycle,
            state=form.cleaned_data["state"],
            confirm_overlap=form.cleaned_data["confirm_overlap"],
        )
    except Conflict:
        # Another active cycle overlaps: the page says which and asks to confirm.
        url = reverse("okrs:cycles", kwargs={"org_slug": membership.organisation.slug})
        return redirect(f"{url}?confirm={cycle.pk}#overlap")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{cycle.name} is now {cycle.get_state_display().lower()}; "
            "the daily move by dates leaves it alone from now on.",
        )
    return redirect("okrs:cycles", org_slug=membership.organisation.slug)


@tenant_view(Role.MANAGER)
def carry_over(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """Admins carry everything unfinished; managers what they may edit (theirs, their reports',
    their team's): the service decides, objective by objective."""
    organisation = membership.organisation
    today = organisation.today()
    data: QueryDict | None = request.POST if request.method == "POST" else None
    cycles_ = list(selectors.cycle_list(actor=membership))
    form = forms.CarryOverForm(data, actor=membership, initial=_carry_over_initial(cycles_, today))
    done = submit(
        form,
        lambda: services.cycle_carry_over(
            actor=membership, source=form.cleaned_data["source"], target=form.cleaned_data["target"]
        ),
    )
    if done.ok:
        copies = done.value or []
        source, target = form.cleaned_data["source"], form.cleaned_data["target"]
        if copies:
            titles = ", ".join(f"“{c.title}”" for c in copies[:5]) + (" …" if len(copies) > 5 else "")
            messages.success(
                request,
                f"Carried {len(copies)} unfinished objective(s) from {source.name} into {target.name}: {titles}.",
            )
        else:
            messages.success(
                request, f"Nothing to carry from {source.name}: everything you can edit is done or already carried."
            )
        if membership.is_admin:
            return redirect("okrs:cycles", org_slug=organisation.slug)
        return redirect(f"{reverse('okrs:team', kwargs={'org_slug': organisation.slug})}?cycle={target.pk}")
    context = {"section": "okrs", "tab": "team", "form": form, "is_admin": membership.is_admin}
    return render(request, "okrs/manage/carry_over.html", context)


@tenant_view(Role.ADMIN)
@require_POST
def cycle_delete(request: TenantRequest, membership: Membership, cycle_id: int) -> HttpResponseBase:
    """Delete a cycle made by mistake (only an empty one: the service refuses otherwise)."""
    cycle = selectors.access_cycle(membership, cycle_id)
    try:
        services.cycle_delete(actor=membership, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Deleted {cycle.name}.")
    return redirect("okrs:cycles", org_slug=membership.organisation.slug)
