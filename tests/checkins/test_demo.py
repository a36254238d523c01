"""The check-in demo (checkins.demo, run by ``manage.py seed_demo``): history, some due and some
overdue now, idempotent; then one dispatcher tick writes the reminders the demo shows in make run."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from checkins import reminders
from checkins.models import Checkin, CheckinState, ReminderDelivery
from checkins.selectors import my_checkins
from organisations import rls
from organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False)
def test_demo_has_history_due_and_overdue_and_is_idempotent() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    acme = Organisation.objects.get(slug="acme")
    with rls.tenant_context(acme.pk):
        states = {state: Checkin.objects.filter(state=state).count() for state in CheckinState.values}
        employee = Membership.objects.get(user__email="employee@acme.test")
        mine = my_checkins(employee, acme.today())
    assert states[CheckinState.COMPLETED] > 0
    assert states[CheckinState.SUBMITTED] > 0
    assert states[CheckinState.DUE] > 0
    assert len(mine.due) == 1
    assert len(mine.overdue) == 1
    assert len(mine.history) == 2
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Check-ins for acme: already there" in out.getvalue()
    with rls.tenant_context(acme.pk):
        assert Checkin.objects.filter(state=CheckinState.COMPLETED).count() == states[CheckinState.COMPLETED]
    # one tick in make run writes the reminders due now for Acme
    result = reminders.dispatch(datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert result.total > 0
    with rls.tenant_context(acme.pk):
        assert ReminderDelivery.objects.filter(kind="escalation").exists()  # the overdue ones
