"""Issue 12 and issue 7's roll-up rules: scores that stay current with one rounding, "nothing to
measure" (no pace, left out of every mean above it), staleness counted from the creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from okrs import rules, services
from okrs import status as okr_status
from okrs.models import Activity, CycleState, KeyResult, KeyResultSource, Objective, Status
from okrs.permissions import Access
from okrs.rules import MAX_WEIGHT
from okrs.services import KeyResultData, ObjectiveData
from tests.conftest import World
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _kr(w: World, objective: Objective, title: str, **extra: object) -> KeyResult:
    data = KeyResultData(title=title, owner=w.employee, start_value="0", target_value="1000", **extra)  # type: ignore[arg-type]
    return services.key_result_create(actor=w.admin, objective=objective, data=data)


def _score(objective: Objective) -> Decimal | None:
    objective.refresh_from_db()
    return objective.score


# ---------------------------------------------------------------- 12.1 scores that stay current


def test_every_input_change_in_review_recomputes_the_objective_score(a: World, frozen_time: object) -> None:
    """The issue's sequence: A scored 0.420 and B at 0.334 → 0.377; B to 1.0 → 0.710; A's weight
    3 → 0.565; a key result added or removed, a score cleared: each recomputes at once."""
    cycle = CycleFactory(organisation=a.org, state=CycleState.REVIEW)
    with a.tenant():
        objective = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="O", cycle=cycle, owner=a.employee)
        )
        first = _kr(a, objective, "A")
        second = _kr(a, objective, "B")
        services.progress_update_create(actor=a.employee, key_result=first, value="420")
        services.progress_update_create(actor=a.employee, key_result=second, value="334")
        services.key_result_score(actor=a.employee, key_result=first, score="0.420")
        assert _score(objective) == D("0.377")
        services.progress_update_create(actor=a.employee, key_result=second, value="1000")
        assert _score(objective) == D("0.710")
        spec = KeyResultData(title="A", owner=a.employee, start_value="0", target_value="1000", weight="3")
        services.key_result_update(actor=a.employee, key_result=first, data=spec)
        assert _score(objective) == D("0.565")
        third = _kr(a, objective, "C")  # at 0: (3 × 0.42 + 1 + 0) / 5
        assert _score(objective) == D("0.452")
        services.key_result_delete(actor=a.employee, key_result=third)
        assert _score(objective) == D("0.565")
        services.key_result_score(actor=a.employee, key_result=first, score=None)  # cleared: back to progress
        first.refresh_from_db()
        assert (first.score, first.score_note) == (None, "")
        assert _score(objective) == D("0.565")  # its progress is 0.42 too


def test_a_key_result_without_a_score_shows_its_progress_marked_default(a: World) -> None:
    cycle = CycleFactory(organisation=a.org, state=CycleState.REVIEW)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, progress=D("0.1234"))
    assert (kr.effective_score, kr.score_is_default) == (D("0.123"), True)
    kr.score = D("0.9")
    assert (kr.effective_score, kr.score_is_default) == (D("0.9"), False)


def test_the_objective_score_is_rounded_once(a: World) -> None:
    """A scored 0.123 and B at 0.123999: the mean is 0.1234995, so 0.123 (not 0.124 after
    rounding to six places first)."""
    cycle = CycleFactory(organisation=a.org, state=CycleState.REVIEW)
    with a.tenant():
        objective = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="O", cycle=cycle, owner=a.employee)
        )
        first = _kr(a, objective, "A")
        second = KeyResultData(title="B", owner=a.employee, start_value="0", target_value="1000000")
        second_kr = services.key_result_create(actor=a.admin, objective=objective, data=second)
        services.progress_update_create(actor=a.employee, key_result=first, value="123")
        services.progress_update_create(actor=a.employee, key_result=second_kr, value="123999")
        services.key_result_score(actor=a.employee, key_result=first, score="0.123")
        assert _score(objective) == D("0.123")
    assert rules.score_mean([(D(1), D("0.123"), D("0.9"), True), (D(1), None, D("0.123999"), True)]) == D("0.123")


def test_entering_review_gives_every_objective_its_default_score(a: World) -> None:
    cycle = CycleFactory(organisation=a.org, state=CycleState.ACTIVE)
    with a.tenant():
        objective = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="O", cycle=cycle, owner=a.employee)
        )
        kr = _kr(a, objective, "A")
        services.progress_update_create(actor=a.employee, key_result=kr, value="250")
        assert _score(objective) is None  # no score before the review
        services.cycle_set_state(actor=a.admin, cycle=cycle, state=CycleState.REVIEW)
        assert _score(objective) == D("0.250")


# ---------------------------------------------------------------- 12.5 / 7.5 nothing to measure


def test_an_objective_with_nothing_to_measure_has_no_pace(a: World, frozen_time: object) -> None:
    cycle = CycleFactory(organisation=a.org)  # half-way through: 0 % would be off track
    with a.tenant():
        empty = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="E", cycle=cycle, owner=a.employee)
        )
        empty.cycle = cycle
        assert (empty.measured, empty.progress) == (False, 0)
        assert okr_status.objective_status(empty, organisation=a.org, today=a.org.today()) is None
        zero = services.objective_create(actor=a.employee, data=ObjectiveData(title="Z", cycle=cycle, owner=a.employee))
        _kr(a, zero, "weightless", weight="0")
        zero.refresh_from_db()
        assert zero.measured is False  # no input of positive weight
        found = okr_status.status_q(cycles=[cycle], organisation=a.org, status=Status.OFF_TRACK, today=a.org.today())
        assert not Objective.objects.filter(found).filter(pk__in=[empty.pk, zero.pk]).exists()


def test_worst_key_result_status_leaves_out_a_key_result_with_nothing_to_measure(a: World, frozen_time: object) -> None:
    cycle = CycleFactory(organisation=a.org)
    with a.tenant():
        objective = services.objective_create(
            actor=a.admin, data=ObjectiveData(title="O", cycle=cycle, owner=a.employee)
        )
        measured = _kr(a, objective, "measured")
        fed = _kr(a, objective, "fed", progress_source=KeyResultSource.ALIGNED_CHILDREN)
        services.progress_update_create(actor=a.employee, key_result=measured, value="600")
        objective.refresh_from_db()
        fed.refresh_from_db()
        assert fed.measured is False
        assert okr_status.key_result_status(fed, cycle, organisation=a.org, today=a.org.today()) is None
        # The fed key result (no children) is left out of the mean and of the worst key result.
        assert (objective.progress, objective.worst_key_result_progress) == (D("0.6"), D("0.6"))
        objective.cycle = cycle
        assert okr_status.objective_status(objective, organisation=a.org, today=a.org.today()) == Status.ON_TRACK


def test_aligning_an_empty_objective_leaves_the_parent_as_it_was(a: World) -> None:
    """The issue: aligning an empty objective dropped the manager's key result from 87 % to 43 %."""
    cycle = CycleFactory(organisation=a.org)
    with a.tenant():
        parent = services.objective_create(actor=a.admin, data=ObjectiveData(title="P", cycle=cycle, owner=a.manager))
        fed = _kr(a, parent, "fed", progress_source=KeyResultSource.ALIGNED_CHILDREN)
        busy = services.objective_create(actor=a.admin, data=ObjectiveData(title="B", cycle=cycle, owner=a.employee))
        busy_kr = _kr(a, busy, "busy")
        services.progress_update_create(actor=a.employee, key_result=busy_kr, value="870")
        services.alignment_create(actor=a.admin, child=busy, parent_key_result=fed)
        fed.refresh_from_db()
        assert (fed.progress, fed.measured) == (D("0.87"), True)
        empty = services.objective_create(actor=a.admin, data=ObjectiveData(title="E", cycle=cycle, owner=a.employee))
        services.alignment_create(actor=a.admin, child=empty, parent_key_result=fed)
        empty_parent = services.objective_create(
            actor=a.admin, data=ObjectiveData(title="EP", cycle=cycle, owner=a.employee)
        )
        services.alignment_create(actor=a.admin, child=empty_parent, parent_objective=parent)
        fed.refresh_from_db()
        parent.refresh_from_db()
        assert (fed.progress, parent.progress, parent.measured) == (D("0.87"), D("0.87"), True)
        # A parent whose only child has nothing to measure has nothing to measure either.
        services.alignment_delete(actor=a.admin, alignment=busy.parent_links.get())
        fed.refresh_from_db()
        parent.refresh_from_db()
        assert (fed.progress, fed.measured, parent.progress, parent.measured) == (0, False, 0, False)


