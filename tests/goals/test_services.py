"""goals.services: progress from milestones or by hand, state transitions, validation per field,
who may change and comment, and the update log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goals import services
from goals.models import Goal, GoalCategory, GoalState, GoalUpdate, GoalVisibility, Milestone, ProgressMode, UpdateKind
from goals.services import GoalData
from notifications.models import Notification
from organisations.errors import Conflict, NotAllowed
from tests.conftest import World
from tests.goals.conftest import GoalWorld, make_goal

pytestmark = pytest.mark.django_db


def _milestones(goal: Goal) -> list[Milestone]:
    return list(Milestone.objects.filter(goal=goal).order_by("position"))


def test_create_with_milestones_measures_by_milestones(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["Pick a topic", " ", "Write the abstract", "Give the talk"])
    with a.tenant():
        goal.refresh_from_db()
        assert goal.owner_id == a.employee.pk
        assert goal.progress_mode == ProgressMode.MILESTONES
        assert [m.title for m in _milestones(goal)] == ["Pick a topic", "Write the abstract", "Give the talk"]
        assert (goal.milestone_count, goal.milestones_done, goal.progress) == (3, 0, Decimal(0))
        assert GoalUpdate.objects.filter(goal=goal, kind=UpdateKind.CREATED).count() == 1


def test_ticking_milestones_drives_progress(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["One", "Two", "Three"])
    with a.tenant():
        first, second, _ = _milestones(goal)
        services.milestone_toggle(actor=a.employee, milestone=first, done=True)
        goal.refresh_from_db()
        assert goal.progress == Decimal("0.333")
        services.milestone_toggle(actor=a.employee, milestone=first, done=True)  # idempotent
        services.milestone_toggle(actor=a.employee, milestone=second)
        goal.refresh_from_db()
        assert (goal.milestones_done, goal.progress, goal.percent) == (2, Decimal("0.667"), 67)
        services.milestone_toggle(actor=a.employee, milestone=second)
        goal.refresh_from_db()
        assert goal.milestones_done == 1
        added = services.milestone_add(actor=a.employee, goal=goal, title="Four")
        assert added.position == 3
        goal.refresh_from_db()
        assert goal.progress == Decimal("0.250")
        services.milestone_remove(actor=a.employee, milestone=added)
        goal.refresh_from_db()
        assert (goal.milestone_count, goal.progress) == (3, Decimal("0.333"))
        kinds = list(GoalUpdate.objects.filter(goal=goal, kind=UpdateKind.MILESTONE).values_list("text", flat=True))
        assert len(kinds) == 5  # tick, tick, untick, add, remove — the repeated tick logged nothing


def test_a_milestone_goal_without_milestones_has_nothing_to_measure(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, progress_mode=ProgressMode.MILESTONES)
    assert goal.progress == 0
    assert not goal.measured
    assert make_goal(a.employee).progress_mode == ProgressMode.MANUAL  # no milestones: manual by default


def test_manual_progress(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee)
    with a.tenant():
        goal = services.goal_progress_set(actor=a.employee, goal=goal, progress="0.4", note="Halfway through the book")
        assert goal.progress == Decimal("0.400")
        entry = GoalUpdate.objects.filter(goal=goal, kind=UpdateKind.PROGRESS).get()
        assert entry.progress == Decimal("0.400")
        assert "Halfway" in entry.text
        for bad in ["1.2", "-0.1", "lots", "NaN", "Infinity"]:
            with pytest.raises(ValidationError) as error:
                services.goal_progress_set(actor=a.employee, goal=goal, progress=bad)
            assert "progress" in error.value.message_dict


def test_manual_progress_refused_for_a_milestone_goal(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["One"])
    with a.tenant(), pytest.raises(ValidationError) as error:
        services.goal_progress_set(actor=a.employee, goal=goal, progress="0.5")
    assert "progress" in error.value.message_dict


def test_switching_mode_recomputes_progress(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["One", "Two"])
    with a.tenant():
        services.milestone_toggle(actor=a.employee, milestone=_milestones(goal)[0], done=True)
        data = GoalData(title=goal.title, progress_mode=ProgressMode.MANUAL)
        goal = services.goal_update(actor=a.employee, goal=goal, data=data)
        assert goal.progress == 0
        goal = services.goal_update(
            actor=a.employee, goal=goal, data=GoalData(title=goal.title, progress_mode=ProgressMode.MILESTONES)
        )
        assert goal.progress == Decimal("0.500")


def test_state_transitions(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["One"])
    with a.tenant():
        goal = services.goal_complete(actor=a.employee, goal=goal, note="Done and dusted")
        assert goal.state == GoalState.COMPLETED
        assert goal.closed_at is not None
        with pytest.raises(Conflict):
            services.goal_complete(actor=a.employee, goal=goal)
        with pytest.raises(Conflict):
            services.goal_abandon(actor=a.employee, goal=goal)
        with pytest.raises(Conflict) as closed:
            services.milestone_toggle(actor=a.employee, milestone=_milestones(goal)[0])
        assert "state" in closed.value.message_dict
        goal = services.goal_reopen(actor=a.employee, goal=goal)
        assert goal.state == GoalState.ACTIVE
        assert goal.closed_at is None
        with pytest.raises(Conflict):
            services.goal_reopen(actor=a.employee, goal=goal)
        goal = services.goal_abandon(actor=a.employee, goal=goal)
        assert goal.state == GoalState.ABANDONED
        goal = services.goal_reopen(actor=a.employee, goal=goal)
        states = (
            GoalUpdate.objects.filter(goal=goal, kind=UpdateKind.STATE).order_by("id").values_list("text", flat=True)
        )
        assert [s.split(".")[0] for s in states] == ["Completed", "Reopened", "Abandoned", "Reopened"]


def test_validation_names_each_field(a: World, g: GoalWorld) -> None:
    with a.tenant():
        with pytest.raises(ValidationError) as error:
            services.goal_create(
                actor=a.employee,
                data=GoalData(
                    title="  ",
                    description="x" * 6000,
                    category="hobby",
                    visibility="everyone",
                    due_date=date(2026, 11, 1),  # before the frozen "today" (15 Nov 2026)
                    milestones=["y" * 201],
                    progress_mode="vibes",
                ),
            )
        assert set(error.value.message_dict) == {
            "title",
            "description",
            "category",
            "visibility",
            "due_date",
            "milestones",
            "progress_mode",
        }
        with pytest.raises(ValidationError) as long_title:
            services.goal_create(actor=a.employee, data=GoalData(title="t" * 201))
        assert "title" in long_title.value.message_dict
        goal = services.goal_create(actor=a.employee, data=GoalData(title="Ok", due_date=date(2026, 11, 15)))
        for bad_title in ["", "z" * 201]:
            with pytest.raises(ValidationError) as milestone:
                services.milestone_add(actor=a.employee, goal=goal, title=bad_title)
            assert "title" in milestone.value.message_dict
        with pytest.raises(ValidationError) as comment:
            services.goal_comment(actor=a.employee, goal=goal, text="   ")
        assert "text" in comment.value.message_dict
        assert Goal.objects.filter(owner=a.employee).count() == 1


def test_an_unchanged_past_due_date_may_stay_on_an_edit(a: World, g: GoalWorld, frozen_time: object) -> None:
    goal = make_goal(a.employee, due_date=date(2026, 11, 20))
    frozen_time.shift(60 * 60 * 24 * 30)  # type: ignore[attr-defined]
    with a.tenant():
        goal = services.goal_update(
            actor=a.employee, goal=goal, data=GoalData(title="Renamed", due_date=date(2026, 11, 20))
        )
        assert goal.title == "Renamed"


def test_only_the_owner_changes_a_goal(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.ORGANISATION, milestones=["One"])
    with a.tenant():
        milestone = _milestones(goal)[0]
        for who in [a.manager, a.owner, a.admin, a.report]:
            with pytest.raises(NotAllowed):
                services.goal_update(actor=who, goal=goal, data=GoalData(title="Mine now"))
            with pytest.raises(NotAllowed):
                services.milestone_toggle(actor=who, milestone=milestone)
            with pytest.raises(NotAllowed):
                services.milestone_add(actor=who, goal=goal, title="More")
            with pytest.raises(NotAllowed):
                services.goal_complete(actor=who, goal=goal)
            with pytest.raises(NotAllowed):
                services.milestone_remove(actor=who, milestone=milestone)
        goal.refresh_from_db()
        assert (goal.title, goal.state, goal.milestones_done) == (
            "Learn to give a conference talk",
            GoalState.ACTIVE,
            0,
        )


def test_a_manager_comments_on_a_shared_goal_and_the_owner_is_told(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.MANAGER)
    with a.tenant():
        update = services.goal_comment(actor=a.manager, goal=goal, text="Great choice — want to pair on it?")
        assert update.author_id == a.manager.pk
        assert update.kind == UpdateKind.COMMENT
        note = Notification.objects.get(recipient=a.employee, kind="goals.comment")
        assert "commented on your goal" in note.title
        with pytest.raises(NotAllowed):
            services.goal_comment(actor=a.report, goal=goal, text="Nosy")
        with pytest.raises(NotAllowed):
            services.goal_comment(actor=a.admin, goal=goal, text="HR here")
        services.goal_comment(actor=a.employee, goal=goal, text="Yes please")
        assert Notification.objects.filter(recipient=a.employee).count() == 1


def test_a_private_goal_takes_no_comment_from_the_manager(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee)
    with a.tenant(), pytest.raises(NotAllowed):
        services.goal_comment(actor=a.manager, goal=goal, text="Let me see")


def test_action_plan_goals_are_created_for_the_actor(a: World, g: GoalWorld) -> None:
    """The contract the surveys stream codes against."""
    with a.tenant():
        goal = services.goal_create(
            actor=a.manager,
            data=GoalData(
                title="Hold a monthly recognition round",
                description="From the survey's action plan",
                category=GoalCategory.ACTION_PLAN,
                visibility=GoalVisibility.MANAGER,
                due_date=None,
                milestones=["Book the slot"],
            ),
        )
        assert (goal.owner_id, goal.category, goal.milestone_count) == (a.manager.pk, "action_plan", 1)
