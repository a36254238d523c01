"""The fixtures every app's tests share: two organisations (worlds), each with an owner, an
admin, a manager with reports and an employee; a stranger who belongs to neither; a frozen clock
(DESIGN.md, Testing). An app's own fixtures live in ``tests/<app>/conftest.py``; its data in a
world is ``w.<app label>`` (set by its fixtures or by its sweep's ``build``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from organisations import rls
from organisations.models import Invitation, Membership, Organisation, Role, Team, TeamKind, User
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, TeamFactory, UserFactory


@dataclass
class World:
    org: Organisation
    company: Team
    department: Team
    team: Team
    owner: Membership
    admin: Membership
    manager: Membership
    employee: Membership  # reports to manager
    report: Membership  # reports to manager too
    invitation: Invitation | None = None  # set by fixtures that need one

    def tenant(self) -> AbstractContextManager[None]:
        return rls.tenant_context(self.org.pk)

    @property
    def members(self) -> list[Membership]:
        return [self.owner, self.admin, self.manager, self.employee, self.report]


def build_world(slug: str, name: str) -> World:
    org = OrganisationFactory(slug=slug, name=name)
    company = TeamFactory(organisation=org, name=name, kind=TeamKind.COMPANY)
    department = TeamFactory(organisation=org, name=f"{name} Engineering", kind=TeamKind.DEPARTMENT, parent=company)
    team = TeamFactory(organisation=org, name=f"{name} Platform", kind=TeamKind.TEAM, parent=department)
    owner = MembershipFactory(organisation=org, role=Role.OWNER, team=company, user__full_name=f"{name} Owner")
    admin = MembershipFactory(
        organisation=org, role=Role.ADMIN, team=company, manager=owner, user__full_name=f"{name} Admin"
    )
    manager = MembershipFactory(
        organisation=org, role=Role.MANAGER, team=team, manager=owner, user__full_name=f"{name} Manager"
    )
    employee = MembershipFactory(organisation=org, team=team, manager=manager, user__full_name=f"{name} Employee")
    report = MembershipFactory(organisation=org, team=team, manager=manager, user__full_name=f"{name} Report")
    return World(org, company, department, team, owner, admin, manager, employee, report)


@pytest.fixture
def a(db: None) -> World:
    return build_world("alpha", "Alpha")


@pytest.fixture
def b(db: None) -> World:
    return build_world("beta", "Beta")


@pytest.fixture
def stranger(db: None) -> User:
    return UserFactory(full_name="Stranger Danger")


def login(client: Client, membership_or_user: Membership | User) -> Client:
    user = membership_or_user.user if isinstance(membership_or_user, Membership) else membership_or_user
    client.force_login(user, backend="organisations.backends.EmailBackend")
    return client


@pytest.fixture
def client_for() -> object:
    def make(who: Membership | User) -> Client:
        return login(Client(), who)

    return make


__all__ = ["PASSWORD", "World", "login"]


#: Half way through the test worlds' Q4 2026 (1 Oct – 31 Dec): a cycle's expected progress is 0.5.
MID_Q4 = datetime(2026, 11, 15, 12, tzinfo=UTC)


@pytest.fixture
def frozen_time(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Freeze the clock (time-machine) at ``MID_Q4``, or at the moment a test or module names with
    ``@pytest.mark.frozen_time(datetime(...))``. Yields the traveller, to move it on."""
    marker = request.node.get_closest_marker("frozen_time")
    moment = marker.args[0] if marker else MID_Q4
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run Celery tasks in-process: an outbox job enqueued by the code under test runs when its
    transaction commits (with ``django_capture_on_commit_callbacks(execute=True)``).

    Only the app's own configuration is overridden, and restored whatever happens, so a later
    test that talks to a real worker is not left sending tasks to itself.
    """
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


# A skipped test is a defect here (a skipped service test would hide a broken integration), so
# any skip fails the run.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == 0:
        session.exitstatus = 1
        print(f"\n{len(_skipped)} test(s) skipped, which this suite treats as failures: {_skipped}")
