"""Who sees a goal, by visibility and by relationship: the owner; the managers above them when
shared with the manager; every member when organisation-wide; and nobody else for a private
goal — HR admins and owners of the organisation included. Checked through the rule
(``can_view``), the list filter (``visible_q``) and the selector (``access_goal`` → 404)."""

from __future__ import annotations

import pytest
from django.http import Http404

from goals import permissions
from goals.models import Goal, GoalVisibility
from goals.selectors import access_goal, shared_with_me, visible_goals
from organisations.models import Membership
from tests.conftest import World
from tests.goals.conftest import GoalWorld, make_goal

pytestmark = pytest.mark.django_db

VIEWERS = [
    "owner",
    "direct_manager",
    "indirect_manager",
    "org_owner_in_chain",
    "org_owner_outside",
    "admin",
    "colleague",
]

#: Who sees junior's goal, per visibility.
EXPECTED = {
    GoalVisibility.PRIVATE: {"owner"},
    GoalVisibility.MANAGER: {"owner", "direct_manager", "indirect_manager", "org_owner_in_chain"},
    GoalVisibility.ORGANISATION: set(VIEWERS),
}
COMMENTERS = {
    GoalVisibility.PRIVATE: {"owner"},
    GoalVisibility.MANAGER: {"owner", "direct_manager", "indirect_manager", "org_owner_in_chain"},
    GoalVisibility.ORGANISATION: {"owner", "direct_manager", "indirect_manager", "org_owner_in_chain"},
}


def viewers(a: World, g: GoalWorld) -> dict[str, Membership]:
    return {
        "owner": g.junior,
        "direct_manager": g.lead,
        "indirect_manager": a.manager,
        "org_owner_in_chain": a.owner,
        "org_owner_outside": g.second_owner,
        "admin": a.admin,
        "colleague": a.employee,
    }


@pytest.mark.parametrize("visibility", list(GoalVisibility))
def test_visibility_matrix(a: World, g: GoalWorld, visibility: GoalVisibility) -> None:
    goal = make_goal(g.junior, visibility=visibility)
    people = viewers(a, g)
    with a.tenant():
        seen_by = {name for name, who in people.items() if permissions.can_view(who, goal)}
        listed_by = {name for name, who in people.items() if visible_goals(actor=who).filter(pk=goal.pk).exists()}
        reached_by = set()
        for name, who in people.items():
            try:
                access_goal(who, goal.pk)
                reached_by.add(name)
            except Http404:
                pass
        commented_by = {name for name, who in people.items() if permissions.can_comment(who, goal)}
        edited_by = {name for name, who in people.items() if permissions.can_edit(who, goal)}
    assert seen_by == EXPECTED[visibility]
    assert listed_by == EXPECTED[visibility]
    assert reached_by == EXPECTED[visibility]
    assert commented_by == COMMENTERS[visibility]
    assert edited_by == {"owner"}


@pytest.mark.parametrize("visibility", list(GoalVisibility))
def test_another_organisation_never_sees_a_goal(a: World, b: World, g: GoalWorld, visibility: GoalVisibility) -> None:
    goal = make_goal(g.junior, visibility=visibility)
    with b.tenant():
        for who in b.members:
            assert not permissions.can_view(who, goal)
            assert not visible_goals(actor=who).filter(pk=goal.pk).exists()
            with pytest.raises(Http404):
                access_goal(who, goal.pk)


def test_admins_and_owners_never_see_a_private_goal_even_of_their_own_reports(a: World, g: GoalWorld) -> None:
    # The admin reports to the owner: the owner manages them, yet their private goal stays theirs.
    goal = make_goal(a.admin, visibility=GoalVisibility.PRIVATE)
    with a.tenant():
        for who in [a.owner, g.second_owner, a.manager, a.employee]:
            assert not permissions.can_view(who, goal)
            with pytest.raises(Http404):
                access_goal(who, goal.pk)
        assert not shared_with_me(actor=a.owner).filter(pk=goal.pk).exists()


def test_shared_with_me_lists_direct_and_indirect_reports_shared_goals_only(a: World, g: GoalWorld) -> None:
    private = make_goal(g.junior, title="Private", visibility=GoalVisibility.PRIVATE)
    shared = make_goal(g.junior, title="Shared", visibility=GoalVisibility.MANAGER)
    public = make_goal(g.junior, title="Public", visibility=GoalVisibility.ORGANISATION)
    direct = make_goal(a.employee, title="Direct", visibility=GoalVisibility.MANAGER)
    mine = make_goal(a.manager, title="Mine", visibility=GoalVisibility.MANAGER)
    with a.tenant():

        def ids(who: Membership) -> set[int]:
            return set(shared_with_me(actor=who).values_list("pk", flat=True))

        assert ids(g.lead) == {shared.pk, public.pk}
        assert ids(a.manager) == {shared.pk, public.pk, direct.pk}
        assert ids(a.owner) == {shared.pk, public.pk, direct.pk, mine.pk}
        assert ids(a.admin) == set()
        assert ids(g.second_owner) == set()
        assert ids(g.junior) == set()
        assert private.pk not in ids(a.owner)


def test_changing_the_reporting_line_changes_who_sees(a: World, g: GoalWorld) -> None:
    goal = make_goal(g.junior, visibility=GoalVisibility.MANAGER)
    with a.tenant():
        Membership.objects.filter(pk=g.junior.pk).update(manager=a.admin)
        goal = Goal.objects.get(pk=goal.pk)
        assert permissions.can_view(a.admin, goal)
        assert not permissions.can_view(g.lead, goal)
        assert not permissions.can_view(a.manager, goal)
