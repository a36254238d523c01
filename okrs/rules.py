"""The progress rules of DESIGN.md as pure functions (no queries): the contract that the
roll-up, the UI, the API and the tests share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from okrs.models import STATUS_RANK, KeyResultKind, Status

ZERO, ONE = Decimal(0), Decimal(1)
QUANTUM = Decimal("0.000001")  # the stored precision of progress


def clamp01(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


def quantize(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def measured_progress(
    kind: str,
    *,
    start: Decimal,
    target: Decimal,
    current: Decimal,
    milestones: Iterable[tuple[Decimal, bool]] = (),
) -> Decimal:
    """Progress of a manually updated key result.

    number / percentage / currency: (current − start) / (target − start), clamped to [0, 1]; a
    target below the start means "decrease to". boolean: 0 or 1 (current ≥ 1 is done).
    milestones: weight of the done ones / total weight.
    """
    if kind == KeyResultKind.BOOLEAN:
        return ONE if current >= 1 else ZERO
    if kind == KeyResultKind.MILESTONES:
        return weighted_mean((weight, ONE if done else ZERO) for weight, done in milestones)
    if target == start:
        return ONE if current == target else ZERO  # nothing to travel: done when there
    return quantize(clamp01((current - start) / (target - start)))


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of (weight, progress) pairs; nothing to average (or no weight) → 0."""
    total_weight = ZERO
    total = ZERO
    for weight, progress in pairs:
        total_weight += weight
        total += weight * progress
    if total_weight <= 0:
        return ZERO
    return quantize(clamp01(total / total_weight))


def expected_progress(start: date, end: date, today: date) -> Decimal:
    """The elapsed fraction of a cycle on ``today`` (both end dates inclusive)."""
    days = (end - start).days + 1
    elapsed = (today - start).days + 1
    return quantize(clamp01(Decimal(elapsed) / Decimal(days)))


def pace_status(progress: Decimal, expected: Decimal, *, on_track_margin: Decimal, at_risk_margin: Decimal) -> Status:
    if progress >= expected - on_track_margin:
        return Status.ON_TRACK
    if progress >= expected - at_risk_margin:
        return Status.AT_RISK
    return Status.OFF_TRACK


def worst(*statuses: str) -> Status | None:
    """The worst of the given statuses (blank ones are ignored); None if none is given."""
    given = [Status(s) for s in statuses if s]
    return max(given, key=lambda s: STATUS_RANK[s]) if given else None
