"""The managers' and HR's OKR pages run as many SQL queries for 1 object as for 50."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import CycleKind, Visibility
from organisations.models import Membership, TeamKind
from tests.conftest import World, login
from tests.factories import MembershipFactory, TeamFactory
from tests.kit.queries import measure
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.okrs.worlds import build_okrs

Grow = Callable[[World, int], None]
VISIBILITIES = [Visibility.ORGANISATION, Visibility.TEAM, Visibility.PRIVATE]


def add_aligned_objectives(w: World, n: int) -> None:
    """Objectives of new reports (varied teams and visibility), with a key result and an update,
    aligned to the company objective: more nodes, owners, teams and links."""
    for i in range(n):
        team = TeamFactory(organisation=w.org, kind=TeamKind.TEAM, parent=w.department)
        owner = MembershipFactory(organisation=w.org, team=team, manager=w.manager)
        objective = ObjectiveFactory(
            cycle=w.okrs.quarter, owner=owner, team=team, level="team", visibility=VISIBILITIES[i % 3]
        )
        kr = KeyResultFactory(objective=objective)
        with w.tenant():
            services.alignment_create(actor=w.owner, child=objective, parent_objective=w.okrs.company)
            services.progress_update_create(actor=owner, key_result=kr, value=str(i % 100), confidence="at_risk")


def add_root_objectives(w: World, n: int) -> None:
    """Objectives aligned to nothing: more roots, past one page of them (``ROOTS_PER_PAGE``)."""
    for i in range(n):
        ObjectiveFactory(cycle=w.okrs.quarter, owner=w.employee, title=f"Root {i:03}", visibility=VISIBILITIES[i % 3])


def add_cycles(w: World, n: int) -> None:
    for i in range(n):
        cycle = CycleFactory(
            organisation=w.org, kind=CycleKind.CUSTOM, start_date=date(2020 + i % 5, 1, 1), end_date=date(2030, 1, 1)
        )
        ObjectiveFactory(cycle=cycle, owner=w.employee)


def add_members_with_key_results(w: World, n: int) -> None:
    for i in range(n):
        team = TeamFactory(organisation=w.org, kind=TeamKind.TEAM, parent=w.department)
        member = MembershipFactory(organisation=w.org, team=team)
        if i % 2:  # half of them own an objective with a key result, half have none
            KeyResultFactory(objective=ObjectiveFactory(cycle=w.okrs.quarter, owner=member, team=team))


def _url(w: World, name: str) -> str:
    base = reverse(name, kwargs={"org_slug": w.org.slug})
    okrs = w.okrs
    return {
        "okrs:tree": f"{base}?open={okrs.company.pk}&open={okrs.team.pk}",
        "okrs:tree_children": f"{base}?objective={okrs.company.pk}&key={okrs.company.pk}",
        "okrs:team": base,
        "okrs:cycles": base,
        "okrs:carry_over": base,
        "okrs:adoption": base,
        "okrs:close_summary": base,
    }[name]


PAGES: list[tuple[str, str, Grow]] = [
    ("okrs:tree", "manager", add_aligned_objectives),
    ("okrs:tree", "admin", add_aligned_objectives),
    ("okrs:tree", "report", add_aligned_objectives),
    ("okrs:tree", "admin", add_root_objectives),
    ("okrs:tree", "manager", add_root_objectives),
    ("okrs:tree", "employee", add_members_with_key_results),  # more people: the owner filter searches them
    ("okrs:tree_children", "manager", add_aligned_objectives),
    ("okrs:tree_children", "report", add_aligned_objectives),
    ("okrs:team", "manager", add_aligned_objectives),
    ("okrs:team", "owner", add_aligned_objectives),  # indirect reports
    ("okrs:cycles", "admin", add_cycles),
    ("okrs:carry_over", "manager", add_cycles),
    ("okrs:adoption", "admin", add_members_with_key_results),
    ("okrs:close_summary", "admin", add_members_with_key_results),
]


@pytest.mark.parametrize(("url_name", "who", "grow"), PAGES, ids=[f"{p[0]}-{p[1]}-{p[2].__name__}" for p in PAGES])
def test_manage_page_queries_do_not_grow_with_data(url_name: str, who: str, grow: Grow, a: World) -> None:
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=UTC), tick=False):
        a.okrs = build_okrs(a)
        viewer: Membership = getattr(a, who)
        client = login(Client(), viewer)
        url = _url(a, url_name)
        headers = {"HTTP_HX_REQUEST": "true"} if url_name == "okrs:tree_children" else {}
        grow(a, 1)
        small, small_page = measure(client, url, **headers)
        grow(a, 49)
        large, large_page = measure(client, url, **headers)
    assert small == large, f"{url_name} as {who}: {small} queries with 1 object, {large} with 50"
    assert len(large_page.content) > len(small_page.content)  # the 49 new objects are really on the page
    print(f"{url_name} as {who}: {large} queries")
