"""My OKRs and the objective page run the same number of SQL queries for 1 and for 50
objectives, key results, updates, parents and children."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import Contributor, KeyResultKind, Objective
from tests.conftest import World, login
from tests.kit.queries import assert_constant_queries, count_queries
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory
from tests.okrs.worlds import build_okrs

pytestmark = [pytest.mark.usefixtures("frozen_time"), pytest.mark.frozen_time(datetime(2026, 11, 15, tzinfo=UTC))]


def add_my_objectives(w: World, n: int) -> None:
    """``n`` objectives of the employee, each with a number and a milestone key result with
    updates, a contributor, and an alignment to the team objective."""
    for i in range(n):
        objective = ObjectiveFactory(cycle=w.okrs.quarter, owner=w.employee, team=w.team, title=f"Mine {i}")
        kr = KeyResultFactory(objective=objective, owner=w.employee)
        with w.tenant():
            Contributor.objects.create(organisation=w.org, objective=objective, membership=w.report)
            services.key_result_create(
                actor=w.employee,
                objective=objective,
                data=services.KeyResultData(
                    title="Steps", owner=w.employee, kind=KeyResultKind.MILESTONES, milestones=["a", "b"]
                ),
            )
            services.alignment_create(actor=w.employee, child=objective, parent_objective=w.okrs.team)
            for value in ("10", "20"):
                services.progress_update_create(actor=w.employee, key_result=kr, value=value, confidence="at_risk")


def add_key_results_and_children(w: World, n: int) -> None:
    """``n`` key results with updates on the individual objective, and ``n`` children aligned to it."""
    individual = w.okrs.individual
    for i in range(n):
        kr = KeyResultFactory(objective=individual, owner=w.employee, title=f"Measure {i}")
        child = ObjectiveFactory(cycle=w.okrs.quarter, owner=w.report, title=f"Child {i}")
        with w.tenant():
            services.alignment_create(actor=w.report, child=child, parent_key_result=kr)
            services.progress_update_create(actor=w.employee, key_result=kr, value="30", note="n")


PAGES = [
    ("okrs:my_okrs", lambda w: {}, add_my_objectives),
    ("okrs:objective_detail", lambda w: {"objective_id": w.okrs.individual.pk}, add_key_results_and_children),
]


@pytest.mark.parametrize(("url_name", "ids", "grow"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", ["employee", "manager"])
def test_page_queries_do_not_grow_with_data(url_name: str, ids: object, grow: object, role: str, a: World) -> None:
    a.okrs = build_okrs(a)
    client = login(Client(), getattr(a, role))
    url = reverse(url_name, kwargs={"org_slug": a.org.slug, **ids(a)})  # type: ignore[operator]
    assert_constant_queries(client, url, lambda n: grow(a, n), label=f"{url_name} as {role}")  # type: ignore[operator]
    with a.tenant():
        assert Objective.objects.count() >= 50


def test_inline_update_queries_do_not_grow_with_the_page(a: World) -> None:
    """The htmx update re-renders one row and the shown ancestors: its cost does not depend on
    how many objectives the page shows."""
    a.okrs = build_okrs(a)
    client = login(Client(), a.employee)
    kr = a.okrs.individual_kr
    url = reverse("okrs:key_result_progress", kwargs={"org_slug": a.org.slug, "key_result_id": kr.pk})

    def post(shown: str, value: str) -> int:
        return count_queries(client, url, method="post", data={"value": value, "shown": shown}, HTTP_HX_REQUEST="true")

    small = post(f"{a.okrs.individual.pk} {a.okrs.team.pk}", "50")
    add_my_objectives(a, 50)
    with a.tenant():
        many = " ".join(str(pk) for pk in Objective.objects.values_list("pk", flat=True))
    large = post(many, "60")
    assert small == large, f"update: {small} queries, then {large}"
    print(f"inline update: {large} queries")


def test_progress_update_queries_do_not_grow_with_alignment_depth(a: World) -> None:
    """The roll-up reads the ancestors and writes what changed set-based: an update one level
    below the top costs what an update five levels below does (it cost five queries a level)."""
    from decimal import Decimal

    from okrs.models import ObjectiveSource
    from tests.okrs.factories import CycleFactory

    cycle = CycleFactory(organisation=a.org)
    client = login(Client(), a.employee)

    def leaf_under_chain(depth: int) -> int:
        chain = [
            ObjectiveFactory(cycle=cycle, owner=a.owner, progress_source=ObjectiveSource.ALIGNED_CHILDREN)
            for _ in range(depth)
        ]
        leaf = ObjectiveFactory(cycle=cycle, owner=a.employee)
        kr = KeyResultFactory(objective=leaf, owner=a.employee, target_value=Decimal(100))
        with a.tenant():
            for upper, lower in zip(chain, [*chain[1:], leaf], strict=True):
                services.alignment_create(actor=a.admin, child=lower, parent_objective=upper)
        return kr.pk

    def update(kr_id: int, value: str) -> int:
        url = reverse("okrs:key_result_progress", kwargs={"org_slug": a.org.slug, "key_result_id": kr_id})
        return count_queries(client, url, method="post", data={"value": value}, HTTP_HX_REQUEST="true")

    shallow, deep = leaf_under_chain(1), leaf_under_chain(5)
    update(shallow, "5")
    update(deep, "5")
    assert update(shallow, "10") == update(deep, "10")
