"""The reminder dispatcher (DESIGN.md, Reminders): one tick, every few minutes, from one beat.

A tick computes, per organisation and in each member's own time zone, which reminders are due
now (``checkins.rules``; decided once per zone, since it depends only on the zone and the cadence),
opens the check-ins they are about, and inserts one ledger row per reminder with ``INSERT … ON
CONFLICT DO NOTHING`` on ``(organisation, membership, kind, period_key)`` — *before* anything is
sent. Every write is one set-based statement, so a tick over 10,000 members takes well under a
second (``make bench``). Only rows this tick inserted are handed to the send
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
from checkins.models import (
    OPEN_STATES,
    CadenceSettings,
    Checkin,
    CheckinKind,
    DeliveryStatus,
    ReminderDelivery,
    ReminderKind,
)
from okrs.models import Cycle, CycleKind, CycleState
from organisations import rls
from organisations.models import Membership, Organisation, zone
from outbox.services import enqueue_many

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


#: A check-in by (employee, check-in kind, period key): its unique key in the organisation.
CheckinKey = tuple[int, str, str]


@dataclass(frozen=True)
class Wanted:
    membership_id: int
    kind: str
    period_key: str
    checkin_key: CheckinKey | None = None  # the check-in it is about
    checkin_id: int | None = None  # when known already (an escalation's late check-in)


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


@dataclass(frozen=True)
class Member:
    """What a tick needs of an active member (read as plain values: a tick over 10,000 members
    builds no model instances)."""

    pk: int
    manager_id: int | None
    zone_name: str


@dataclass(frozen=True)
class Opening:
    """A check-in that falls due now for every employee with a manager in one zone, and its reminder."""

    checkin_kind: str
    period_key: str
    due_date: date
    cycle_id: int | None
    reminder: str


@dataclass
class ZoneCalendar:
    """What is due now in one time zone: the same for every member there, so it is computed once
    per zone and cadence, not once per member."""

    progress: bool = False  # the period's progress conversation (and, for managers, the digest)
    openings: list[Opening] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)  # review check-ins ("cycle-<id>") two days from closing


def zone_calendar(tz: ZoneInfo, now: datetime, cadence: CadenceSettings, cycles: list[Cycle]) -> ZoneCalendar:
    hour = cadence.send_hour
    today = now.astimezone(tz).date()
    period = rules.period_for(today, cadence.frequency)
    period_due = rules.due_date(period, cadence.frequency, cadence.weekday)
    calendar = ZoneCalendar(
        progress=rules.may_send_now(period_due, hour, tz, now, until=period.end - timedelta(days=1))
    )
    if calendar.progress:
        calendar.openings.append(Opening(CheckinKind.BIWEEKLY, period.key, period_due, None, ReminderKind.PROGRESS))
    for cycle in cycles:
        cycle_key = f"cycle-{cycle.pk}"
        if cycle.state == CycleState.ACTIVE:
            day = rules.planning_day(cycle.start_date)
            until = min(cycle.end_date, day + timedelta(days=rules.PLANNING_LATE_DAYS))
            if rules.may_send_now(day, hour, tz, now, until=until):
                calendar.openings.append(
                    Opening(
                        CheckinKind.QUARTERLY_PLANNING,
                        cycle_key,
                        rules.planning_due(cycle.start_date),
                        cycle.pk,
                        ReminderKind.PLANNING,
                    )
                )
        elif cycle.state == CycleState.REVIEW:
            closes = rules.review_closes(cycle.end_date, cycle.review_window_days)
            if rules.may_send_now(rules.review_day(cycle.end_date), hour, tz, now, until=closes):
                calendar.openings.append(
                    Opening(CheckinKind.END_OF_QUARTER, cycle_key, closes, cycle.pk, ReminderKind.REVIEW)
                )
            followup_day = rules.review_followup_day(cycle.end_date, cycle.review_window_days)
            if followup_day > rules.review_day(cycle.end_date) and rules.may_send_now(
                followup_day, hour, tz, now, until=closes
            ):
                calendar.followups.append(cycle_key)
    return calendar


def dispatch_organisation(organisation_id: int, now: datetime) -> TickResult:
    """The tick for one organisation (the caller has set its tenant, inside a transaction).

    What is due is decided per time zone (``zone_calendar``); members are then only looked up.
    The ledger rows already written this period are read first, so a tick that finds everything
    written (every five minutes but once) opens no check-in and inserts nothing; the new ones
    are written in a few set-based statements and handed to the send task in batches, on commit.
    """
    cadence = selectors.cadence_for(organisation_id)
    members = _members(organisation_id)
    cycles = list(
        Cycle.objects.in_organisation(organisation_id).filter(
            kind=CycleKind.QUARTER, state__in=[CycleState.ACTIVE, CycleState.REVIEW]
        )
    )
    calendars = {
        name: zone_calendar(zone(name), now, cadence, cycles) for name in {m.zone_name for m in members.values()}
    }
    has_reports = {m.manager_id for m in members.values() if m.manager_id in members}

    wanted: list[Wanted] = []
    opening: dict[tuple[int, str, str], Opening] = {}
    followups: list[Wanted] = []
    for member in members.values():
        calendar = calendars[member.zone_name]
        if member.manager_id in members:
            for due in calendar.openings:
                key = (member.pk, due.checkin_kind, due.period_key)
                opening[key] = due
                wanted.append(Wanted(member.pk, due.reminder, due.period_key, key))
            for cycle_key in calendar.followups:
                key = (member.pk, CheckinKind.END_OF_QUARTER.value, cycle_key)
                followups.append(Wanted(member.pk, ReminderKind.REVIEW_FOLLOWUP, cycle_key, key))
        if member.pk in has_reports and calendar.progress:
            period_key = next(o.period_key for o in calendar.openings if o.reminder == ReminderKind.PROGRESS)
            wanted.append(Wanted(member.pk, ReminderKind.DIGEST, period_key))
    if cadence.escalation:
        wanted += _escalations(organisation_id, now, members, cadence.send_hour, cadence.grace_days)

    result = TickResult()
    with transaction.atomic():
        present = _present(organisation_id, {w.period_key for w in (*wanted, *followups)})
        fresh = [w for w in wanted if (w.membership_id, w.kind, w.period_key) not in present]
        to_open = {w.checkin_key: opening[w.checkin_key] for w in fresh if w.checkin_key in opening}
        checkin_ids = services.checkins_open_many(
            organisation_id=organisation_id,
            due=[
                services.DueRow(
                    key[0], members[key[0]].manager_id, o.checkin_kind, o.period_key, o.due_date, o.cycle_id
                )
                for key, o in to_open.items()
            ],
        )
        fresh_followups = [w for w in followups if (w.membership_id, w.kind, w.period_key) not in present]
        open_reviews = _open_checkins(organisation_id, {w.checkin_key for w in fresh_followups if w.checkin_key})
        fresh += [w for w in fresh_followups if w.checkin_key in open_reviews]
        checkin_ids.update(open_reviews)
        inserted = _insert(organisation_id, fresh, checkin_ids, now)
        for kind, _ in inserted:
            result.created[kind] += 1
        ids = [pk for _, pk in inserted]
        batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
        _enqueue_send(organisation_id, batches)
        result.batches += len(batches)
    return result


def _members(organisation_id: int) -> dict[int, Member]:
    """Active members whose person is active: nobody else is reminded, or reminded about."""
    rows = (
        Membership.objects.in_organisation(organisation_id)
        .filter(is_active=True, user__is_active=True)
        .order_by("pk")
        .values_list("pk", "manager_id", "time_zone", "user__time_zone")
    )
    return {pk: Member(pk, manager_id, own or person) for pk, manager_id, own, person in rows}


def _present(organisation_id: int, period_keys: set[str]) -> set[tuple[int, str, str]]:
    """The ledger's keys for these periods: the reminders written already."""
    if not period_keys:
        return set()
    return set(
        ReminderDelivery.objects.in_organisation(organisation_id)
        .filter(period_key__in=sorted(period_keys))
        .values_list("membership_id", "kind", "period_key")
    )


