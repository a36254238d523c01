"""The person picker's search (organisations:people_search): active members of the caller's
organisation by name or e-mail, a bounded few, in a constant number of queries."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from organisations.selectors import PEOPLE_SEARCH_LIMIT
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import assert_constant_queries

HTMX = {"HTTP_HX_REQUEST": "true"}


def search(w: World, query: str, *, who: object = None) -> tuple[int, str]:
    client = login(Client(), who or w.employee)  # type: ignore[arg-type]
    url = reverse("organisations:people_search", kwargs={"org_slug": w.org.slug})
    response = client.get(f"{url}?{query}", **HTMX)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def choices(html: str, field: str = "person") -> list[str]:
    return re.findall(rf'name="{field}" value="(\d+)"', html)


def test_matches_active_members_by_name_or_email_in_the_callers_organisation(a: World, b: World) -> None:
    found = MembershipFactory(organisation=a.org, user__full_name="Zelda Quist", user__email="zq@example.test")
    gone = MembershipFactory(organisation=a.org, user__full_name="Zelda Gone", is_active=False)
    foreign = MembershipFactory(organisation=b.org, user__full_name="Zelda Elsewhere")
    status, html = search(a, "q=zelda&field=owner")
    assert status == 200
    assert "<html" not in html
    assert choices(html, "owner") == [str(found.pk)]
    assert "Zelda Quist" in html
    assert gone.user.full_name not in html
    assert foreign.user.full_name not in html
    assert choices(search(a, "q=ZQ@EXAMPLE&field=owner")[1], "owner") == [str(found.pk)]  # e-mail, any case
    # The picker's own box (``<field>_q``, which htmx sends by its name) searches too.
    assert choices(search(a, "owner_q=quist&field=owner")[1], "owner") == [str(found.pk)]


def test_offers_nothing_for_no_text_and_says_when_nobody_matches(a: World) -> None:
    assert choices(search(a, "q=")[1]) == []
    status, html = search(a, "q=nobody-by-this-name")
    assert status == 200
    assert "Nobody active matches" in html


def test_offers_at_most_the_limit_and_says_to_type_more(a: World) -> None:
    for i in range(PEOPLE_SEARCH_LIMIT + 5):
        MembershipFactory(organisation=a.org, user__full_name=f"Common Name {i:02}")
    _, html = search(a, "q=common")
    assert len(choices(html)) == PEOPLE_SEARCH_LIMIT
    assert "type more" in html


def test_refuses_a_malformed_field_name(a: World) -> None:
    assert search(a, "q=a&field=x%22%3E")[0] == 400


def test_runs_a_constant_number_of_queries(a: World) -> None:
    client = login(Client(), a.employee)
    url = reverse("organisations:people_search", kwargs={"org_slug": a.org.slug}) + "?q=same"

    def grow(n: int) -> None:
        for i in range(n):
            MembershipFactory(organisation=a.org, user__full_name=f"Same Surname {i}")

    assert_constant_queries(client, url, grow, label="people search", **HTMX)
