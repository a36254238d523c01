"""Pages run a constant number of SQL queries whatever the data size (1 vs 50 objects)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import TeamKind
from tests.conftest import World, login
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory
from tests.kit.queries import assert_constant_queries

Grow = Callable[[World, int], None]


def add_people(w: World, n: int) -> None:
    for _ in range(n):
        MembershipFactory(organisation=w.org, team=w.team, manager=w.admin)


def add_teams(w: World, n: int) -> None:
    for _ in range(n):
        TeamFactory(organisation=w.org, kind=TeamKind.TEAM, parent=w.department)


def add_invitations(w: World, n: int) -> None:
    for _ in range(n):
        InvitationFactory(organisation=w.org, invited_by=w.admin, team=w.team)


PAGES: list[tuple[str, Grow]] = [
    ("organisations:people", add_people),
    ("organisations:my_work", add_people),  # the admin manages everyone added
    ("organisations:team", add_people),
    ("organisations:teams", add_teams),
    ("organisations:invitations", add_invitations),
    ("organisations:person_edit", add_people),  # the manager picker lists everyone
]


@pytest.mark.parametrize(("url_name", "grow"), PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_data(url_name: str, grow: Grow, a: World) -> None:
    client = login(Client(), a.admin)
    kwargs = {"org_slug": a.org.slug}
    if url_name == "organisations:person_edit":
        kwargs["membership_id"] = a.employee.pk
    url = reverse(url_name, kwargs=kwargs)
    assert_constant_queries(client, url, lambda n: grow(a, n), label=url_name)


API_LISTS: list[tuple[str, Grow]] = [("members", add_people), ("teams", add_teams), ("invitations", add_invitations)]


@pytest.mark.parametrize(("resource", "grow"), API_LISTS, ids=[r for r, _ in API_LISTS])
def test_api_list_queries_do_not_grow_with_data(resource: str, grow: Grow, a: World) -> None:
    client = login(Client(), a.admin)
    url = f"/api/v1/orgs/{a.org.slug}/{resource}/"
    assert_constant_queries(client, url, lambda n: grow(a, n), label=f"API {resource}")