def _open_checkins(organisation_id: int, keys: set[CheckinKey]) -> dict[CheckinKey, int]:
    """Of these check-ins, the ones still open (a follow-up is for those not submitted yet)."""
    if not keys:
        return {}
    rows = (
        Checkin.objects.in_organisation(organisation_id)
        .filter(
            state__in=OPEN_STATES,
            employee_id__in={k[0] for k in keys},
            kind__in={k[1] for k in keys},
            period_key__in={k[2] for k in keys},
        )
        .values_list("pk", "employee_id", "kind", "period_key")
    )
    return {(e, k, p): pk for pk, e, k, p in rows if (e, k, p) in keys}


def _escalations(
    organisation_id: int, now: datetime, members: dict[int, Member], hour: int, grace: int
) -> list[Wanted]:
    """Open check-ins past their grace: to the manager (after ``grace`` days), then to the
    manager's manager (after another ``grace``). The key names the employee's check-in, so a
    manager with many late reports gets one per report, each once. Whether a day's escalation
    may go now depends only on the day and the recipient's zone, so it is decided once per pair."""
    horizon = now.date() - timedelta(days=ESCALATION_HORIZON_DAYS)
    late = (
        Checkin.objects.in_organisation(organisation_id)
        .filter(state__in=OPEN_STATES, due_date__gte=horizon, due_date__lt=now.date())
        .values_list("pk", "employee_id", "manager_id", "kind", "period_key", "due_date")
    )
    decided: dict[tuple[date, date, str], bool] = {}

    def may_send(day: date, until: date, recipient: Member) -> bool:
        key = (day, until, recipient.zone_name)
        if key not in decided:
            decided[key] = rules.may_send_now(day, hour, zone(recipient.zone_name), now, until=until)
        return decided[key]

    wanted: list[Wanted] = []
    for pk, employee_id, pair_manager_id, kind, period_key, due in late:
        employee = members.get(employee_id)
        if employee is None:
            continue  # deactivated: nobody is reminded about people who left
        manager_id = pair_manager_id if pair_manager_id in members else employee.manager_id
        if manager_id is None or manager_id not in members:
            continue
        key = f"{kind}:{period_key}:{employee_id}"
        about = (employee_id, kind, period_key)
        first_day = due + timedelta(days=grace + 1)
        limit = first_day + timedelta(days=ESCALATION_HORIZON_DAYS)
        if may_send(first_day, limit, members[manager_id]):
            wanted.append(Wanted(manager_id, ReminderKind.ESCALATION, key, about, pk))
        above = members[manager_id].manager_id
        second_day = first_day + timedelta(days=grace)
        if above is not None and above in members and may_send(second_day, limit, members[above]):
            wanted.append(Wanted(above, ReminderKind.ESCALATION_UP, key, about, pk))
    return wanted


