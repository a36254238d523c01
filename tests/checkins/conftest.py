"""Fixtures of the check-in tests: world a's templates and a check-in due for its employee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from checkins import services
from checkins.models import Checkin, CheckinKind, CheckinTemplate
from tests.conftest import World


@dataclass
class CheckinWorld:
    employee_checkin: Checkin  # world.employee's, with world.manager
    report_checkin: Checkin  # world.report's, with world.manager
    manager_checkin: Checkin  # world.manager's own, with world.owner
    template: CheckinTemplate  # the biweekly template


def build_checkins(w: World, due: date = date(2026, 11, 17)) -> CheckinWorld:
    with w.tenant():
        opened = services.checkins_open(
            organisation_id=w.org.pk,
            due=[services.Due(m, CheckinKind.BIWEEKLY, "b2026-11-16", due) for m in (w.employee, w.report, w.manager)],
        )
        template = CheckinTemplate.objects.get(organisation=w.org, kind=CheckinKind.BIWEEKLY)
    key = (CheckinKind.BIWEEKLY.value, "b2026-11-16")
    return CheckinWorld(
        employee_checkin=opened[(w.employee.pk, *key)],
        report_checkin=opened[(w.report.pk, *key)],
        manager_checkin=opened[(w.manager.pk, *key)],
        template=template,
    )


@pytest.fixture
def c(a: World, frozen_time: Any) -> CheckinWorld:
    a.checkins = build_checkins(a)
    return a.checkins


ANSWERS = {
    "progress": "Shipped the importer.",
    "achievements": "Two key results on track.",
    "obstacles": "Waiting on legal.",
    "alignment": "All of it serves the Q4 objective.",
    "help": "Unblock the legal review.",
}
