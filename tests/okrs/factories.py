"""OKR factories; children inherit their parent's organisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from okrs.models import Cycle, CycleKind, CycleState, KeyResult, Objective
from tests.factories import TenantFactory


class CycleFactory(TenantFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Cycle {n}")
    kind = CycleKind.CUSTOM
    start_date = date(2026, 10, 1)
    end_date = date(2026, 12, 31)
    state = CycleState.ACTIVE


class ObjectiveFactory(TenantFactory):
    class Meta:
        model = Objective

    organisation = factory.LazyAttribute(lambda o: o.cycle.organisation)
    title = factory.Sequence(lambda n: f"Objective {n}")


class KeyResultFactory(TenantFactory):
    class Meta:
        model = KeyResult

    organisation = factory.LazyAttribute(lambda o: o.objective.organisation)
    owner = factory.LazyAttribute(lambda o: o.objective.owner)
    title = factory.Sequence(lambda n: f"Key result {n}")
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = Decimal(0)
