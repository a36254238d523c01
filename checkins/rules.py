"""The calendar rules of check-ins, as pure functions (no queries): the periods of a cadence, due
dates, the quarter's planning and review days, and the instant a reminder may go out in a
member's own time zone.

Local time is where the traps are. A send hour is a wall-clock hour in the member's zone:
- on a spring-forward day the hour may not exist (02:00 in New York on 8 March 2026): the reminder
  goes at the next instant that does exist (the moment the clocks jump);
- on a fall-back day it happens twice (01:00 in New York on 1 November 2026): the first one counts;
- nothing goes out in the quiet hours, 21:00–07:00 local: a reminder that falls there (or a tick
  that catches up late) waits for 07:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: The Monday biweekly periods are counted from, so every organisation's "other week" is the same.
EPOCH_MONDAY = date(2024, 1, 1)
QUIET_FROM = 21  # local hour, inclusive
QUIET_UNTIL = 7  # local hour, exclusive
WEEKLY, BIWEEKLY, MONTHLY = "weekly", "biweekly", "monthly"
#: How long after its send day a periodic reminder is still worth sending (a tick that was down
#: for longer catches up to the next period instead of sending a stale one).
PLANNING_LATE_DAYS = 14


@dataclass(frozen=True)
class Period:
    """A progress-conversation period: ``[start, end)``; ``key`` names it in the ledger."""

    key: str
    start: date
    end: date


def period_for(day: date, frequency: str) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    if frequency == MONTHLY:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return Period(f"m{start:%Y-%m}", start, end)
    monday = day - timedelta(days=day.weekday())
    if frequency == WEEKLY:
        return Period(f"w{monday.isoformat()}", monday, monday + timedelta(days=7))
    offset = (monday - EPOCH_MONDAY).days // 7 % 2
    start = monday - timedelta(days=7 * offset)
    return Period(f"b{start.isoformat()}", start, start + timedelta(days=14))


def periods_between(first: date, last: date, frequency: str) -> list[Period]:
    """Every period that overlaps ``[first, last]``, in order."""
    periods: list[Period] = []
    period = period_for(first, frequency)
    while period.start <= last:
        periods.append(period)
        period = period_for(period.end, frequency)
    return periods


def due_date(period: Period, frequency: str, weekday: int) -> date:
    """The day a period's progress conversation falls due: the cadence's weekday in the first week
    of the period (for a month, the first such weekday of the month)."""
    if frequency == MONTHLY:
        return period.start + timedelta(days=(weekday - period.start.weekday()) % 7)
    return period.start + timedelta(days=weekday)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def first_working_day_from(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def planning_day(cycle_start: date) -> date:
    """Quarter-start planning: the reminder goes on the quarter's first working day."""
    return first_working_day_from(cycle_start)


def planning_due(cycle_start: date) -> date:
    """A planning check-in is due a week after the quarter's first working day."""
    return planning_day(cycle_start) + timedelta(days=7)


def review_day(cycle_end: date) -> date:
    """End-of-quarter review: the reminder goes on the first working day after the quarter ends."""
    return first_working_day_from(cycle_end + timedelta(days=1))


def review_closes(cycle_end: date, window_days: int) -> date:
    """The last day of the review window (the review check-in's due date)."""
    return cycle_end + timedelta(days=window_days)


def review_followup_day(cycle_end: date, window_days: int) -> date:
    """The "two days left" follow-up: two days before the review window closes (never before the
    review reminder itself)."""
    return max(review_closes(cycle_end, window_days) - timedelta(days=2), review_day(cycle_end))


# ---------------------------------------------------------------- local time


def local_instant(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``hour``:00 on ``day`` in ``tz``. A wall time that does not exist (the
    clocks jumped over it) gives the next instant that does; one that happens twice gives the first."""
    wall = datetime.combine(day, time(hour))
    first = wall.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # In a gap: the two readings of the wall time straddle the transition; find it (to the second).
    a, b = sorted((first.astimezone(UTC), wall.replace(tzinfo=tz, fold=1).astimezone(UTC)))
    a -= timedelta(hours=3)  # the earliest reading may already be past the jump; start well before it
    while b - a > timedelta(seconds=1):
        middle = a + (b - a) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            b = middle
        else:
            a = middle
    whole = b.replace(microsecond=0)  # transitions fall on whole seconds
    return whole if whole.astimezone(tz).replace(tzinfo=None) >= wall else whole + timedelta(seconds=1)


def is_quiet(moment: datetime, tz: ZoneInfo) -> bool:
    """True between 21:00 and 07:00 local time, when no reminder may go out."""
    hour = moment.astimezone(tz).hour
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def allowed_from(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` if it is outside the quiet hours, else the next 07:00 local."""
    if not is_quiet(moment, tz):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.hour < QUIET_UNTIL else local.date() + timedelta(days=1)
    return local_instant(day, QUIET_UNTIL, tz)


def send_instant(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """When a reminder for ``day`` goes out: the local send hour, moved out of the quiet hours."""
    return allowed_from(local_instant(day, hour, tz), tz)


def may_send_now(day: date, hour: int, tz: ZoneInfo, now: datetime, *, until: date) -> bool:
    """True when the reminder of ``day`` is due at ``now``: its send instant has passed, it is not
    the quiet hours where the member is, and the member's local date is not past ``until``."""
    if now < send_instant(day, hour, tz) or is_quiet(now, tz):
        return False
    return now.astimezone(tz).date() <= until
