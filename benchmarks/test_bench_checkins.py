"""`make bench`: one reminder dispatch tick, for the demo and for an organisation of 10,000 members.

Two figures each: the tick that writes the period's reminders (check-ins opened, ledger rows
inserted, send batches enqueued through the outbox) and a steady-state tick a few minutes later
that finds everything written already (what the beat pays every five minutes).
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from benchmarks.test_bench_pages import measure
from checkins import reminders
from checkins.models import ReminderDelivery
from organisations import rls
from organisations.models import Membership, Organisation, Role, User

# Tuesday 1 December 2026, 10:00 UTC: the due day of period b2026-11-30, after 09:00 in Europe.
DUE = datetime(2026, 12, 1, 10, tzinfo=UTC)


def first_then_steady(label: str, organisation_id: int, first_target_ms: float, target_ms: float) -> None:
    started = time.perf_counter()
    result = reminders.dispatch(DUE)
    first_ms = (time.perf_counter() - started) * 1000
    with rls.tenant_context(organisation_id):
        written = ReminderDelivery.objects.count()
    print(
        f"\nBENCH dispatch tick, {label}, writing {result.total} reminders ({written} in the ledger): {first_ms:.0f} ms"
        f" (target < {first_target_ms:.0f} ms)"
    )
    assert written > 0
    assert first_ms < first_target_ms, f"{label}: the first tick took {first_ms:.0f} ms"
    later = DUE + timedelta(minutes=5)
    measure(f"dispatch tick, {label}, nothing new", lambda: reminders.dispatch(later), target_ms=target_ms)


@pytest.mark.django_db
def test_bench_dispatch_tick_demo() -> None:
    with time_machine.travel(DUE, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        acme = Organisation.objects.get(slug="acme")
        first_then_steady("demo (Acme and Globex)", acme.pk, first_target_ms=2_000, target_ms=500)


@pytest.mark.django_db
def test_bench_dispatch_tick_10000_members() -> None:
    org = Organisation.objects.create(name="Big Co", slug="big-co", time_zone="Europe/London")
    zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    users = User.objects.bulk_create(
        [
            User(email=f"person{i}@big.test", full_name=f"Person {i}", time_zone=zones[i % 5], password="!")  # noqa: S106  (unusable)
            for i in range(10_000)
        ]
    )
    with rls.tenant_context(org.pk):
        top = Membership.objects.create(organisation=org, user=users[0], role=Role.OWNER)
        managers = Membership.objects.bulk_create(
            [Membership(organisation=org, user=u, role=Role.MANAGER, manager=top) for u in users[1:100]]
        )
        Membership.objects.bulk_create(
            [Membership(organisation=org, user=u, manager=managers[i % 99]) for i, u in enumerate(users[100:])]
        )
    with time_machine.travel(DUE, tick=False):
        # The scale issue's budget is 10 s a tick; measured: 1.6 s first, 0.33 s steady (docs/checkins.md).
        first_then_steady("10,000 members", org.pk, first_target_ms=10_000, target_ms=2_000)