# ---------------------------------------------------------------- 7.6 staleness from the creation


@pytest.mark.frozen_time(datetime(2026, 11, 15, 12, tzinfo=UTC))
def test_staleness_counts_from_the_creation(a: World, frozen_time: time_machine.Coordinates) -> None:
    cycle = CycleFactory(organisation=a.org)  # started 1 October, six weeks ago
    with a.tenant():
        objective = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="New", cycle=cycle, owner=a.employee)
        )
    now = datetime(2026, 11, 15, 12, 5, tzinfo=UTC)
    assert okr_status.is_stale(objective, cycle, now=now, today=now.date()) is False  # minutes old
    later = now + timedelta(days=14)
    assert okr_status.is_stale(objective, cycle, now=later, today=later.date()) is True
    objective.last_update_at = now + timedelta(days=10)
    assert okr_status.is_stale(objective, cycle, now=later, today=later.date()) is False


# ---------------------------------------------------------------- 12.2 who may score


def test_who_may_score_in_review_and_after_the_close(a: World) -> None:
    """The key result's owner, the objective's owner and editors, admins; closed: admins only,
    recorded as a closed-cycle edit."""
    cycle = CycleFactory(organisation=a.org, state=CycleState.REVIEW)
    objective = ObjectiveFactory(cycle=cycle, owner=a.manager, team=a.team, level="team")
    kr = KeyResultFactory(objective=objective, owner=a.employee)  # someone else's objective
    with a.tenant():
        access = Access(a.employee)
        assert access.can_score(objective, kr) is True
        services.key_result_score(actor=a.employee, key_result=kr, score="0")
        for who in (a.manager, a.admin, a.owner):
            services.key_result_score(actor=who, key_result=kr, score="0")
        assert Access(a.report).can_score(objective, kr) is False
        with pytest.raises(PermissionDenied):
            services.key_result_score(actor=a.report, key_result=kr, score="0")
        services.cycle_set_state(actor=a.admin, cycle=cycle, state=CycleState.CLOSED)
        objective.cycle.refresh_from_db()
        assert Access(a.employee).can_score(objective, kr) is False
        for who in (a.employee, a.manager):
            with pytest.raises(PermissionDenied):
                services.key_result_score(actor=who, key_result=kr, score="0")
        services.key_result_score(actor=a.admin, key_result=kr, score="0")
        assert Activity.objects.filter(objective=objective, verb="scored", closed_cycle_edit=True).count() == 1