def _insert(
    organisation_id: int, wanted: list[Wanted], checkin_ids: dict[CheckinKey, int], now: datetime
) -> list[tuple[str, int]]:
    """Insert the ledger rows (one statement, ``ON CONFLICT DO NOTHING`` on the unique key);
    returns (kind, id) of those this call inserted — a concurrent tick's rows are not returned,
    so they are not sent twice."""
    unique = {(w.membership_id, w.kind, w.period_key): w for w in wanted}
    if not unique:
        return []
    rows = list(unique.values())
    checkins = [
        w.checkin_id if w.checkin_id is not None else checkin_ids.get(w.checkin_key) if w.checkin_key else None
        for w in rows
    ]
    table = ReminderDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (organisation_id, membership_id, kind, period_key, checkin_id, status,'  # noqa: S608
            " attempts, error, created_at)"
            " SELECT %s, r.membership_id, r.kind, r.period_key, r.checkin_id, %s, 0, '', %s"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) WITH ORDINALITY"
            " AS r(membership_id, kind, period_key, checkin_id, n) ORDER BY r.n"
            " ON CONFLICT (organisation_id, membership_id, kind, period_key) DO NOTHING RETURNING kind, id",
            [
                organisation_id,
                DeliveryStatus.PENDING,
                now,
                [w.membership_id for w in rows],
                [str(w.kind) for w in rows],
                [w.period_key for w in rows],
                checkins,
            ],
        )
        inserted = [(str(kind), int(pk)) for kind, pk in cursor.fetchall()]
    return sorted(inserted, key=lambda row: row[1])


def _enqueue_send(organisation_id: int, batches: list[list[int]]) -> None:
    """Hand the batches to the send task through the outbox: rows in this same transaction,
    published on commit over one connection, and re-published by the relay if Redis was down."""
    import checkins.tasks  # noqa: F401  (registers the task with Celery, as a worker's autodiscovery would)

    enqueue_many(
        SEND_TASK,
        organisation_id=organisation_id,
        jobs=[
            (f"reminders:{batch[0]}", {"organisation_id": organisation_id, "delivery_ids": batch}) for batch in batches
        ],
    )
