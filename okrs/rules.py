"""The progress rules of DESIGN.md as pure functions (no queries): the contract that the
roll-up, the UI, the API and the tests share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from okrs.models import STATUS_RANK, KeyResultKind, Status

ZERO, ONE = Decimal(0), Decimal(1)
QUANTUM = Decimal("0.000001")  # the stored precision of progress
SCORE_QUANTUM = Decimal("0.001")  # the stored precision of scores
#: The largest weight of a key result, a milestone or an alignment: enough to make one input
#: outweigh a hundred others, small enough that no one input can swamp a company mean by typo or
#: on purpose (issue 7: an alignment weighted 99999 lifted company progress from 0.656 to 0.999).
MAX_WEIGHT = Decimal(100)

#: One input of a mean: (weight, progress, measured). An input with nothing to measure is left
#: out, as if it were not there.
Input = tuple[Decimal, Decimal, bool]


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


def mean_of_measured(inputs: Iterable[Input]) -> tuple[Decimal, bool]:
    """(progress, measured) of a node from its inputs: the weighted mean of the measured ones.

    A node has nothing to measure when no measured input has a positive weight: it is stored as 0
    and left out of every mean above it (a new, empty child never drags its parent down).
    """
    measured = [(weight, progress) for weight, progress, is_measured in inputs if is_measured]
    if sum((weight for weight, _ in measured), ZERO) <= 0:
        return ZERO, False
    return weighted_mean(measured), True


def score_mean(inputs: Iterable[tuple[Decimal, Decimal | None, Decimal, bool]]) -> Decimal | None:
    """An objective's score from its key results' (weight, score, progress, measured).

    A key result without a score counts with its progress (its default score) when it has
    something to measure; one with neither is left out. The mean is taken at full precision and
    rounded once, to the stored precision of a score; nothing to average gives no score.
    """
    total_weight = ZERO
    total = ZERO
    for weight, score, progress, measured in inputs:
        if score is None and not measured:
            continue
        total_weight += weight
        total += weight * (progress if score is None else score)
    if total_weight <= 0:
        return None
    return clamp01(total / total_weight).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_EVEN)


def default_score(progress: Decimal) -> Decimal:
    """A key result's score until someone sets one: its progress, at a score's precision."""
    return progress.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_EVEN)


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