def test_the_key_result_owner_scores_through_the_page_and_the_api(a: World, client_for: Any) -> None:
    cycle = CycleFactory(organisation=a.org, state=CycleState.REVIEW)
    objective = ObjectiveFactory(cycle=cycle, owner=a.manager, team=a.team, level="team")
    kr = KeyResultFactory(objective=objective, owner=a.employee)
    client = client_for(a.employee)
    page = client.get(reverse("okrs:objective_detail", args=[a.org.slug, objective.pk]))
    assert f'action="{reverse("okrs:key_result_score", args=[a.org.slug, kr.pk])}"' in page.content.decode()
    response = client.post(
        f"/api/v1/orgs/{a.org.slug}/key-results/{kr.pk}/score/", {"score": "0"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["score_is_default"] is False


# ---------------------------------------------------------------- 7.7 alignment weights belong to the parent


def test_the_child_owner_aligns_with_the_defaults_only(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    company_kr = KeyResultFactory(objective=company, progress_source=KeyResultSource.ALIGNED_CHILDREN)
    mine = ObjectiveFactory(cycle=cycle, owner=a.employee)
    with a.tenant():
        for weight, counts in (("99999", True), ("2", True), ("1", False)):
            with pytest.raises(ValidationError) as error:
                services.alignment_create(
                    actor=a.employee,
                    child=mine,
                    parent_key_result=company_kr,
                    weight=weight,
                    counts_toward_progress=counts,
                )
            assert set(error.value.message_dict) & {"weight", "counts_toward_progress"}
        link = services.alignment_create(actor=a.employee, child=mine, parent_key_result=company_kr)
        assert (link.weight, link.counts_toward_progress) == (1, True)
        with pytest.raises(PermissionDenied):
            services.alignment_update(actor=a.employee, alignment=link, weight="5", counts_toward_progress=True)
        services.alignment_update(actor=a.owner, alignment=link, weight="5", counts_toward_progress=False)
        link.refresh_from_db()
        assert (link.weight, link.counts_toward_progress) == (5, False)


def test_weights_have_an_upper_bound(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    child = ObjectiveFactory(cycle=cycle, owner=a.owner)
    with a.tenant():
        with pytest.raises(ValidationError) as error:
            services.alignment_create(actor=a.owner, child=child, parent_objective=company, weight="100.001")
        assert "weight" in error.value.message_dict
        link = services.alignment_create(actor=a.owner, child=child, parent_objective=company, weight=str(MAX_WEIGHT))
        assert link.weight == MAX_WEIGHT
        spec = KeyResultData(title="K", owner=a.owner, weight="101")
        with pytest.raises(ValidationError) as error:
            services.key_result_create(actor=a.owner, objective=company, data=spec)
        assert "weight" in error.value.message_dict


def test_the_parent_editor_sets_the_weight_through_the_api(a: World, client_for: Any) -> None:
    cycle = CycleFactory(organisation=a.org)
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    mine = ObjectiveFactory(cycle=cycle, owner=a.employee)
    with a.tenant():
        link = services.alignment_create(actor=a.employee, child=mine, parent_objective=company)
    url = f"/api/v1/orgs/{a.org.slug}/alignments/{link.pk}/"
    refused = client_for(a.employee).patch(url, {"weight": "3"}, content_type="application/json")
    assert refused.status_code == 403
    done = client_for(a.owner).patch(url, {"weight": "3"}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert Decimal(done.json()["weight"]) == 3
    too_big = client_for(a.owner).patch(url, {"weight": "99999"}, content_type="application/json")
    assert too_big.status_code == 400
    assert "weight" in too_big.json()


# ---------------------------------------------------------------- 7.5 the align page previews the roll-up


def test_the_align_page_shows_what_aligning_does_to_the_parent(a: World, client_for: Any) -> None:
    cycle = CycleFactory(organisation=a.org)
    with a.tenant():
        parent = services.objective_create(
            actor=a.admin, data=ObjectiveData(title="Manager's", cycle=cycle, owner=a.manager)
        )
        fed = _kr(a, parent, "Fed by the team", progress_source=KeyResultSource.ALIGNED_CHILDREN)
        busy = services.objective_create(actor=a.admin, data=ObjectiveData(title="B", cycle=cycle, owner=a.report))
        services.progress_update_create(actor=a.admin, key_result=_kr(a, busy, "busy"), value="870")
        services.alignment_create(actor=a.admin, child=busy, parent_key_result=fed)
        empty = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="E", cycle=cycle, owner=a.employee)
        )
        started = services.objective_create(
            actor=a.employee, data=ObjectiveData(title="S", cycle=cycle, owner=a.employee)
        )
        _kr(a, started, "at zero")
    client = client_for(a.employee)
    page = client.get(reverse("okrs:alignment_add", args=[a.org.slug, empty.pk]) + "?q=Fed").content.decode()
    assert "aligning leaves it at 87%" in page  # an empty objective does not drag the parent down
    page = client.get(reverse("okrs:alignment_add", args=[a.org.slug, started.pk]) + "?q=Fed").content.decode()
    assert "aligning moves it from 87% to 44%" in page  # a measured one at 0 % does, and says so


def test_the_parent_editor_sets_the_weight_on_the_page(a: World, client_for: Any) -> None:
    cycle = CycleFactory(organisation=a.org)
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    mine = ObjectiveFactory(cycle=cycle, owner=a.employee)
    with a.tenant():
        link = services.alignment_create(actor=a.employee, child=mine, parent_objective=company)
    url = reverse("okrs:alignment_weight", args=[a.org.slug, link.pk])
    page = client_for(a.owner).get(reverse("okrs:objective_detail", args=[a.org.slug, company.pk])).content.decode()
    assert f'action="{url}"' in page
    assert client_for(a.employee).post(url, {"weight": "9", "counts_toward_progress": "on"}).status_code == 403
    client_for(a.owner).post(url, {"weight": "2,5"})  # the wrong format is refused, not read as 25
    with a.tenant():
        link.refresh_from_db()
    assert (link.weight, link.counts_toward_progress) == (1, True)
    client_for(a.owner).post(url, {"weight": "2.5"})
    with a.tenant():
        link.refresh_from_db()
    assert (link.weight, link.counts_toward_progress) == (Decimal("2.5"), False)
