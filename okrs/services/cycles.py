"""Writes of cycles: a fiscal year with its quarters, custom cycles, states by hand and by date."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from okrs import rollup
from okrs.fiscal import fiscal_year_label, quarter_bounds, state_on, year_bounds
from okrs.models import Cycle, CycleKind, CycleState, Objective
from okrs.services.approvals import cycle_may_activate, require_cycle_approved
from organisations.errors import Conflict
from organisations.models import Membership, Organisation, Role
from organisations.selectors import require_role


def _require_unique_name(actor: Membership, name: str, *, field: str = "name", exclude: int | None = None) -> None:
    """Cycle names are unique in an organisation (case and spaces aside): every picker lists them."""
    clash = Cycle.objects.for_actor(actor).filter(name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict({field: f"There is already a cycle named “{name.strip()}”: choose another name."})


@transaction.atomic
def cycles_generate_year(*, actor: Membership, start_year: int, today: date | None = None) -> list[Cycle]:
    """The annual cycle of the fiscal year starting in ``start_year`` and its four quarters, each
    in the state its dates give on ``today`` (the organisation's date by default)."""
    require_role(actor, Role.ADMIN)
    organisation = Organisation.objects.get(pk=actor.organisation_id)
    today = today or organisation.today()
    start, end = year_bounds(organisation, start_year)
    cycles = Cycle.objects.for_actor(actor)
    if cycles.filter(kind=CycleKind.YEAR, start_date=start).exists():
        raise Conflict({"start_year": f"{fiscal_year_label(organisation, start_year)} already exists."})
    label = fiscal_year_label(organisation, start_year)
    for name in (label, *(f"Q{number} {label}" for number in range(1, 5))):
        _require_unique_name(actor, name, field="start_year")
    window = organisation.review_window_days  # the organisation's rule, for the cycles made now
    year = Cycle(
        organisation_id=organisation.pk,
        name=label,
        kind=CycleKind.YEAR,
        start_date=start,
        end_date=end,
        review_window_days=window,
    )
    year.state = state_on(year, today)
    year.save()
    created = [year]
    for number, (q_start, q_end) in enumerate(quarter_bounds(organisation, start_year), start=1):
        if cycles.filter(kind=CycleKind.QUARTER, start_date=q_start).exists():
            raise Conflict({"start_year": f"A quarter starting {q_start} already exists."})
        quarter = Cycle(
            organisation_id=organisation.pk,
            name=f"Q{number} {label}",
            kind=CycleKind.QUARTER,
            start_date=q_start,
            end_date=q_end,
            parent=year,
            review_window_days=window,
        )
        quarter.state = state_on(quarter, today)
        quarter.save()
        created.append(quarter)
    return created


@transaction.atomic
def cycle_create_custom(
    *, actor: Membership, name: str, start_date: date, end_date: date, review_window_days: int | None = None
) -> Cycle:
    """A custom cycle, in the state its dates give on the organisation's local date, with the
    organisation's review window unless one is given."""
    require_role(actor, Role.ADMIN)
    organisation = Organisation.objects.get(pk=actor.organisation_id)
    if review_window_days is None:
        review_window_days = organisation.review_window_days
    if not name.strip():
        raise ValidationError({"name": "Name the cycle, e.g. “Launch sprint”."})
    if end_date < start_date:
        raise ValidationError({"end_date": "The end must be on or after the start."})
    if not 0 <= review_window_days <= 60:
        raise ValidationError({"review_window_days": "Between 0 and 60 days."})
    _require_unique_name(actor, name)
    cycle = Cycle(
        organisation_id=actor.organisation_id,
        name=name.strip(),
        kind=CycleKind.CUSTOM,
        start_date=start_date,
        end_date=end_date,
        review_window_days=review_window_days,
    )
    cycle.state = state_on(cycle, organisation.today())
    cycle.save()
    return cycle


def overlapping_active(actor: Membership, cycle: Cycle) -> list[Cycle]:
    """Other active cycles whose dates meet ``cycle``'s: two quarters (or a quarter and a custom
    cycle) active at once make the default cycle a guess. A year contains its quarters by design,
    so years are only compared with years."""
    others = Cycle.objects.for_actor(actor).filter(
        state=CycleState.ACTIVE, start_date__lte=cycle.end_date, end_date__gte=cycle.start_date
    )
    others = others.filter(kind=CycleKind.YEAR) if cycle.kind == CycleKind.YEAR else others.exclude(kind=CycleKind.YEAR)
    return list(others.exclude(pk=cycle.pk).order_by("start_date"))


@transaction.atomic
def cycle_set_state(*, actor: Membership, cycle: Cycle, state: str, confirm_overlap: bool = False) -> Cycle:
    """An admin moves a cycle by hand; the periodic task then leaves it alone. Making a cycle
    active while another active one overlaps it needs ``confirm_overlap`` (a Conflict says which)."""
    require_role(actor, Role.ADMIN)
    if state not in CycleState.values:
        raise ValidationError({"state": "Choose planning, active, review or closed."})
    if state == CycleState.ACTIVE and cycle.state != CycleState.ACTIVE:
        require_cycle_approved(actor, Organisation.objects.get(pk=actor.organisation_id), cycle)
    if state == CycleState.ACTIVE and cycle.state != CycleState.ACTIVE and not confirm_overlap:
        clashes = overlapping_active(actor, cycle)
        if clashes:
            names = ", ".join(f"“{c.name}”" for c in clashes)
            raise Conflict(
                {
                    "state": f"{names} is active too and overlaps {cycle.name}: with both active, people see "
                    "whichever contains today by default. Confirm to make it active anyway."
                }
            )
    cycle.state = state
    cycle.state_pinned = True
    cycle.save(update_fields=["state", "state_pinned"])
    rollup.rescore_cycle(actor.organisation_id, cycle.pk)
    return cycle


def cycles_advance(*, organisation_id: int, today: date) -> int:
    """Move every unpinned cycle of the organisation to the state its dates say (periodic task);
    one that should become active waits in planning while approval is required and missing."""
    moved = 0
    organisation = Organisation.objects.get(pk=organisation_id)
    for cycle in Cycle.objects.in_organisation(organisation_id).filter(state_pinned=False):
        state = state_on(cycle, today)
        if state == CycleState.ACTIVE and state != cycle.state and not cycle_may_activate(organisation, cycle):
            continue  # HR asks for approval first: it stays in planning until everything is approved
        if state != cycle.state:
            Cycle.objects.in_organisation(organisation_id).filter(pk=cycle.pk).update(state=state)
            rollup.rescore_cycle(organisation_id, cycle.pk)
            moved += 1
    return moved


@transaction.atomic
def cycle_delete(*, actor: Membership, cycle: Cycle) -> None:
    """An admin deletes a cycle with no objectives (one made by mistake); quarters of a deleted
    year stay, without their parent."""
    require_role(actor, Role.ADMIN)
    if Objective.objects.for_actor(actor).filter(cycle=cycle).exists():
        raise ValidationError({"cycle": f"{cycle.name} has objectives: only an empty cycle can be deleted."})
    Cycle.objects.for_actor(actor).filter(pk=cycle.pk).delete()
