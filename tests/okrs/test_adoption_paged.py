"""The adoption report at any size (issue 10 item 2): the counts come from SQL and the people
without an objective are listed a page at a time ("Show more" appends the next)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import assert_constant_queries
from tests.okrs.factories import ObjectiveFactory

DEC_1 = datetime(2026, 12, 1, 10, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.frozen_time(DEC_1)


def _get(w: World, query: str = "", **headers: str) -> tuple[int, str]:
    url = reverse("okrs:adoption", kwargs={"org_slug": w.org.slug})
    response = login(Client(), w.admin).get(f"{url}?cycle={w.okrs.quarter.pk}{query}", **headers)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def _members(w: World, n: int, prefix: str = "Zed") -> list[Membership]:
    return [MembershipFactory(organisation=w.org, team=w.team, user__full_name=f"{prefix} {i:03d}") for i in range(n)]


def test_the_people_without_an_objective_come_a_page_at_a_time(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from okrs.views import adoption

    monkeypatch.setattr(adoption, "WITHOUT_PAGE", 2)
    extra = _members(w, 3)  # with the report: four without an objective, by name
    ObjectiveFactory(cycle=w.okrs.quarter, owner=extra[0])  # now three
    status, html = _get(w)
    assert status == 200
    assert '<span class="count">3</span>' in html  # the count is of everyone, not of the page
    assert w.report.user.full_name in html  # "Alpha Report" sorts first
    assert "Zed 001" in html
    assert "Zed 002" not in html
    assert "Zed 000" not in html  # owns an objective
    assert f"after={extra[1].pk}" in html
    assert "Show more people" in html
    status, part = _get(w, f"&after={extra[1].pk}", **HTMX)
    assert status == 200
    assert part.lstrip().startswith("<li")
    assert "Zed 002" in part
    assert "Zed 001" not in part
    assert "Show more people" not in part
    status, page = _get(w, f"&after={extra[1].pk}")  # the link without JavaScript
    assert status == 200
    assert "Zed 002" in page
    assert "back to the first" in page


def test_a_foreign_or_malformed_cursor_is_a_404_or_a_400(w: World, b: World) -> None:
    assert _get(w, f"&after={b.employee.pk}")[0] == 404
    assert _get(w, "&after=abc")[0] == 400


def test_the_adoption_report_runs_the_same_queries_for_many_people_without_objectives(w: World) -> None:
    url = reverse("okrs:adoption", kwargs={"org_slug": w.org.slug})
    count = assert_constant_queries(
        login(Client(), w.admin), f"{url}?cycle={w.okrs.quarter.pk}", lambda n: _members(w, n), label="adoption"
    )
    assert count <= 20
