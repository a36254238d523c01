"""Concurrent changes to one goal: the row lock in goals.services keeps the stored progress equal
to the milestones ticked."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from goals import services
from goals.models import Milestone
from tests.conftest import World
from tests.goals.conftest import GoalWorld, make_goal

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_ticks_keep_progress_consistent(a: World, g: GoalWorld) -> None:
    """Two requests ticking different milestones at once: the stored counts match the ticks."""
    goal = make_goal(a.employee, milestones=[f"Step {i}" for i in range(6)])
    with a.tenant():
        ids = list(Milestone.objects.filter(goal=goal).values_list("pk", flat=True))
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def tick(milestone_id: int) -> None:
        try:
            with a.tenant():
                milestone = Milestone.objects.select_related("goal").get(pk=milestone_id)
                barrier.wait(timeout=10)
                services.milestone_toggle(actor=a.employee, milestone=milestone, done=True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with a.tenant():
        goal.refresh_from_db()
        assert (goal.milestones_done, goal.progress) == (6, Decimal(1))
