"""The check-ins part of the scale seed (``organisations.scale_seed``): a quarter of progress
conversations for everyone who has a manager, by COPY — the periods of the organisation's cadence
from the quarter's start: the older ones completed (answers and the manager's notes), the last
past one submitted by most and left open by one in five (overdue), the current one due — plus the
quarter-start planning conversation, completed. Shaped like ``checkins.demo`` for Acme.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from checkins import rules, selectors, services
from checkins.demo import ANSWERS
from checkins.models import Checkin, CheckinKind, CheckinState
from okrs.models import Cycle, CycleKind
from organisations.scale_seed import SeededOrg, copy_rows

PLANNING_ANSWERS = {
    "focus": "Ship the first milestone of our team objective.",
    "time": "Mostly delivery, a day a week on support.",
    "outcomes": "The launch, and fewer incidents.",
    "support": "A weekly review with my manager.",
}


def seed(org: SeededOrg) -> str:
    org_id, today = org.organisation.pk, org.today
    templates = services.templates_ensure(organisation_id=org_id)
    versions = {kind: t.current_version_id for kind, t in templates.items()}
    cadence = selectors.cadence_for(org_id)
    quarter = Cycle.objects.in_organisation(org_id).get(
        kind=CycleKind.QUARTER, start_date__lte=today, end_date__gte=today
    )
    periods = rules.periods_between(quarter.start_date, today, cadence.frequency)
    tz = timezone.get_current_timezone()
    people = [p for p in org.everyone if p.manager_id is not None]
    rows: list[dict[str, Any]] = []
    for index, period in enumerate(periods):
        due = rules.due_date(period, cadence.frequency, cadence.weekday)
        current, last_past = index == len(periods) - 1, index == len(periods) - 2
        for number, person in enumerate(people):
            row: dict[str, Any] = {
                "organisation_id": org_id,
                "employee_id": person.membership_id,
                "manager_id": person.manager_id,
                "kind": CheckinKind.BIWEEKLY,
                "period_key": period.key,
                "due_date": due,
                "template_version_id": versions[CheckinKind.BIWEEKLY],
                "state": CheckinState.DUE,
                "answers": {},
            }
            submitted = datetime.combine(due, time(10), tzinfo=tz)
            if not current and not (last_past and number % 5 == 4):
                row.update(state=CheckinState.SUBMITTED, answers=ANSWERS, submitted_at=submitted)
                if not last_past:
                    row.update(
                        state=CheckinState.COMPLETED,
                        manager_notes="Good conversation; follow up next time.",
                        completed_at=submitted + timedelta(days=1),
                    )
            rows.append(row)
    planning_due = rules.planning_due(quarter.start_date)
    planned = datetime.combine(planning_due, time(11), tzinfo=tz)
    rows += [
        {
            "organisation_id": org_id,
            "employee_id": person.membership_id,
            "manager_id": person.manager_id,
            "kind": CheckinKind.QUARTERLY_PLANNING,
            "period_key": f"cycle-{quarter.pk}",
            "due_date": planning_due,
            "cycle_id": quarter.pk,
            "template_version_id": versions[CheckinKind.QUARTERLY_PLANNING],
            "state": CheckinState.COMPLETED,
            "answers": PLANNING_ANSWERS,
            "manager_notes": "Agreed.",
            "submitted_at": planned,
            "completed_at": planned + timedelta(hours=2),
        }
        for person in people
    ]
    copy_rows(Checkin, rows)
    return f"{len(rows)} check-ins ({len(periods)} periods and the quarter's planning)"
