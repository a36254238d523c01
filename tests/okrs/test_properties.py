"""Properties of progress (hypothesis): the rules always give a fraction in [0, 1], and for any
alignment DAG and any sequence of changes made through the services, the stored progress of
every key result and objective equals a from-scratch recomputation by an independent reference
(written here from okrs.rules alone; okrs.rollup is what is under test)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrs import rules, services
from okrs.models import (
    Alignment,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Milestone,
    Objective,
    ObjectiveSource,
    Status,
)
from okrs.services import KeyResultData, ObjectiveData
from tests.conftest import World
from tests.okrs.factories import CycleFactory

values = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
fractions = st.decimals(min_value=0, max_value=1, places=6)
weights = st.decimals(min_value=0, max_value=1000, places=3)
# What people type: more digits than the value columns keep (four places) included.
typed = st.decimals(min_value=-60, max_value=60, places=8, allow_nan=False, allow_infinity=False)


@given(
    kind=st.sampled_from([KeyResultKind.NUMBER, KeyResultKind.PERCENTAGE, KeyResultKind.CURRENCY]),
    start=values,
    target=values,
    current=values,
)
@settings(max_examples=300, deadline=None)
def test_measured_progress_is_a_fraction(kind: str, start: Decimal, target: Decimal, current: Decimal) -> None:
    progress = rules.measured_progress(kind, start=start, target=target, current=current)
    assert 0 <= progress <= 1
    assert progress == rules.quantize(progress)
    if target != start and (current - start) * (target - start) <= 0:
        assert progress == 0  # not moved, or moved the wrong way
    if target != start and (current - target) * (target - start) >= 0:
        assert progress == 1  # at or beyond the target, whichever way it points


@given(current=values, milestones=st.lists(st.tuples(weights, st.booleans()), max_size=8))
@settings(max_examples=200, deadline=None)
def test_boolean_and_milestone_progress_are_fractions(current: Decimal, milestones: list[tuple[Decimal, bool]]) -> None:
    assert rules.measured_progress(KeyResultKind.BOOLEAN, start=Decimal(0), target=Decimal(1), current=current) in (
        0,
        1,
    )
    progress = rules.measured_progress(
        KeyResultKind.MILESTONES, start=Decimal(0), target=Decimal(1), current=current, milestones=milestones
    )
    assert 0 <= progress <= 1
    if all(done for w, done in milestones if w > 0) and any(w > 0 for w, _ in milestones):
        assert progress == 1


@given(pairs=st.lists(st.tuples(weights, fractions), max_size=10))
@settings(max_examples=300, deadline=None)
def test_a_weighted_mean_lies_between_its_inputs(pairs: list[tuple[Decimal, Decimal]]) -> None:
    mean = rules.weighted_mean(pairs)
    assert 0 <= mean <= 1
    counted = [p for w, p in pairs if w > 0]
    if counted:
        assert rules.quantize(min(counted)) <= mean <= rules.quantize(max(counted))
    else:
        assert mean == 0


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=400),
    offset=st.integers(min_value=-500, max_value=900),
    progress=fractions,
    on_track=st.decimals(min_value=0, max_value="0.5", places=2),
    extra=st.decimals(min_value=0, max_value="0.5", places=2),
)
@settings(max_examples=300, deadline=None)
def test_expected_progress_and_pace(
    start: date, length: int, offset: int, progress: Decimal, on_track: Decimal, extra: Decimal
) -> None:
    from datetime import timedelta

    end, today = start + timedelta(days=length), start + timedelta(days=offset)
    expected = rules.expected_progress(start, end, today)
    assert 0 <= expected <= 1
    assert (expected == 0) == (today < start)
    assert (expected == 1) == (today >= end)
    status = rules.pace_status(progress, expected, on_track_margin=on_track, at_risk_margin=on_track + extra)
    better = rules.pace_status(min(Decimal(1), progress + Decimal("0.1")), expected, on_track_margin=on_track,
                               at_risk_margin=on_track + extra)  # fmt: skip
    rank = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}
    assert rank[better] <= rank[status]  # more progress never makes the status worse


# ---------------------------------------------------------------- the roll-up against a reference


def reference(
    organisation_id: int,
) -> tuple[dict[int, tuple[Decimal, bool]], dict[int, tuple[Decimal, bool, Decimal | None, str]]]:
    """From scratch: every key result's and objective's progress by the rules, recursively over
    the alignment DAG (memoised), reading only the inputs (values, milestones, weights, links)."""
    objectives = {o.pk: o for o in Objective.objects.filter(organisation_id=organisation_id)}
    key_results = list(KeyResult.objects.filter(organisation_id=organisation_id))
    by_objective: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in key_results:
        by_objective[kr.objective_id].append(kr)
    milestones: dict[int, list[tuple[Decimal, bool]]] = defaultdict(list)
    for kr_id, weight, done in Milestone.objects.filter(organisation_id=organisation_id).values_list(
        "key_result_id", "weight", "done"
    ):
        milestones[kr_id].append((weight, done))
    children_of_objective: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    children_of_kr: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    for link in Alignment.objects.filter(organisation_id=organisation_id, counts_toward_progress=True):
        if link.parent_objective_id:
            children_of_objective[link.parent_objective_id].append((link.weight, link.child_id))
        else:
            assert link.parent_key_result_id is not None
            children_of_kr[link.parent_key_result_id].append((link.weight, link.child_id))
    kr_memo: dict[int, tuple[Decimal, bool]] = {}
    objective_memo: dict[int, tuple[Decimal, bool]] = {}

    def mean(inputs: list[tuple[Decimal, tuple[Decimal, bool]]]) -> tuple[Decimal, bool]:
        # Nothing to measure: no measured input of positive weight; unmeasured inputs left out.
        kept = [(w, p) for w, (p, measured) in inputs if measured]
        if sum((w for w, _ in kept), Decimal(0)) <= 0:
            return Decimal(0), False
        return rules.weighted_mean(kept), True

    def kr_progress(kr: KeyResult) -> tuple[Decimal, bool]:
        if kr.pk not in kr_memo:
            if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
                kr_memo[kr.pk] = mean([(w, objective_progress(c)) for w, c in children_of_kr[kr.pk]])
            else:
                kr_memo[kr.pk] = (
                    rules.measured_progress(
                        kr.kind,
                        start=kr.start_value,
                        target=kr.target_value,
                        current=kr.current_value,
                        milestones=milestones[kr.pk],
                    ),
                    True,
                )
        return kr_memo[kr.pk]

    def objective_progress(objective_id: int) -> tuple[Decimal, bool]:
        if objective_id not in objective_memo:
            source = objectives[objective_id].progress_source
            kr_pairs = [(kr.weight, kr_progress(kr)) for kr in by_objective[objective_id]]
            child_pairs = [(w, objective_progress(c)) for w, c in children_of_objective[objective_id]]
            pairs = {
                ObjectiveSource.KEY_RESULTS: kr_pairs,
                ObjectiveSource.ALIGNED_CHILDREN: child_pairs,
                ObjectiveSource.BOTH: kr_pairs + child_pairs,
            }[source]
            objective_memo[objective_id] = mean(pairs)
        return objective_memo[objective_id]

    expected_objectives = {}
    for objective_id in objectives:
        krs = by_objective[objective_id]
        worst_kr = min((kr_progress(kr)[0] for kr in krs if kr_progress(kr)[1]), default=None)
        worst_confidence = rules.worst(*(kr.confidence for kr in krs)) or ""
        expected_objectives[objective_id] = (*objective_progress(objective_id), worst_kr, worst_confidence)
    return {kr.pk: kr_progress(kr) for kr in key_results}, expected_objectives


class _RollbackError(Exception):
    """Ends an example: its tenant transaction (a savepoint of the test's) rolls back."""


KINDS = ["number", "number", "boolean", "milestones", "aligned"]


@pytest.mark.django_db
@given(data=st.data())
@settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_stored_progress_always_equals_a_recomputation_from_scratch(a: World, data: st.DataObject) -> None:
    try:
        with a.tenant():
            _run_example(a, data)
            raise _RollbackError
    except _RollbackError:
        pass


def _run_example(a: World, data: st.DataObject) -> None:
    cycle = CycleFactory(organisation=a.org)
    count = data.draw(st.integers(min_value=2, max_value=6), label="objectives")
    objectives: list[Objective] = []
    key_results: list[list[KeyResult]] = []
    kr_data: dict[int, KeyResultData] = {}
    for index in range(count):
        source = data.draw(st.sampled_from(ObjectiveSource.values), label=f"source {index}")
        objective = services.objective_create(
            actor=a.admin,
            data=ObjectiveData(title=f"O{index}", cycle=cycle, owner=a.employee, progress_source=source),
        )
        objectives.append(objective)
        krs = []
        for kr_index in range(data.draw(st.integers(min_value=0, max_value=3), label=f"krs of {index}")):
            kind = data.draw(st.sampled_from(KINDS), label="kind")
            start = data.draw(st.integers(min_value=-50, max_value=50), label="start")
            target = data.draw(
                st.integers(min_value=-50, max_value=50).filter(lambda t, s=start: t != s), label="target"
            )
            kr_spec = KeyResultData(
                title=f"O{index}.{kr_index}",
                owner=a.employee,
                kind=KeyResultKind.NUMBER if kind == "aligned" else kind,
                start_value=start,
                target_value=target,
                weight=data.draw(st.sampled_from(["0", "1", "1", "2", "0.5"]), label="weight"),
                progress_source=KeyResultSource.ALIGNED_CHILDREN if kind == "aligned" else KeyResultSource.MANUAL,
                milestones=["a", "b", "c"][: data.draw(st.integers(1, 3), label="milestones")]
                if kind == "milestones"
                else None,
            )
            kr = services.key_result_create(actor=a.admin, objective=objective, data=kr_spec)
            if kind == "milestones":
                for milestone in Milestone.objects.filter(key_result=kr):
                    weight = data.draw(st.sampled_from(["0", "1", "3"]), label="milestone weight")
                    Milestone.objects.filter(pk=milestone.pk).update(weight=Decimal(weight))
            kr_data[kr.pk] = kr_spec
            krs.append(kr)
        key_results.append(krs)
    manual = [kr for krs in key_results for kr in krs if kr.progress_source == KeyResultSource.MANUAL]
    links: list[Alignment] = []
    for _ in range(data.draw(st.integers(min_value=0, max_value=14), label="operations")):
        operation = data.draw(st.sampled_from(["align", "align", "update", "update", "update", "reweight", "unalign"]))
        if operation == "align":
            # Parents have lower indexes than children, so any set of links is a DAG.
            child = data.draw(st.integers(min_value=1, max_value=count - 1), label="child")
            parent = data.draw(st.integers(min_value=0, max_value=child - 1), label="parent")
            choices = [None, *key_results[parent]]
            target_kr = data.draw(st.sampled_from(choices), label="parent key result")
            exists = Alignment.objects.filter(
                child=objectives[child],
                parent_objective=None if target_kr else objectives[parent],
                parent_key_result=target_kr,
            ).exists()
            if exists:
                continue
            links.append(
                services.alignment_create(
                    actor=a.admin,
                    child=objectives[child],
                    parent_objective=None if target_kr else objectives[parent],
                    parent_key_result=target_kr,
                    weight=data.draw(st.sampled_from(["0", "1", "2", "0.25"]), label="link weight"),
                    counts_toward_progress=data.draw(st.booleans(), label="counts"),
                )
            )
        elif operation == "update" and manual:
            kr = data.draw(st.sampled_from(manual), label="updated key result")
            confidence = data.draw(st.sampled_from(["", *Status.values]), label="confidence")
            if kr.kind == KeyResultKind.MILESTONES:
                ids = list(Milestone.objects.filter(key_result=kr).values_list("id", flat=True))
                done = data.draw(st.lists(st.sampled_from(ids), unique=True), label="done")
                services.progress_update_create(
                    actor=a.employee, key_result=kr, milestones_done=done, confidence=confidence
                )
            else:
                value = (
                    data.draw(st.sampled_from(["0", "1"]))
                    if kr.kind == KeyResultKind.BOOLEAN
                    else f"{data.draw(typed, label='value'):f}"  # as typed: 0.00000001, never 1E-8
                )
                services.progress_update_create(actor=a.employee, key_result=kr, value=value, confidence=confidence)
        elif operation == "reweight" and kr_data:
            kr_id = data.draw(st.sampled_from(sorted(kr_data)), label="reweighted")
            spec = kr_data[kr_id]
            spec.weight = data.draw(st.sampled_from(["0", "1", "3"]), label="new weight")
            services.key_result_update(actor=a.admin, key_result=KeyResult.objects.get(pk=kr_id), data=spec)
        elif operation == "unalign" and links:
            link = links.pop(data.draw(st.integers(min_value=0, max_value=len(links) - 1), label="unaligned"))
            services.alignment_delete(actor=a.admin, alignment=link)

    expected_krs, expected_objectives = reference(a.org.pk)
    stored_krs = {pk: (progress, measured) for pk, progress, measured in KeyResult.objects.values_list(
        "id", "progress", "measured"
    )}  # fmt: skip
    assert stored_krs == expected_krs
    stored_objectives = {
        pk: (progress, measured, worst, confidence)
        for pk, progress, measured, worst, confidence in Objective.objects.values_list(
            "id", "progress", "measured", "worst_key_result_progress", "worst_confidence"
        )
    }
    assert stored_objectives == expected_objectives
