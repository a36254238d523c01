"""okrs.services: cycles, alignment rules, closed cycles, scoring, carry-over, permissions and
the append-only history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from okrs import services
from okrs.models import (
    Activity,
    Alignment,
    Cycle,
    CycleState,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Milestone,
    Objective,
    ProgressUpdate,
)
from okrs.permissions import Access
from okrs.selectors import visible_objectives
from okrs.services import KeyResultData
from organisations.models import Organisation
from tests.conftest import World
from tests.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- cycles


def _cycles(w: World) -> dict[str, tuple[date, date, str, str | None]]:
    with w.tenant():
        return {
            c.name: (c.start_date, c.end_date, c.state, c.parent.name if c.parent else None)
            for c in Cycle.objects.select_related("parent")
        }


def test_generate_a_january_fiscal_year_with_states_by_date(a: World) -> None:
    with a.tenant():
        services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 11, 22))
    assert _cycles(a) == {
        "FY2026": (date(2026, 1, 1), date(2026, 12, 31), CycleState.ACTIVE, None),
        "Q1 FY2026": (date(2026, 1, 1), date(2026, 3, 31), CycleState.CLOSED, "FY2026"),
        "Q2 FY2026": (date(2026, 4, 1), date(2026, 6, 30), CycleState.CLOSED, "FY2026"),
        "Q3 FY2026": (date(2026, 7, 1), date(2026, 9, 30), CycleState.CLOSED, "FY2026"),
        "Q4 FY2026": (date(2026, 10, 1), date(2026, 12, 31), CycleState.ACTIVE, "FY2026"),
    }


def test_generate_an_april_fiscal_year(a: World) -> None:
    Organisation.objects.filter(pk=a.org.pk).update(fiscal_year_start_month=4)
    with a.tenant():
        # 3 April 2026: Q4 of the previous year is unknown here; this year's Q1 is running.
        services.cycles_generate_year(actor=a.owner, start_year=2026, today=date(2026, 4, 3))
    assert _cycles(a) == {
        "FY2026/27": (date(2026, 4, 1), date(2027, 3, 31), CycleState.ACTIVE, None),
        "Q1 FY2026/27": (date(2026, 4, 1), date(2026, 6, 30), CycleState.ACTIVE, "FY2026/27"),
        "Q2 FY2026/27": (date(2026, 7, 1), date(2026, 9, 30), CycleState.PLANNING, "FY2026/27"),
        "Q3 FY2026/27": (date(2026, 10, 1), date(2026, 12, 31), CycleState.PLANNING, "FY2026/27"),
        "Q4 FY2026/27": (date(2027, 1, 1), date(2027, 3, 31), CycleState.PLANNING, "FY2026/27"),
    }


def test_states_by_date_include_the_review_window(a: World) -> None:
    with a.tenant():
        services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 4, 7))
    states = {name: state for name, (_, _, state, _) in _cycles(a).items()}
    # Q1 ended on 31 March; its review window (7 days) runs to 7 April inclusive.
    assert states == {
        "FY2026": CycleState.ACTIVE,
        "Q1 FY2026": CycleState.REVIEW,
        "Q2 FY2026": CycleState.ACTIVE,
        "Q3 FY2026": CycleState.PLANNING,
        "Q4 FY2026": CycleState.PLANNING,
    }


def test_a_year_is_generated_once_and_only_by_an_admin(a: World) -> None:
    with a.tenant():
        with pytest.raises(PermissionDenied):
            services.cycles_generate_year(actor=a.manager, start_year=2026)
        services.cycles_generate_year(actor=a.admin, start_year=2026)
        with pytest.raises(ValidationError) as error:
            services.cycles_generate_year(actor=a.admin, start_year=2026)
        assert "FY2026 already exists" in str(error.value)
        assert Cycle.objects.count() == 5


def test_a_clashing_quarter_refuses_the_whole_year(a: World) -> None:
    with a.tenant():
        services.cycles_generate_year(actor=a.admin, start_year=2026)
    # The organisation moves its fiscal year to April: FY2025/26's last quarter would start on
    # 1 January 2026, where Q1 FY2026 already starts.
    Organisation.objects.filter(pk=a.org.pk).update(fiscal_year_start_month=4)
    with a.tenant():
        with pytest.raises(ValidationError) as error:
            services.cycles_generate_year(actor=a.admin, start_year=2025)
        assert "2026-01-01 already exists" in str(error.value)
        assert Cycle.objects.count() == 5  # nothing of FY2025/26 was left behind


def test_cycles_advance_by_date_and_leave_pinned_cycles_alone(a: World) -> None:
    with a.tenant():
        cycles = services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 9, 1))
        q3, q4 = cycles[3], cycles[4]
        with time_machine.travel(date(2026, 9, 1)):
            custom = services.cycle_create_custom(
                actor=a.admin,
                name="Launch sprint",
                start_date=date(2026, 9, 1),
                end_date=date(2026, 9, 30),
                review_window_days=0,
            )

        def state(cycle: Cycle) -> str:
            return Cycle.objects.get(pk=cycle.pk).state

        assert (state(q3), state(q4)) == (CycleState.ACTIVE, CycleState.PLANNING)
        assert services.cycles_advance(organisation_id=a.org.pk, today=date(2026, 9, 30)) == 0
        moved = services.cycles_advance(organisation_id=a.org.pk, today=date(2026, 10, 1))
        assert moved == 3
        assert (state(q3), state(q4), state(custom)) == (CycleState.REVIEW, CycleState.ACTIVE, CycleState.CLOSED)
        services.cycles_advance(organisation_id=a.org.pk, today=date(2026, 10, 7))
        assert state(q3) == CycleState.REVIEW  # the last day of its review window
        services.cycles_advance(organisation_id=a.org.pk, today=date(2026, 10, 8))
        assert state(q3) == CycleState.CLOSED
        # An admin reopens Q3 by hand: the daily task leaves it alone from then on.
        services.cycle_set_state(actor=a.admin, cycle=q3, state=CycleState.REVIEW)
        assert services.cycles_advance(organisation_id=a.org.pk, today=date(2026, 12, 1)) == 0
        assert state(q3) == CycleState.REVIEW
        with pytest.raises(PermissionDenied):
            services.cycle_set_state(actor=a.manager, cycle=q3, state=CycleState.CLOSED)
        with pytest.raises(ValidationError):
            services.cycle_set_state(actor=a.admin, cycle=q3, state="archived")


def test_custom_cycles_validate_their_input(a: World) -> None:
    with a.tenant():
        for kwargs, field in [
            ({"name": " ", "start_date": date(2026, 1, 1), "end_date": date(2026, 2, 1)}, "name"),
            ({"name": "x", "start_date": date(2026, 2, 1), "end_date": date(2026, 1, 1)}, "end_date"),
            (
                {"name": "x", "start_date": date(2026, 1, 1), "end_date": date(2026, 2, 1), "review_window_days": 61},
                "review_window_days",
            ),
        ]:
            with pytest.raises(ValidationError) as error:
                services.cycle_create_custom(actor=a.admin, **kwargs)  # type: ignore[arg-type]
            assert field in error.value.message_dict


# ---------------------------------------------------------------- alignment


def test_alignment_loops_are_refused_directly_and_through_key_results(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    top = ObjectiveFactory(cycle=cycle, owner=a.owner, title="Top")
    middle = ObjectiveFactory(cycle=cycle, owner=a.manager, title="Middle")
    bottom = ObjectiveFactory(cycle=cycle, owner=a.employee, title="Bottom")
    top_kr = KeyResultFactory(objective=top, progress_source=KeyResultSource.ALIGNED_CHILDREN)
    bottom_kr = KeyResultFactory(objective=bottom)
    with a.tenant():
        services.alignment_create(actor=a.admin, child=middle, parent_key_result=top_kr)
        services.alignment_create(actor=a.admin, child=bottom, parent_objective=middle)
        for child, parent_objective, parent_key_result in [
            (top, middle, None),  # direct: middle already depends on top (via top's key result)
            (top, bottom, None),  # two levels down
            (top, None, bottom_kr),  # to a key result below
            (middle, bottom, None),
            (middle, middle, None),  # itself
        ]:
            with pytest.raises(ValidationError) as error:
                services.alignment_create(
                    actor=a.admin, child=child, parent_objective=parent_objective, parent_key_result=parent_key_result
                )
            assert "loop" in str(error.value)
        assert Alignment.objects.count() == 2
        with pytest.raises(ValidationError):  # the same link twice
            services.alignment_create(actor=a.admin, child=bottom, parent_objective=middle)
        with pytest.raises(ValidationError):  # exactly one parent
            services.alignment_create(actor=a.admin, child=bottom, parent_objective=top, parent_key_result=top_kr)
        with pytest.raises(ValidationError):
            services.alignment_create(actor=a.admin, child=bottom, parent_objective=top, weight="-1")


def test_alignment_across_cycles_only_to_a_containing_cycle(a: World) -> None:
    with a.tenant():
        year, q1, q2, _, _ = services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 2, 1))
    annual = ObjectiveFactory(cycle=year, owner=a.owner, level="company")
    in_q1 = ObjectiveFactory(cycle=q1, owner=a.manager)
    in_q2 = ObjectiveFactory(cycle=q2, owner=a.manager)
    with a.tenant():
        services.alignment_create(actor=a.admin, child=in_q1, parent_objective=annual)  # quarter → its year
        for child, parent in [(in_q2, in_q1), (annual, in_q2)]:  # sideways, and year → quarter
            with pytest.raises(ValidationError) as error:
                services.alignment_create(actor=a.admin, child=child, parent_objective=parent)
            assert "parent" in error.value.message_dict
        assert Alignment.objects.count() == 1


def test_a_parent_the_actor_cannot_see_answers_like_a_missing_one(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    secret = ObjectiveFactory(cycle=cycle, owner=a.report, visibility="private")
    own = ObjectiveFactory(cycle=cycle, owner=a.employee)
    with a.tenant():
        with pytest.raises(ValidationError) as error:
            services.alignment_create(actor=a.employee, child=own, parent_objective=secret)
        assert "No such objective" in str(error.value)


# ---------------------------------------------------------------- closed cycles


def test_a_closed_cycle_is_for_admins_only_and_their_edits_are_recorded(a: World) -> None:
    cycle = CycleFactory(organisation=a.org, state=CycleState.CLOSED)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, owner=a.employee)
    with a.tenant():
        with pytest.raises(PermissionDenied):
            services.progress_update_create(actor=a.employee, key_result=kr, value="10")
        with pytest.raises(PermissionDenied):
            services.progress_update_create(actor=a.manager, key_result=kr, value="10")
        with pytest.raises(PermissionDenied):
            services.objective_reflect(actor=a.employee, objective=objective, reflection="late")
        assert not ProgressUpdate.objects.exists()
        services.progress_update_create(actor=a.admin, key_result=kr, value="10", note="correction after close")
        assert ProgressUpdate.objects.count() == 1
        audit = Activity.objects.get(objective=objective, verb="progress")
        assert audit.closed_cycle_edit is True
        assert audit.actor == a.admin
    open_cycle = CycleFactory(organisation=a.org)
    other = ObjectiveFactory(cycle=open_cycle, owner=a.employee)
    other_kr = KeyResultFactory(objective=other, owner=a.employee)
    with a.tenant():
        services.progress_update_create(actor=a.employee, key_result=other_kr, value="10")
        assert Activity.objects.get(objective=other, verb="progress").closed_cycle_edit is False


# ---------------------------------------------------------------- scoring


def test_scores_default_to_progress_differ_only_with_a_note_and_only_in_review(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    first = KeyResultFactory(objective=objective, owner=a.employee, weight=Decimal(3))
    second = KeyResultFactory(objective=objective, owner=a.employee)
    with a.tenant():
        services.progress_update_create(actor=a.employee, key_result=first, value="60")
        services.progress_update_create(actor=a.employee, key_result=second, value="20")
        first.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            services.key_result_score(actor=a.employee, key_result=first, score="0.6")
        assert "score" in error.value.message_dict  # the cycle is still active
        services.cycle_set_state(actor=a.admin, cycle=cycle, state=CycleState.REVIEW)
        services.key_result_score(actor=a.employee, key_result=first, score="0.6")  # = progress: no note needed
        objective.refresh_from_db()
        # (3 × 0.6 + 1 × 0.2 unscored, so its progress) / 4
        assert objective.score == Decimal("0.5")
        with pytest.raises(ValidationError) as error:
            services.key_result_score(actor=a.employee, key_result=first, score="0.8")
        assert "score_note" in error.value.message_dict
        for bad in ("1.2", "-0.1", "lots"):
            with pytest.raises(ValidationError):
                services.key_result_score(actor=a.employee, key_result=first, score=bad, note="x")
        services.key_result_score(actor=a.employee, key_result=first, score="0.8", note="The big deal signed late.")
        first.refresh_from_db()
        objective.refresh_from_db()
        assert (first.score, first.score_note) == (Decimal("0.8"), "The big deal signed late.")
        assert objective.score == Decimal("0.650")
        with pytest.raises(PermissionDenied):
            services.key_result_score(actor=a.report, key_result=first, score="0.6")
        services.cycle_set_state(actor=a.admin, cycle=cycle, state=CycleState.CLOSED)
        with pytest.raises(PermissionDenied):  # closed: the owner no longer may
            services.key_result_score(actor=a.employee, key_result=first, score="0.6")
        services.key_result_score(actor=a.admin, key_result=first, score="0.6")
        assert Activity.objects.filter(objective=objective, verb="scored", closed_cycle_edit=True).count() == 1


# ---------------------------------------------------------------- carry-over


def test_carry_over_copies_unfinished_work_without_history_and_keeps_sensible_alignments(a: World) -> None:
    with a.tenant():
        year, _, _, q3, q4 = services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 9, 15))
    annual = ObjectiveFactory(cycle=year, owner=a.owner, level="company", title="Annual")
    parent = ObjectiveFactory(cycle=q3, owner=a.manager, level="team", title="Parent (unfinished)")
    parent_kr = KeyResultFactory(
        objective=parent, owner=a.manager, progress_source=KeyResultSource.ALIGNED_CHILDREN, title="Fed"
    )
    done_parent = ObjectiveFactory(cycle=q3, owner=a.manager, title="Done parent")
    done_parent_kr = KeyResultFactory(objective=done_parent, owner=a.manager)
    child = ObjectiveFactory(cycle=q3, owner=a.employee, title="Child (unfinished)")
    unfinished_kr = KeyResultFactory(objective=child, owner=a.employee, title="Half way", target_value=Decimal(100))
    finished_kr = KeyResultFactory(objective=child, owner=a.employee, title="Finished")
    checklist = KeyResultFactory(objective=child, owner=a.employee, title="Checklist", kind=KeyResultKind.MILESTONES)
    finished = ObjectiveFactory(cycle=q3, owner=a.employee, title="Finished objective")
    finished_only_kr = KeyResultFactory(objective=finished, owner=a.employee)
    with a.tenant():
        m1 = Milestone.objects.create(organisation=a.org, key_result=checklist, title="One", position=0)
        Milestone.objects.create(organisation=a.org, key_result=checklist, title="Two", position=1)
        services.alignment_create(actor=a.admin, child=child, parent_key_result=parent_kr, weight=2)
        services.alignment_create(actor=a.admin, child=child, parent_objective=annual, counts_toward_progress=False)
        services.alignment_create(actor=a.admin, child=child, parent_objective=done_parent)
        services.progress_update_create(actor=a.employee, key_result=unfinished_kr, value="40", note="halfway-ish")
        services.progress_update_create(actor=a.employee, key_result=finished_kr, value="100")
        services.progress_update_create(actor=a.employee, key_result=checklist, milestones_done=[m1.pk])
        services.progress_update_create(actor=a.employee, key_result=finished_only_kr, value="100")
        services.progress_update_create(actor=a.manager, key_result=done_parent_kr, value="100")

        copies = services.cycle_carry_over(actor=a.admin, source=q3, target=q4)
        assert {c.title for c in copies} == {"Child (unfinished)", "Parent (unfinished)"}
        child_copy = Objective.objects.get(cycle=q4, title="Child (unfinished)")
        parent_copy = Objective.objects.get(cycle=q4, title="Parent (unfinished)")
        assert child_copy.carried_from_id == child.pk
        assert child_copy.owner_id == a.employee.pk
        krs = {kr.title: kr for kr in KeyResult.objects.filter(objective=child_copy)}
        assert set(krs) == {"Half way", "Checklist"}  # the finished key result stays behind
        half = krs["Half way"]
        # The remaining distance: from where it stood to the same target, no history.
        assert (half.start_value, half.current_value, half.target_value) == (Decimal(40), Decimal(40), Decimal(100))
        assert half.progress == 0
        assert half.carried_from_id == unfinished_kr.pk
        assert not ProgressUpdate.objects.filter(key_result__objective=child_copy).exists()
        assert list(Milestone.objects.filter(key_result=krs["Checklist"]).values_list("title", "done")) == [
            ("Two", False)
        ]
        links = {
            (link.parent_objective_id, link.parent_key_result_id, link.weight, link.counts_toward_progress)
            for link in Alignment.objects.filter(child=child_copy)
        }
        parent_kr_copy = KeyResult.objects.get(objective=parent_copy)
        assert links == {
            (None, parent_kr_copy.pk, Decimal(2), True),  # the parent came along: linked to its copy
            (annual.pk, None, Decimal(1), False),  # the year contains Q4: kept as it was
            # the finished parent stayed in Q3, which does not contain Q4: dropped
        }
        # Idempotent: a second run copies nothing.
        assert services.cycle_carry_over(actor=a.admin, source=q3, target=q4) == []
        assert Objective.objects.filter(cycle=q4).count() == 2
        # The originals are untouched.
        assert Alignment.objects.filter(child=child).count() == 3
        assert ProgressUpdate.objects.filter(key_result__objective=child).count() == 3
        with pytest.raises(PermissionDenied):
            services.cycle_carry_over(actor=a.employee, source=q3, target=q4)
        with pytest.raises(ValidationError):
            services.cycle_carry_over(actor=a.admin, source=q3, target=q3)


def test_a_manager_carries_over_only_what_they_may_edit(a: World) -> None:
    source = CycleFactory(organisation=a.org, start_date=date(2026, 7, 1), end_date=date(2026, 9, 30))
    target = CycleFactory(organisation=a.org)
    ObjectiveFactory(cycle=source, owner=a.employee, title="Report's")
    ObjectiveFactory(cycle=source, owner=a.admin, title="Admin's")
    with a.tenant():
        copies = services.cycle_carry_over(actor=a.manager, source=source, target=target)
    assert [c.title for c in copies] == ["Report's"]


# ---------------------------------------------------------------- permissions


def test_who_may_see_and_edit_what(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    own = ObjectiveFactory(cycle=cycle, owner=a.employee, title="own")
    report_private = ObjectiveFactory(cycle=cycle, owner=a.report, visibility="private", title="report private")
    team_only = ObjectiveFactory(cycle=cycle, owner=a.manager, team=a.team, visibility="team", title="team only")
    mobile = TeamFactory(organisation=a.org, name="Mobile", parent=a.department)
    other_team_only = ObjectiveFactory(
        cycle=cycle, owner=a.admin, team=mobile, visibility="team", title="other team only"
    )
    contributed = ObjectiveFactory(cycle=cycle, owner=a.admin, title="contributed")
    with a.tenant():
        services.objective_update(
            actor=a.admin,
            objective=contributed,
            data=services.ObjectiveData(title="contributed", cycle=cycle, owner=a.admin, contributors=[a.employee]),
        )
    objectives = [own, report_private, team_only, other_team_only, contributed]
    # (actor, visible titles, editable titles)
    table = [
        (a.employee, {"own", "team only", "contributed"}, {"own", "contributed"}),
        (a.report, {"own", "report private", "team only", "contributed"}, {"report private"}),
        (
            a.manager,  # the reports' private objectives, the team's
            {"own", "report private", "team only", "contributed"},
            {"own", "report private", "team only"},
        ),
        (a.admin, {o.title for o in objectives}, {o.title for o in objectives}),
        (a.owner, {o.title for o in objectives}, {o.title for o in objectives}),
    ]
    with a.tenant():
        for actor, visible, editable in table:
            access = Access(actor)
            assert {o.title for o in objectives if access.can_view(o)} == visible, actor
            assert {o.title for o in objectives if access.may_edit(o)} == editable, actor
            # The query agrees with the per-object check (lists, the tree, search, the API).
            listed = set(visible_objectives(actor=actor).values_list("title", flat=True))
            assert listed == visible, actor


def test_services_enforce_edit_rights_and_key_result_owners_may_update_their_own(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    managers = ObjectiveFactory(cycle=cycle, owner=a.admin, title="Someone else's")
    delegated = KeyResultFactory(objective=managers, owner=a.employee)
    other = KeyResultFactory(objective=managers, owner=a.admin)
    with a.tenant():
        services.progress_update_create(actor=a.employee, key_result=delegated, value="5")  # their key result
        with pytest.raises(PermissionDenied):
            services.progress_update_create(actor=a.employee, key_result=other, value="5")
        with pytest.raises(PermissionDenied):
            services.key_result_create(
                actor=a.employee, objective=managers, data=KeyResultData(title="sneaky", owner=a.employee)
            )
        with pytest.raises(PermissionDenied):
            services.objective_delete(actor=a.report, objective=managers)
        for bad, field in [("", "value"), ("abc", "value"), ("1e30", "value")]:
            with pytest.raises(ValidationError) as error:
                services.progress_update_create(actor=a.employee, key_result=delegated, value=bad)
            assert field in error.value.message_dict
        with pytest.raises(ValidationError):
            services.progress_update_create(actor=a.employee, key_result=delegated, value="1", confidence="meh")
        assert ProgressUpdate.objects.count() == 1


# ---------------------------------------------------------------- append-only history


def test_progress_updates_are_append_only_but_go_with_their_key_result(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, owner=a.employee)
    other = KeyResultFactory(objective=objective, owner=a.employee)
    with a.tenant():
        update = services.progress_update_create(actor=a.employee, key_result=kr, value="10", note="first")
        services.progress_update_create(actor=a.employee, key_result=other, value="10")
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            ProgressUpdate.objects.filter(pk=update.pk).update(note="rewritten")
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            ProgressUpdate.objects.filter(pk=update.pk).delete()
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            KeyResult.objects.filter(pk=kr.pk).delete()  # not through the service: history protects it
        assert ProgressUpdate.objects.get(pk=update.pk).note == "first"
        services.key_result_delete(actor=a.employee, key_result=kr)
        assert not ProgressUpdate.objects.filter(key_result_id=kr.pk).exists()
        assert ProgressUpdate.objects.filter(key_result=other).count() == 1
        services.objective_delete(actor=a.employee, objective=objective)
        assert not ProgressUpdate.objects.exists()


def test_progress_is_computed_from_the_value_as_stored(a: World) -> None:
    """Regression: a value typed with more digits than the column keeps (four places) used to
    give a progress computed from the typed digits, which a recomputation then disagreed with."""
    cycle = CycleFactory(organisation=a.org)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, owner=a.employee, target_value=Decimal(1))
    with a.tenant():
        update = services.progress_update_create(actor=a.employee, key_result=kr, value="0.12345678")
        kr.refresh_from_db()
        assert (kr.current_value, kr.progress) == (Decimal("0.1235"), Decimal("0.1235"))
        assert (update.value, update.progress) == (Decimal("0.1235"), Decimal("0.1235"))
        created = services.key_result_create(
            actor=a.employee,
            objective=objective,
            data=KeyResultData(title="precise", owner=a.employee, start_value="1.00004", target_value="2.00005"),
        )
        created.refresh_from_db()
        assert (created.start_value, created.target_value) == (Decimal("1.0000"), Decimal("2.0001"))
        with pytest.raises(ValidationError) as error:  # equal once stored: nothing to travel
            services.key_result_create(
                actor=a.employee,
                objective=objective,
                data=KeyResultData(title="flat", owner=a.employee, start_value="1.00001", target_value="1.00002"),
            )
        assert "target_value" in error.value.message_dict
