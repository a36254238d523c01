"""The reminder dispatcher (DESIGN.md, Reminders): one tick, every few minutes, from one beat.

A tick computes, per organisation and per member in the member's own time zone, which reminders
are due now (``checkins.rules``), opens the check-ins they are about, and inserts one ledger row per
reminder with ``INSERT … ON CONFLICT DO NOTHING`` on ``(organisation, membership, kind,
period_key)`` — *before* anything is sent. Only rows this tick inserted are handed to the send
task, in batches, on commit. So a second beat, a manual re-run, a redelivered message or two
dispatchers at once never send twice: the losing insert inserts nothing.

Kinds: the progress conversation of each period; the quarter-start planning on the quarter's first
working day; the end-of-quarter review on the first working day after it ends and the "two days
left" follow-up; one digest per manager per period; escalation of a check-in missed past the
grace days to the manager, then (after another grace) to the manager's manager. Nothing goes to
deactivated members, about deactivated employees, or for a quarter that is not active (planning)
or in review (review).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from checkins import rules, selectors, services
from checkins.models import OPEN_STATES, Checkin, CheckinKind, ReminderDelivery, ReminderKind
from okrs.models import Cycle, CycleKind, CycleState
from organisations import rls
from organisations.models import Membership, Organisation, zone
from outbox.services import enqueue

logger = logging.getLogger(__name__)

SEND_TASK = "checkins.tasks.send_reminders"
BATCH = 50
#: How far back a missed check-in is still escalated (older ones are history, not news).
ESCALATION_HORIZON_DAYS = 60


@dataclass
class TickResult:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def add(self, other: TickResult) -> None:
        for kind, count in other.created.items():
            self.created[kind] += count
        self.batches += other.batches


@dataclass(frozen=True)
class Wanted:
    membership_id: int
    kind: str
    period_key: str
    checkin_key: tuple[int, str, str] | None = None  # (employee, check-in kind, period) it is about


def dispatch(now: datetime | None = None) -> TickResult:
    """One tick over every organisation. The organisation table is not row-level protected (it
    is how a tenant is found), so listing it needs no cross-tenant helper; each organisation's
    rows are read and written inside its own tenant, in its own transaction."""
    now = now or timezone.now()
    result = TickResult()
    for organisation_id in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        try:
            with rls.tenant_context(organisation_id):
                result.add(dispatch_organisation(organisation_id, now))
        except Exception:  # one organisation's failure must not hold the others back
            logger.exception("dispatch_reminders failed for organisation %s", organisation_id)
    return result


def dispatch_organisation(organisation_id: int, now: datetime) -> TickResult:
    """The tick for one organisation (the caller has set its tenant, inside a transaction)."""
    cadence = selectors.cadence_for(organisation_id)
    hour = cadence.send_hour
    members = list(
        Membership.objects.in_organisation(organisation_id)
        .filter(is_active=True)
        .select_related("user")
        .only("pk", "manager_id", "time_zone", "user__time_zone", "user__is_active")
    )
    by_id = {m.pk: m for m in members if m.user.is_active}
    zones: dict[int, ZoneInfo] = {pk: zone(m.effective_time_zone) for pk, m in by_id.items()}
    has_reports = {m.manager_id for m in by_id.values() if m.manager_id in by_id}
    cycles = list(
        Cycle.objects.in_organisation(organisation_id).filter(
            kind=CycleKind.QUARTER, state__in=[CycleState.ACTIVE, CycleState.REVIEW]
        )
    )

    wanted: list[Wanted] = []
    due: dict[tuple[int, str, str], services.Due] = {}
    followups: list[tuple[int, tuple[int, str, str], str]] = []
    for pk, member in by_id.items():
        tz = zones[pk]
        today = now.astimezone(tz).date()
        period = rules.period_for(today, cadence.frequency)
        period_due = rules.due_date(period, cadence.frequency, cadence.weekday)
        progress_now = rules.may_send_now(period_due, hour, tz, now, until=period.end - timedelta(days=1))
        if member.manager_id in by_id:
            if progress_now:
                key = (pk, CheckinKind.BIWEEKLY.value, period.key)
                due[key] = services.Due(member, CheckinKind.BIWEEKLY, period.key, period_due)
                wanted.append(Wanted(pk, ReminderKind.PROGRESS, period.key, key))
            for cycle in cycles:
                cycle_key = f"cycle-{cycle.pk}"
                if cycle.state == CycleState.ACTIVE:
                    day = rules.planning_day(cycle.start_date)
                    until = min(cycle.end_date, day + timedelta(days=rules.PLANNING_LATE_DAYS))
                    if rules.may_send_now(day, hour, tz, now, until=until):
                        key = (pk, CheckinKind.QUARTERLY_PLANNING.value, cycle_key)
                        due[key] = services.Due(
                            member,
                            CheckinKind.QUARTERLY_PLANNING,
                            cycle_key,
                            rules.planning_due(cycle.start_date),
                            cycle.pk,
                        )
                        wanted.append(Wanted(pk, ReminderKind.PLANNING, cycle_key, key))
                elif cycle.state == CycleState.REVIEW:
                    closes = rules.review_closes(cycle.end_date, cycle.review_window_days)
                    key = (pk, CheckinKind.END_OF_QUARTER.value, cycle_key)
                    if rules.may_send_now(rules.review_day(cycle.end_date), hour, tz, now, until=closes):
                        due[key] = services.Due(member, CheckinKind.END_OF_QUARTER, cycle_key, closes, cycle.pk)
                        wanted.append(Wanted(pk, ReminderKind.REVIEW, cycle_key, key))
                    followup_day = rules.review_followup_day(cycle.end_date, cycle.review_window_days)
                    if followup_day > rules.review_day(cycle.end_date) and rules.may_send_now(
                        followup_day, hour, tz, now, until=closes
                    ):
                        followups.append((pk, key, cycle_key))
        if pk in has_reports and progress_now:
            wanted.append(Wanted(pk, ReminderKind.DIGEST, period.key))

    result = TickResult()
    with transaction.atomic():
        # Check-ins that exist already are not written again (a tick every five minutes over a
        # whole period would otherwise re-insert them all each time).
        existing = _existing_checkins(organisation_id, {k[2] for k in due})
        opened = services.checkins_open(
            organisation_id=organisation_id, due=[d for k, d in due.items() if k not in existing]
        )
        checkins = {**existing, **opened}
        for pk, key, cycle_key in followups:
            checkin = checkins.get(key) or _find_checkin(organisation_id, key)
            if checkin is not None and checkin.state in OPEN_STATES:
                wanted.append(Wanted(pk, ReminderKind.REVIEW_FOLLOWUP, cycle_key, key))
        if cadence.escalation:
            wanted += _escalations(organisation_id, now, by_id, zones, hour, cadence.grace_days)
        inserted = _insert(organisation_id, wanted, checkins, now)
        for kind, _ in inserted:
            result.created[kind] += 1
        ids = [pk for _, pk in inserted]
        for start in range(0, len(ids), BATCH):
            _enqueue_send(organisation_id, ids[start : start + BATCH])
            result.batches += 1
    return result


def _existing_checkins(organisation_id: int, period_keys: set[str]) -> dict[tuple[int, str, str], Checkin]:
    if not period_keys:
        return {}
    rows = Checkin.objects.in_organisation(organisation_id).filter(period_key__in=sorted(period_keys))
    return {
        (c.employee_id, c.kind, c.period_key): c for c in rows.only("pk", "employee_id", "kind", "period_key", "state")
    }


def _find_checkin(organisation_id: int, key: tuple[int, str, str]) -> Checkin | None:
    return (
        Checkin.objects.in_organisation(organisation_id)
        .filter(employee_id=key[0], kind=key[1], period_key=key[2])
        .first()
    )


def _escalations(
    organisation_id: int,
    now: datetime,
    by_id: dict[int, Membership],
    zones: dict[int, ZoneInfo],
    hour: int,
    grace: int,
) -> list[Wanted]:
    """Open check-ins past their grace: to the manager (after ``grace`` days), then to the
    manager's manager (after another ``grace``). The key names the employee's check-in, so a
    manager with many late reports gets one per report, each once."""
    horizon = now.date() - timedelta(days=ESCALATION_HORIZON_DAYS)
    late = (
        Checkin.objects.in_organisation(organisation_id)
        .filter(state__in=OPEN_STATES, due_date__gte=horizon, due_date__lt=now.date())
        .only("pk", "employee_id", "manager_id", "kind", "period_key", "due_date")
    )
    wanted: list[Wanted] = []
    for checkin in late:
        employee = by_id.get(checkin.employee_id)
        if employee is None:
            continue  # deactivated: nobody is reminded about people who left
        manager_id = checkin.manager_id if checkin.manager_id in by_id else employee.manager_id
        if manager_id not in by_id:
            continue
        key = f"{checkin.kind}:{checkin.period_key}:{checkin.employee_id}"
        first_day = checkin.due_date + timedelta(days=grace + 1)
        limit = first_day + timedelta(days=ESCALATION_HORIZON_DAYS)
        if rules.may_send_now(first_day, hour, zones[manager_id], now, until=limit):
            wanted.append(
                Wanted(
                    manager_id, ReminderKind.ESCALATION, key, (checkin.employee_id, checkin.kind, checkin.period_key)
                )
            )
        above = by_id[manager_id].manager_id
        second_day = first_day + timedelta(days=grace)
        if above in by_id and rules.may_send_now(second_day, hour, zones[above], now, until=limit):
            wanted.append(
                Wanted(above, ReminderKind.ESCALATION_UP, key, (checkin.employee_id, checkin.kind, checkin.period_key))
            )
    return wanted


def _insert(
    organisation_id: int, wanted: list[Wanted], checkins: dict[tuple[int, str, str], Checkin], now: datetime
) -> list[tuple[str, int]]:
    """Insert the ledger rows that do not exist yet; returns (kind, id) of those this call
    inserted (a concurrent tick's rows are not returned, so they are not sent twice)."""
    if not wanted:
        return []
    present = set(
        ReminderDelivery.objects.in_organisation(organisation_id)
        .filter(period_key__in=sorted({w.period_key for w in wanted}))
        .values_list("membership_id", "kind", "period_key")
    )
    fresh = {(w.membership_id, w.kind, w.period_key): w for w in wanted}
    rows = [w for k, w in fresh.items() if k not in present]
    inserted: list[tuple[str, int]] = []
    table = ReminderDelivery._meta.db_table
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = []
        params: list[object] = []
        for w in chunk:
            checkin = checkins.get(w.checkin_key) if w.checkin_key else None
            values.append("(%s, %s, %s, %s, %s, 'pending', 0, '', %s)")
            params += [organisation_id, w.membership_id, w.kind, w.period_key, checkin.pk if checkin else None, now]
        sql = (
            f'INSERT INTO "{table}" (organisation_id, membership_id, kind, period_key, checkin_id, status,'  # noqa: S608
            " attempts, error, created_at) VALUES " + ", ".join(values) + " ON CONFLICT"
            " (organisation_id, membership_id, kind, period_key) DO NOTHING RETURNING kind, id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # type: ignore[arg-type]
            inserted += [(str(kind), int(pk)) for kind, pk in cursor.fetchall()]
    return inserted


def _enqueue_send(organisation_id: int, delivery_ids: list[int]) -> None:
    """Hand one batch to the send task through the outbox: the job is a row in this same
    transaction, published on commit, and re-published by the relay if Redis was down."""
    import checkins.tasks  # noqa: F401  (registers the task with Celery, as a worker's autodiscovery would)

    enqueue(
        SEND_TASK,
        organisation_id=organisation_id,
        kwargs={"organisation_id": organisation_id, "delivery_ids": delivery_ids},
        key=f"reminders:{delivery_ids[0]}",
    )


def local_today(member: Membership) -> date:
    return timezone.now().astimezone(zone(member.effective_time_zone)).date()
