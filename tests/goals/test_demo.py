"""The demo goals (goals.demo, run by ``manage.py seed_demo`` after the people): every category
and every visibility in Acme, every state, progress by milestones and by hand, a manager who sees
shared goals (never private ones), and seeding twice creates nothing new."""

from __future__ import annotations

import pytest

from goals.demo import seed_goals
from goals.models import Goal, GoalCategory, GoalState, GoalUpdate, GoalVisibility, ProgressMode
from goals.selectors import shared_with_me
from organisations import rls
from organisations.demo import seed_demo
from organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_acme_has_goals_of_every_category_visibility_and_state(frozen_time: object) -> None:
    seed_demo()
    assert seed_goals() > 0
    acme = Organisation.objects.get(slug="acme")
    with rls.tenant_context(acme.pk):
        goals = list(Goal.objects.all())
        assert {g.category for g in goals} == set(GoalCategory.values)
        assert {g.visibility for g in goals} == set(GoalVisibility.values)
        assert {g.state for g in goals} == set(GoalState.values)
        assert {g.progress_mode for g in goals} == set(ProgressMode.values)
        assert any(0 < g.milestones_done < g.milestone_count for g in goals)
        assert GoalUpdate.objects.filter(kind="comment").exclude(author_id__in=[g.owner_id for g in goals]).exists()
        manager = Membership.objects.get(user__email="manager@acme.test")
        shared = list(shared_with_me(actor=manager))
        assert shared
        assert all(g.visibility != GoalVisibility.PRIVATE for g in shared)
        indirect = Membership.objects.get(user__email="eng.lead@acme.test")
        assert {g.owner.user.email for g in shared_with_me(actor=indirect)} >= {
            "employee@acme.test",
            "manager@acme.test",
        }
        count = Goal.objects.count()
    assert seed_goals() == 0
    with rls.tenant_context(acme.pk):
        assert Goal.objects.count() == count
