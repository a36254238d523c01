"""Fixtures of the goals tests: world a with a deeper reporting line (``g``) — the owner of the
organisation manages the manager, who manages ``lead``, who manages ``junior`` — and a second
owner of the organisation who manages nobody."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from goals.models import Goal
from goals.services import GoalData, goal_create
from organisations.models import Membership, Role
from tests.conftest import World
from tests.factories import MembershipFactory


@dataclass
class GoalWorld:
    lead: Membership  # reports to a.manager; role manager
    junior: Membership  # reports to lead
    second_owner: Membership  # an owner of the organisation outside every reporting line


def build_goal_people(w: World) -> GoalWorld:
    lead = MembershipFactory(
        organisation=w.org, role=Role.MANAGER, team=w.team, manager=w.manager, user__full_name=f"{w.org.name} Lead"
    )
    junior = MembershipFactory(organisation=w.org, team=w.team, manager=lead, user__full_name=f"{w.org.name} Junior")
    second_owner = MembershipFactory(
        organisation=w.org, role=Role.OWNER, team=w.company, user__full_name=f"{w.org.name} Co-owner"
    )
    return GoalWorld(lead, junior, second_owner)


def make_goal(owner: Membership, **fields: Any) -> Goal:
    """A goal of ``owner`` through the service, inside their organisation."""
    from organisations import rls

    fields.setdefault("title", "Learn to give a conference talk")
    with rls.tenant_context(owner.organisation_id):
        return goal_create(actor=owner, data=GoalData(**fields))


@pytest.fixture
def g(a: World, frozen_time: Any) -> GoalWorld:
    return build_goal_people(a)
