"""Status, pace and staleness (DESIGN.md, Progress rules): decided here once, and called by the
selectors, the template tags, the API, the CSV export and the tasks alike.

"Today" is always the organisation's local date (``Organisation.today()``); callers pass it in, so
a page computes it once and every row agrees.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest

from okrs import rules
from okrs.models import Cycle, CycleState, KeyResult, Objective, Status
from organisations.models import Organisation

#: No progress update for this long flags an objective as stale (the default of the
#: organisation's ``stale_after_days``).
STALE_AFTER = timedelta(days=14)
#: The adoption report counts a key result as fresh when updated within this window.
FRESH_WITHIN = timedelta(days=14)

_DEFAULT_ON_TRACK = Decimal("0.10")
_DEFAULT_AT_RISK = Decimal("0.30")


def expected(cycle: Cycle, today: date) -> Decimal:
    """The elapsed fraction of the cycle on ``today``."""
    return rules.expected_progress(cycle.start_date, cycle.end_date, today)


def pace(progress: Decimal, cycle: Cycle, *, organisation: Organisation | None, today: date) -> Status:
    """On track, at risk or off track for ``progress`` at this point of ``cycle`` (the
    organisation's margins)."""
    return rules.pace_status(
        progress,
        expected(cycle, today),
        on_track_margin=organisation.pace_on_track_margin if organisation else _DEFAULT_ON_TRACK,
        at_risk_margin=organisation.pace_at_risk_margin if organisation else _DEFAULT_AT_RISK,
    )


def objective_status(objective: Objective, *, organisation: Organisation | None, today: date) -> Status | None:
    """Pace of the objective's worst measured key result (its own progress when it has none)
    combined with the worst latest confidence. Nothing to measure has no pace: only a confidence
    the owner gave can make a status then. Needs ``objective.cycle``."""
    return objective_status_of(
        measured=objective.measured,
        progress=objective.progress,
        worst_key_result_progress=objective.worst_key_result_progress,
        worst_confidence=objective.worst_confidence,
        cycle=objective.cycle,
        organisation=organisation,
        today=today,
    )


def objective_status_of(
    *,
    measured: bool,
    progress: Decimal,
    worst_key_result_progress: Decimal | None,
    worst_confidence: str,
    cycle: Cycle,
    organisation: Organisation | None,
    today: date,
) -> Status | None:
    """``objective_status`` from the columns alone, for a reader of plain rows (the streamed CSV
    export builds no model instances: at 10,000 people their construction was most of its time)."""
    if not measured:
        return rules.worst(worst_confidence)
    pace_value = progress if worst_key_result_progress is None else worst_key_result_progress
    return rules.worst(pace(pace_value, cycle, organisation=organisation, today=today), worst_confidence)


def key_result_status(kr: KeyResult, cycle: Cycle, *, organisation: Organisation | None, today: date) -> Status | None:
    return key_result_status_of(
        measured=kr.measured,
        progress=kr.progress,
        confidence=kr.confidence,
        cycle=cycle,
        organisation=organisation,
        today=today,
    )


def key_result_status_of(
    *, measured: bool, progress: Decimal, confidence: str, cycle: Cycle, organisation: Organisation | None, today: date
) -> Status | None:
    """``key_result_status`` from the columns alone (see ``objective_status_of``)."""
    if not measured:
        return rules.worst(confidence)
    return rules.worst(pace(progress, cycle, organisation=organisation, today=today), confidence)


def key_result_pace(kr: KeyResult, cycle: Cycle, *, organisation: Organisation | None, today: date) -> Status | None:
    """The key result's pace, or None when it has nothing to measure yet."""
    if not kr.measured:
        return None
    return pace(kr.progress, cycle, organisation=organisation, today=today)


def status_q(*, cycles: list[Cycle], organisation: Organisation, status: str, today: date) -> Q:
    """The objectives whose ``objective_status`` is ``status``, as one SQL condition on an
    objective queryset annotated with nothing: the pace thresholds are per cycle (each has its
    own elapsed fraction), so there is one branch per cycle in ``cycles``."""
    if status not in Status.values:
        return Q(pk__in=[])
    pace_value = Coalesce("worst_key_result_progress", "progress")
    confidence_on = Q(worst_confidence__in=["", Status.ON_TRACK])
    measured = Q(measured=True)
    # Nothing to measure has no pace: only its confidence decides, as in objective_status.
    unmeasured = Q(measured=False, worst_confidence=status)
    condition = Q(pk__in=[])
    for cycle in cycles:
        fraction = expected(cycle, today)
        on_floor = fraction - organisation.pace_on_track_margin
        risk_floor = fraction - organisation.pace_at_risk_margin
        pace_on = Q(pace_value__gte=on_floor)
        pace_risk = Q(pace_value__gte=risk_floor, pace_value__lt=on_floor)
        pace_off = Q(pace_value__lt=risk_floor)
        if status == Status.ON_TRACK:
            branch = measured & pace_on & confidence_on
        elif status == Status.AT_RISK:
            branch = measured & (
                (pace_risk & ~Q(worst_confidence=Status.OFF_TRACK)) | (pace_on & Q(worst_confidence=Status.AT_RISK))
            )
        else:
            branch = measured & (pace_off | Q(worst_confidence=Status.OFF_TRACK))
        condition |= Q(cycle_id=cycle.pk) & (branch | unmeasured)
    matching = Objective.objects.in_organisation(organisation.pk).annotate(pace_value=pace_value).filter(condition)
    return Q(pk__in=matching.values("pk"))


def stale_after(organisation: Organisation | None) -> timedelta:
    """The organisation's staleness period (its quarter rules), ``STALE_AFTER`` by default."""
    return timedelta(days=organisation.stale_after_days) if organisation else STALE_AFTER


def is_stale(
    objective: Objective, cycle: Cycle, *, now: datetime, today: date, period: timedelta = STALE_AFTER
) -> bool:
    """No progress update for ``period`` (the organisation's ``stale_after``), counted from the
    later of the last update and the objective's creation (a brand-new objective is not stale),
    and never in the cycle's first ``period``. A closed cycle, or one not started, has nothing to
    chase."""
    if cycle.state == CycleState.CLOSED or today < cycle.start_date:
        return False
    if objective.last_update_at is None and (today - cycle.start_date) <= period:
        return False
    since = max(filter(None, (objective.last_update_at, objective.created_at)), default=None)
    return since is None or now - since >= period


def stale_q(cycle: Cycle, *, now: datetime, today: date, period: timedelta = STALE_AFTER) -> Q:
    """``is_stale`` as one SQL condition on objectives of ``cycle`` (the team view's counts over a
    whole reporting line); the same rule, so the two agree row for row."""
    if cycle.state == CycleState.CLOSED or today < cycle.start_date:
        return Q(pk__in=[])
    # GREATEST ignores NULLs in PostgreSQL: the later of the last update and the creation.
    old = Q(stale_since__lte=now - period) | Q(stale_since__isnull=True)
    if (today - cycle.start_date) <= period:
        return Q(last_update_at__isnull=False) & old
    return old


def stale_since() -> Greatest:
    """The annotation ``stale_q`` reads as ``stale_since``."""
    return Greatest("last_update_at", "created_at")


def key_result_is_stale(
    kr: KeyResult, cycle: Cycle, *, now: datetime, today: date, period: timedelta = STALE_AFTER
) -> bool:
    """The staleness rule of ``is_stale``, applied to one key result (its own last update)."""
    return is_stale(kr, cycle, now=now, today=today, period=period)  # type: ignore[arg-type]  # the same fields it reads
