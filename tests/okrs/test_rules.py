"""The progress rules of DESIGN.md, table by table (okrs.rules: pure functions, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okrs import rules, services
from okrs.models import KeyResultKind, KeyResultSource, Status
from tests.conftest import World
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

D = Decimal  # short, for the tables
ON, RISK, OFF = Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "expected"),
    [
        # number / percentage / currency: (current − start) / (target − start)
        (KeyResultKind.NUMBER, "0", "100", "0", "0"),
        (KeyResultKind.NUMBER, "0", "100", "40", "0.4"),
        (KeyResultKind.NUMBER, "0", "100", "100", "1"),
        (KeyResultKind.NUMBER, "10", "20", "15", "0.5"),
        (KeyResultKind.NUMBER, "0", "3", "1", "0.333333"),  # stored precision: six places
        (KeyResultKind.NUMBER, "0", "3", "2", "0.666667"),
        (KeyResultKind.PERCENTAGE, "40", "85", "62.5", "0.5"),
        (KeyResultKind.CURRENCY, "4000000", "5000000", "4250000", "0.25"),
        (KeyResultKind.NUMBER, "-10", "10", "0", "0.5"),  # negative start
        # clamping: beyond the target counts as done, behind the start as nothing
        (KeyResultKind.NUMBER, "0", "100", "150", "1"),
        (KeyResultKind.NUMBER, "0", "100", "-5", "0"),
        (KeyResultKind.PERCENTAGE, "40", "85", "30", "0"),
        # "decrease to": the target is below the start
        (KeyResultKind.NUMBER, "14", "3", "14", "0"),
        (KeyResultKind.NUMBER, "450", "200", "325", "0.5"),
        (KeyResultKind.PERCENTAGE, "3.0", "1.5", "2.0", "0.666667"),
        (KeyResultKind.CURRENCY, "120000", "100000", "100000", "1"),
        (KeyResultKind.CURRENCY, "120000", "100000", "90000", "1"),  # overshoot clamps
        (KeyResultKind.NUMBER, "14", "3", "20", "0"),  # got worse: clamps to 0
        # nothing to travel (start = target): done exactly when there
        (KeyResultKind.NUMBER, "5", "5", "5", "1"),
        (KeyResultKind.NUMBER, "5", "5", "4", "0"),
        # boolean: 0 or 1, whatever the start and target
        (KeyResultKind.BOOLEAN, "0", "1", "0", "0"),
        (KeyResultKind.BOOLEAN, "0", "1", "1", "1"),
        (KeyResultKind.BOOLEAN, "0", "1", "0.5", "0"),
    ],
)
def test_measured_progress(kind: str, start: str, target: str, current: str, expected: str) -> None:
    assert rules.measured_progress(kind, start=D(start), target=D(target), current=D(current)) == D(expected)


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ([], "0"),  # no milestone: nothing to average
        ([("1", False), ("1", False)], "0"),
        ([("1", True), ("1", False)], "0.5"),
        ([("1", True), ("1", True), ("1", False)], "0.666667"),
        ([("3", True), ("1", False)], "0.75"),  # weights count
        ([("1", False), ("3", True)], "0.75"),
        ([("0", True), ("2", False)], "0"),  # a zero-weight milestone done adds nothing
        ([("0", False), ("2", True)], "1"),
        ([("0", True), ("0", False)], "0"),  # no weight at all: nothing to average
        ([("1", True), ("1", True)], "1"),
    ],
)
def test_milestone_progress_is_the_weight_done_over_the_total(
    milestones: list[tuple[str, bool]], expected: str
) -> None:
    pairs = [(D(w), done) for w, done in milestones]
    progress = rules.measured_progress(
        KeyResultKind.MILESTONES, start=D(0), target=D(1), current=D(0), milestones=pairs
    )
    assert progress == D(expected)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], "0"),  # nothing to average → 0
        ([("1", "0.4")], "0.4"),
        ([("1", "0.2"), ("1", "0.6")], "0.4"),
        ([("2", "1"), ("1", "0.1")], "0.7"),
        ([("0", "1"), ("1", "0.2")], "0.2"),  # a zero weight does not count
        ([("0", "1"), ("0", "0.5")], "0"),  # only zero weights: nothing to average
        ([("1", "0"), ("1", "0"), ("1", "1")], "0.333333"),
        ([("0.5", "1"), ("1.5", "0")], "0.25"),
        ([("1", "1"), ("1", "1")], "1"),
    ],
)
def test_weighted_mean(pairs: list[tuple[str, str]], expected: str) -> None:
    assert rules.weighted_mean((D(w), D(p)) for w, p in pairs) == D(expected)


# Objective sources: the same rule (one weighted mean) over different sets, as okrs.rollup
# applies it. Each row: key-result pairs, child pairs, and the progress for each source.
SOURCES = [
    # (key results, aligned children, key_results, aligned_children, both)
    ([("1", "0.5"), ("1", "1")], [("1", "0")], "0.75", "0", "0.5"),
    ([], [("1", "0.2"), ("3", "0.6")], "0", "0.5", "0.5"),
    ([("1", "0.4")], [], "0.4", "0", "0.4"),
    ([], [], "0", "0", "0"),
    ([("2", "1")], [("0", "0")], "1", "0", "1"),  # a zero-weight child counts for nothing
]


@pytest.mark.parametrize(("krs", "children", "by_krs", "by_children", "by_both"), SOURCES)
def test_objective_progress_by_source(
    krs: list[tuple[str, str]], children: list[tuple[str, str]], by_krs: str, by_children: str, by_both: str
) -> None:
    kr_pairs = [(D(w), D(p)) for w, p in krs]
    child_pairs = [(D(w), D(p)) for w, p in children]
    assert rules.weighted_mean(kr_pairs) == D(by_krs)
    assert rules.weighted_mean(child_pairs) == D(by_children)
    assert rules.weighted_mean([*kr_pairs, *child_pairs]) == D(by_both)


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 9, 30), "0"),  # before the start
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 10, 1), "0.01087"),  # day 1 of 92
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 15), "0.5"),  # day 46 of 92
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 12, 31), "1"),  # both ends inclusive
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 2, 1), "1"),  # after the end
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1), "1"),  # a one-day cycle
    ],
)
def test_expected_progress_is_the_elapsed_fraction(start: date, end: date, today: date, expected: str) -> None:
    assert rules.expected_progress(start, end, today) == D(expected).quantize(rules.QUANTUM)


DEFAULT = (D("0.10"), D("0.30"))
STRICT = (D("0.05"), D("0.15"))
LENIENT = (D("0.20"), D("0.50"))


@pytest.mark.parametrize(
    ("progress", "expected", "margins", "status"),
    [
        # default margins: p ≥ e − 0.1 on track, p ≥ e − 0.3 at risk, else off track
        ("0.5", "0.5", DEFAULT, ON),
        ("0.9", "0.5", DEFAULT, ON),  # ahead
        ("0.4", "0.5", DEFAULT, ON),  # exactly on the on-track threshold
        ("0.399999", "0.5", DEFAULT, RISK),
        ("0.2", "0.5", DEFAULT, RISK),  # exactly on the at-risk threshold
        ("0.199999", "0.5", DEFAULT, OFF),
        ("0", "0.05", DEFAULT, ON),  # early in the cycle nothing is late yet
        ("0", "1", DEFAULT, OFF),
        ("1", "1", DEFAULT, ON),
        # per-organisation margins
        ("0.4", "0.5", STRICT, RISK),
        ("0.3", "0.5", STRICT, OFF),
        ("0.3", "0.5", LENIENT, ON),
        ("0.1", "0.5", LENIENT, RISK),
        ("0", "0.5", LENIENT, RISK),
        ("0", "0.6", LENIENT, OFF),
    ],
)
def test_pace_status(progress: str, expected: str, margins: tuple[D, D], status: Status) -> None:
    on_track, at_risk = margins
    assert rules.pace_status(D(progress), D(expected), on_track_margin=on_track, at_risk_margin=at_risk) == status


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        ((), None),
        (("",), None),
        (("", ""), None),
        ((ON,), ON),
        ((ON, RISK), RISK),
        ((RISK, ON), RISK),
        ((ON, OFF, RISK), OFF),
        (("", RISK), RISK),  # blank (no confidence given) is ignored
        (("on_track", "off_track"), OFF),  # plain strings from the database
    ],
)
def test_worst_status(statuses: tuple[str, ...], worst: Status | None) -> None:
    assert rules.worst(*statuses) == worst


def test_objective_status_combines_pace_of_worst_key_result_with_worst_confidence() -> None:
    """The issue: an objective shows pace_status(worst_key_result_progress) combined with the
    worst confidence; good confidence does not hide a bad pace, nor good pace a bad confidence."""
    expected = rules.expected_progress(date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 15))
    pace = rules.pace_status(D("0.1"), expected, on_track_margin=D("0.1"), at_risk_margin=D("0.3"))
    assert rules.worst(pace, ON) == OFF
    pace = rules.pace_status(D("0.5"), expected, on_track_margin=D("0.1"), at_risk_margin=D("0.3"))
    assert rules.worst(pace, RISK) == RISK
    assert rules.worst(pace, "") == ON


def test_quantize_and_clamp() -> None:
    assert rules.clamp01(D("1.5")) == 1
    assert rules.clamp01(D("-0.1")) == 0
    assert rules.quantize(D("0.1234565")) == D("0.123456")  # half-even at the stored precision
    assert rules.quantize(D("0.1234575")) == D("0.123458")


@pytest.mark.django_db
def test_an_aligned_children_key_result_ignores_its_own_value(a: World) -> None:
    """DESIGN.md: a key result fed by aligned children takes their weighted mean, whatever its
    own current value says (only those that count toward progress)."""
    cycle = CycleFactory(organisation=a.org)
    parent = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    kr = KeyResultFactory(
        objective=parent,
        progress_source=KeyResultSource.ALIGNED_CHILDREN,
        start_value=D(0),
        target_value=D(10),
        current_value=D(10),  # would be "done" if its own value counted
    )
    counted = ObjectiveFactory(cycle=cycle, owner=a.manager)
    ignored = ObjectiveFactory(cycle=cycle, owner=a.manager)
    counted_kr = KeyResultFactory(objective=counted, owner=a.manager)
    ignored_kr = KeyResultFactory(objective=ignored, owner=a.manager)
    with a.tenant():
        services.alignment_create(actor=a.admin, child=counted, parent_key_result=kr, weight=3)
        services.alignment_create(actor=a.admin, child=ignored, parent_key_result=kr, counts_toward_progress=False)
        kr.refresh_from_db()
        assert kr.progress == 0  # the child is at 0: the key result's own 10/10 is ignored
        services.progress_update_create(actor=a.manager, key_result=counted_kr, value="30")
        services.progress_update_create(actor=a.manager, key_result=ignored_kr, value="100")
        kr.refresh_from_db()
        parent.refresh_from_db()
        assert kr.progress == D("0.3")
        assert parent.progress == D("0.3")
        with pytest.raises(ValidationError):
            services.progress_update_create(actor=a.owner, key_result=kr, value="5")
