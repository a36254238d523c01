"""OKR data for a test world: a year and its active quarter, a cascade company → department →
team → individual through key results, a private objective and some progress history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from okrs import rollup, services
from okrs.models import Alignment, Cycle, CycleKind, CycleState, KeyResult, KeyResultSource, Objective, ProgressUpdate
from tests.conftest import World
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory


@dataclass
class OkrWorld:
    year: Cycle
    quarter: Cycle
    company: Objective
    company_kr: KeyResult  # progress from aligned children
    department: Objective
    team: Objective
    individual: Objective
    individual_kr: KeyResult
    private: Objective  # the employee's private objective
    alignment: Alignment  # team → company_kr
    update: ProgressUpdate


def build_okrs(w: World) -> OkrWorld:
    name = w.org.name
    year = CycleFactory(
        organisation=w.org,
        name=f"FY2026 {name}",
        kind=CycleKind.YEAR,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    quarter = CycleFactory(
        organisation=w.org,
        name=f"Q4 2026 {name}",
        kind=CycleKind.QUARTER,
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        parent=year,
    )
    company = ObjectiveFactory(
        cycle=quarter, owner=w.owner, level="company", kind="focus", title=f"{name} wins the market"
    )
    company_kr = KeyResultFactory(
        objective=company, title=f"{name} ships the platform", progress_source=KeyResultSource.ALIGNED_CHILDREN
    )
    department = ObjectiveFactory(
        cycle=quarter,
        owner=w.admin,
        level="department",
        team=w.department,
        kind="departmental",
        title=f"{name} engineering excellence",
    )
    team = ObjectiveFactory(cycle=quarter, owner=w.manager, level="team", team=w.team, title=f"{name} platform launch")
    individual = ObjectiveFactory(
        cycle=quarter, owner=w.employee, level="individual", team=w.team, title=f"{name} ship the API"
    )
    individual_kr = KeyResultFactory(objective=individual, owner=w.employee, title=f"{name} endpoints live")
    private = ObjectiveFactory(cycle=quarter, owner=w.employee, visibility="private", title=f"{name} private growth")
    with w.tenant():
        alignment = services.alignment_create(actor=w.owner, child=team, parent_key_result=company_kr)
        services.alignment_create(actor=w.owner, child=individual, parent_objective=team)
        services.alignment_create(actor=w.owner, child=department, parent_objective=company)
        update = services.progress_update_create(
            actor=w.employee, key_result=individual_kr, value="40", confidence="on_track", note="started"
        )
        # The factories store no roll-up: recompute once, so every stored figure (progress,
        # "nothing to measure") is what the services would have left.
        rollup.recompute_everything(w.org.pk)
    return OkrWorld(
        year, quarter, company, company_kr, department, team, individual, individual_kr, private, alignment, update
    )
