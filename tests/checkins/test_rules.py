"""checkins.rules: periods, due dates, quarter days, and local send instants across DST in four
zones that change differently (London and New York by an hour on different dates, Kolkata never,
Lord Howe by half an hour), including hours that do not exist or happen twice."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from checkins import rules

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------- periods and due dates


def test_biweekly_periods_are_fourteen_days_from_one_epoch_and_tile_the_calendar() -> None:
    periods = rules.periods_between(date(2026, 1, 1), date(2026, 12, 31), rules.BIWEEKLY)
    assert all(p.end - p.start == timedelta(days=14) for p in periods)
    assert all(a.end == b.start for a, b in itertools.pairwise(periods))
    assert all((p.start - rules.EPOCH_MONDAY).days % 14 == 0 for p in periods)
    assert len({p.key for p in periods}) == len(periods)
    assert rules.period_for(date(2026, 12, 1), rules.BIWEEKLY).key == "b2026-11-30"
    assert rules.period_for(date(2026, 12, 13), rules.BIWEEKLY).key == "b2026-11-30"
    assert rules.period_for(date(2026, 12, 14), rules.BIWEEKLY).key == "b2026-12-14"


def test_weekly_and_monthly_periods_and_their_due_days() -> None:
    week = rules.period_for(date(2026, 12, 3), rules.WEEKLY)
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 7))
    assert rules.due_date(week, rules.WEEKLY, 1) == date(2026, 12, 1)  # Tuesday
    month = rules.period_for(date(2026, 12, 20), rules.MONTHLY)
    assert (month.key, month.start, month.end) == ("m2026-12", date(2026, 12, 1), date(2027, 1, 1))
    assert rules.due_date(month, rules.MONTHLY, 4) == date(2026, 12, 4)  # the first Friday
    assert rules.due_date(rules.period_for(date(2026, 2, 1), rules.MONTHLY), rules.MONTHLY, 0) == date(2026, 2, 2)
    assert rules.period_for(date(2026, 12, 31), rules.MONTHLY).key == "m2026-12"


def test_quarter_days_skip_weekends() -> None:
    # Q3 2026 ends on Wednesday 30 September; Q1 2027 starts on Friday 1 January; Q4 2026 ends on
    # Thursday 31 December; Q2 2026 starts Wednesday 1 April; Q3 2027 ends Thursday 30 Sep 2027.
    assert rules.review_day(date(2026, 9, 30)) == date(2026, 10, 1)
    assert rules.planning_day(date(2027, 1, 1)) == date(2027, 1, 1)
    assert rules.planning_day(date(2026, 8, 1)) == date(2026, 8, 3)  # a Saturday → Monday
    assert rules.review_day(date(2027, 4, 30)) == date(2027, 5, 3)  # Friday end → Monday
    assert rules.review_closes(date(2026, 12, 31), 7) == date(2027, 1, 7)
    assert rules.review_followup_day(date(2026, 12, 31), 7) == date(2027, 1, 5)
    # A window too short for "two days left" never follows up before the review itself.
    assert rules.review_followup_day(date(2027, 4, 30), 2) == date(2027, 5, 3)


# ---------------------------------------------------------------- local send instants


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # Europe/London: BST starts 29 March 2026, ends 25 October 2026.
        (LONDON, date(2026, 3, 28), utc(2026, 3, 28, 9)),
        (LONDON, date(2026, 3, 30), utc(2026, 3, 30, 8)),
        (LONDON, date(2026, 10, 24), utc(2026, 10, 24, 8)),
        (LONDON, date(2026, 10, 26), utc(2026, 10, 26, 9)),
        # America/New_York: EDT starts 8 March 2026, ends 1 November 2026.
        (NEW_YORK, date(2026, 3, 7), utc(2026, 3, 7, 14)),
        (NEW_YORK, date(2026, 3, 9), utc(2026, 3, 9, 13)),
        (NEW_YORK, date(2026, 10, 31), utc(2026, 10, 31, 13)),
        (NEW_YORK, date(2026, 11, 2), utc(2026, 11, 2, 14)),
        # Asia/Kolkata: +05:30 all year, on the days the others change.
        (KOLKATA, date(2026, 3, 8), utc(2026, 3, 8, 3, 30)),
        (KOLKATA, date(2026, 3, 29), utc(2026, 3, 29, 3, 30)),
        (KOLKATA, date(2026, 11, 1), utc(2026, 11, 1, 3, 30)),
        # Australia/Lord_Howe: +10:30 standard, +11 summer (half an hour), from 4 October 2026,
        # back on 5 April 2026.
        (LORD_HOWE, date(2026, 4, 4), utc(2026, 4, 3, 22)),
        (LORD_HOWE, date(2026, 4, 6), utc(2026, 4, 5, 22, 30)),
        (LORD_HOWE, date(2026, 10, 3), utc(2026, 10, 2, 22, 30)),
        (LORD_HOWE, date(2026, 10, 5), utc(2026, 10, 4, 22)),
    ],
)
def test_nine_o_clock_local_on_each_side_of_a_change(tz: ZoneInfo, day: date, expected: datetime) -> None:
    instant = rules.local_instant(day, 9, tz)
    assert instant == expected
    assert instant.astimezone(tz).hour == 9


@pytest.mark.parametrize(
    ("tz", "day", "hour", "expected_utc", "expected_local"),
    [
        # The hour the clocks jump over: the next instant that exists, the moment of the jump.
        (LONDON, date(2026, 3, 29), 1, utc(2026, 3, 29, 1), (2, 0)),
        (NEW_YORK, date(2026, 3, 8), 2, utc(2026, 3, 8, 7), (3, 0)),
        (LORD_HOWE, date(2026, 10, 4), 2, utc(2026, 10, 3, 15, 30), (2, 30)),
    ],
)
def test_an_hour_that_does_not_exist_goes_at_the_next_valid_instant(
    tz: ZoneInfo, day: date, hour: int, expected_utc: datetime, expected_local: tuple[int, int]
) -> None:
    instant = rules.local_instant(day, hour, tz)
    assert instant == expected_utc
    local = instant.astimezone(tz)
    assert (local.hour, local.minute) == expected_local
    # and nothing earlier on that day reads as that hour or later
    assert (instant - timedelta(seconds=1)).astimezone(tz).hour < hour


@pytest.mark.parametrize(
    ("tz", "day", "hour", "first"),
    [
        (LONDON, date(2026, 10, 25), 1, utc(2026, 10, 25, 0)),  # 01:00 BST, not 01:00 GMT an hour later
        (NEW_YORK, date(2026, 11, 1), 1, utc(2026, 11, 1, 5)),  # 01:00 EDT, not EST
    ],
)
def test_an_hour_that_happens_twice_counts_the_first_time(tz: ZoneInfo, day: date, hour: int, first: datetime) -> None:
    instant = rules.local_instant(day, hour, tz)
    assert instant == first
    # the same wall time an hour later is the second reading, which is not chosen
    assert (instant + timedelta(hours=1)).astimezone(tz).hour == hour


def test_lord_howe_repeated_half_hour_takes_the_first() -> None:
    # 5 April 2026: 02:00 +11 becomes 01:30 +10:30, so 01:30–02:00 happens twice; 01:00 once.
    assert rules.local_instant(date(2026, 4, 5), 1, LORD_HOWE) == utc(2026, 4, 4, 14)


# ---------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (utc(2026, 6, 1, 19, 59), False),  # 20:59 London (BST)
        (utc(2026, 6, 1, 20, 0), True),  # 21:00
        (utc(2026, 6, 1, 5, 59), True),  # 06:59
        (utc(2026, 6, 1, 6, 0), False),  # 07:00
    ],
)
def test_quiet_hours_are_21_to_7_local(moment: datetime, quiet: bool) -> None:
    assert rules.is_quiet(moment, LONDON) is quiet


def test_a_send_hour_in_the_quiet_hours_waits_for_seven() -> None:
    assert rules.send_instant(date(2026, 6, 1), 22, LONDON) == utc(2026, 6, 2, 6)
    assert rules.send_instant(date(2026, 6, 1), 3, LONDON) == utc(2026, 6, 1, 6)
    assert rules.send_instant(date(2026, 6, 1), 9, KOLKATA) == utc(2026, 6, 1, 3, 30)


def test_may_send_now_waits_for_the_instant_and_stops_in_the_quiet_hours_and_after_the_limit() -> None:
    day = date(2026, 6, 1)
    until = date(2026, 6, 3)
    assert not rules.may_send_now(day, 9, NEW_YORK, utc(2026, 6, 1, 12, 59), until=until)
    assert rules.may_send_now(day, 9, NEW_YORK, utc(2026, 6, 1, 13), until=until)
    # 22:00 in New York: a late tick does not send at night ...
    assert not rules.may_send_now(day, 9, NEW_YORK, utc(2026, 6, 2, 2), until=until)
    # ... it catches up at 07:00 the next morning, until the limit.
    assert rules.may_send_now(day, 9, NEW_YORK, utc(2026, 6, 2, 11), until=until)
    assert not rules.may_send_now(day, 9, NEW_YORK, utc(2026, 6, 4, 13), until=until)
