"""The fiscal calendar: a year from the organisation's fiscal start month, its quarters' dates,
its label, and the state a cycle's dates give on a day. Pure functions, no queries."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from okrs.models import Cycle, CycleState
from organisations.models import Organisation


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def fiscal_year_label(organisation: Organisation, start_year: int) -> str:
    """FY2026 for a calendar fiscal year, FY2026/27 for one that starts in another month."""
    return (
        f"FY{start_year}"
        if organisation.fiscal_year_start_month == 1
        else f"FY{start_year}/{(start_year + 1) % 100:02d}"
    )


def fiscal_start_year(organisation: Organisation, today: date) -> int:
    """The calendar year in which the fiscal year containing ``today`` started."""
    month = organisation.fiscal_year_start_month
    return today.year if today.month >= month else today.year - 1


def year_bounds(organisation: Organisation, start_year: int) -> tuple[date, date]:
    month = organisation.fiscal_year_start_month
    end_year, end_month = add_months(start_year, month, 11)
    return date(start_year, month, 1), month_end(end_year, end_month)


def quarter_bounds(organisation: Organisation, start_year: int) -> list[tuple[date, date]]:
    month = organisation.fiscal_year_start_month
    bounds = []
    for quarter in range(4):
        q_year, q_month = add_months(start_year, month, quarter * 3)
        e_year, e_month = add_months(start_year, month, quarter * 3 + 2)
        bounds.append((date(q_year, q_month, 1), month_end(e_year, e_month)))
    return bounds


def state_on(cycle: Cycle, today: date) -> str:
    """Planning before the start, active to the end, review for the review window, then closed."""
    if today < cycle.start_date:
        return CycleState.PLANNING
    if today <= cycle.end_date:
        return CycleState.ACTIVE
    if today <= cycle.end_date + timedelta(days=cycle.review_window_days):
        return CycleState.REVIEW
    return CycleState.CLOSED
