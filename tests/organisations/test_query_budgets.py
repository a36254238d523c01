"""Pages run a constant number of SQL queries whatever the data size (1 vs 50 objects)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import TeamKind
from tests.conftest import World, login
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory

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
    ("people", add_people),
    ("my_work", add_people),  # the admin manages everyone added
    ("team", add_people),
    ("teams", add_teams),
    ("invitations", add_invitations),
    ("person_edit", add_people),  # the manager picker lists everyone
]


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("url_name", "grow"), PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_data(url_name: str, grow: Grow, a: World) -> None:
    client = login(Client(), a.admin)
    kwargs = {"org_slug": a.org.slug}
    if url_name == "person_edit":
        kwargs["membership_id"] = a.employee.pk
    url = reverse(url_name, kwargs=kwargs)
    grow(a, 1)
    small = queries_for(client, url)
    grow(a, 49)
    large = queries_for(client, url)
    assert small == large, f"{url_name}: {small} queries with 1 object, {large} with 50"
    print(f"{url_name}: {large} queries")


API_LISTS: list[tuple[str, Grow]] = [("members", add_people), ("teams", add_teams), ("invitations", add_invitations)]


@pytest.mark.parametrize(("resource", "grow"), API_LISTS, ids=[r for r, _ in API_LISTS])
def test_api_list_queries_do_not_grow_with_data(resource: str, grow: Grow, a: World) -> None:
    client = login(Client(), a.admin)
    url = f"/api/v1/orgs/{a.org.slug}/{resource}/"
    grow(a, 1)
    small = queries_for(client, url)
    grow(a, 49)
    large = queries_for(client, url)
    assert small == large, f"API {resource}: {small} queries with 1 object, {large} with 50"
