"""Issue 12.6: carry-over keeps the alignment structure whatever order objectives are carried in,
and team-visibility objectives are seen by the team and its sub-teams (not the teams above)."""

from __future__ import annotations

from datetime import date

import pytest

from okrs import services
from okrs.models import Alignment, Objective, Visibility
from okrs.permissions import Access
from okrs.selectors import visible_objectives
from tests.conftest import World
from tests.factories import MembershipFactory, TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_two_steps_child_then_parent_keep_the_structure(a: World) -> None:
    q3 = CycleFactory(organisation=a.org, name="Q3", start_date=date(2026, 7, 1), end_date=date(2026, 9, 30))
    q4 = CycleFactory(organisation=a.org, name="Q4", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    parent = ObjectiveFactory(cycle=q3, owner=a.owner, title="Company parent", level="company")
    parent_kr = KeyResultFactory(objective=parent, owner=a.owner, progress_source="aligned_children", title="Fed")
    child = ObjectiveFactory(cycle=q3, owner=a.employee, title="Mine")
    KeyResultFactory(objective=child, owner=a.employee)
    with a.tenant():
        services.alignment_create(actor=a.owner, child=child, parent_key_result=parent_kr, weight=3)
        # Step 1: a manager carries what they may edit: their report's objective, not the company one.
        services.cycle_carry_over(actor=a.manager, source=q3, target=q4)
        assert set(Objective.objects.filter(cycle=q4).values_list("title", flat=True)) == {"Mine"}
        # Step 2: HR carries the rest; the child's copy is aligned to the parent's copy.
        services.cycle_carry_over(actor=a.admin, source=q3, target=q4)
        mine = Objective.objects.get(cycle=q4, title="Mine")
        parent_copy = Objective.objects.get(cycle=q4, title="Company parent")
        link = Alignment.objects.get(child=mine)
        assert link.parent_key_result is not None
        assert (link.parent_key_result.objective_id, link.weight) == (parent_copy.pk, 3)
        # A third run changes nothing.
        services.cycle_carry_over(actor=a.admin, source=q3, target=q4)
        assert Alignment.objects.filter(child=mine).count() == 1


def test_team_objectives_are_seen_by_sub_teams_not_by_the_teams_above(a: World) -> None:
    """The decided direction: a team-visibility objective of a team is seen by that team and every
    team below it (sub-teams see their parent team's objectives), not by teams above or beside."""
    squad = TeamFactory(organisation=a.org, name="Squad", parent=a.team)
    beside = TeamFactory(organisation=a.org, name="Beside", parent=a.department)
    in_squad = MembershipFactory(organisation=a.org, team=squad)
    in_department = MembershipFactory(organisation=a.org, team=a.department)
    in_beside = MembershipFactory(organisation=a.org, team=beside)
    cycle = CycleFactory(organisation=a.org)
    platform = ObjectiveFactory(cycle=cycle, owner=a.manager, team=a.team, visibility=Visibility.TEAM)
    squad_objective = ObjectiveFactory(cycle=cycle, owner=in_squad, team=squad, visibility=Visibility.TEAM)
    with a.tenant():
        for member, sees_platform, sees_squad in (
            (in_squad, True, True),  # a sub-team sees its parent team's team objectives
            (a.report, True, False),  # the team itself; not its sub-team's
            (in_department, False, False),  # the team above does not
            (in_beside, False, False),
        ):
            access = Access(member)
            visible = set(visible_objectives(actor=member, access=access).values_list("pk", flat=True))
            assert (platform.pk in visible, squad_objective.pk in visible) == (sees_platform, sees_squad), member
            assert (access.can_view(platform), access.can_view(squad_objective)) == (sees_platform, sees_squad)
