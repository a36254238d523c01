"""Issue 7 item 16: no query string makes a page or an API operation answer 500.

Every GET route of the isolation sweep (pages and API, every app) is called by its own
organisation's owner with each kind of bad value in every query parameter the project uses: a NUL
byte (PostgreSQL cannot store or compare it), and numbers past any integer column or Python's
patience. Each must be an answer the client can act on (a 400 with a message, or the page ignoring
a parameter it does not take), never a server error.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, login
from tests.kit import isolation

SWEEP = isolation.discover()
PARAMS = [
    "q",
    "search",
    "limit",
    "offset",
    "page",
    "cycle",
    "team",
    "owner",
    "status",
    "level",
    "kind",
    "manager",
    "parent",
    "key",
    "sort",
    "state",
    "objective",
    "key_result",
    "member",
    "confidence",
    "stale",
    "at_risk",
    "year",
]
BAD = {"nul": "a\x00b", "huge": "99999999999999999999"}


def _api_url(template: str, slug: str, ids: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str({"org_slug": slug, **ids}[m.group(1)]), template)


@pytest.fixture
def world(a: World) -> World:
    isolation.build_worlds(SWEEP, a)
    return a


def _urls(w: World) -> tuple[list[str], list[str]]:
    pages = [
        reverse(case.url_name, kwargs={"org_slug": w.org.slug, **case.ids(w)})
        for case in SWEEP.html.values()
        if "get" in case.methods
    ]
    apis = [_api_url(t, w.org.slug, ids(w)) for (t, method), ids in SWEEP.api.items() if method == "get"]
    return pages, apis


def test_no_query_parameter_causes_a_server_error(world: World) -> None:
    client = login(Client(raise_request_exception=False), world.owner)
    # All at once (a route validates what it takes), then the ones a route may read before the others.
    everywhere = [(PARAMS, BAD["nul"]), (PARAMS, BAD["huge"]), (["q", "search"], BAD["nul"])]
    lists_only = [(["limit"], BAD["huge"]), (["offset"], BAD["huge"])]
    pages, apis = _urls(world)
    failures = []
    for urls, combos in ((pages, everywhere), (apis, everywhere + lists_only)):
        for url in urls:
            for names, value in combos:
                response = client.get(f"{url}?{urlencode(dict.fromkeys(names, value))}")
                if response.status_code >= 500:
                    failures.append(f"{url} {names[0]}={value!r}: {response.status_code}")
    assert failures == []


def test_nul_in_a_search_is_a_400_that_says_why(world: World) -> None:
    client = login(Client(), world.owner)
    refused = []
    pages, apis = _urls(world)
    for url in pages + apis:
        response = client.get(url, {"q": "x\x00", "search": "x\x00"})
        if response.status_code == 400:
            refused.append(url)
            assert b"null" in response.content.lower() or b"nul" in response.content.lower(), response.content[:300]
    assert refused, "no route takes this parameter"


def test_a_huge_limit_is_a_400_on_every_list(world: World) -> None:
    client = login(Client(), world.owner)
    lists = [
        _api_url(t, world.org.slug, ids(world)) for (t, m), ids in SWEEP.api.items() if m == "get" and "{id}" not in t
    ]
    for url in lists:
        ok = client.get(url)
        if ok.status_code != 200 or not isinstance(ok.json(), dict) or "results" not in ok.json():
            continue  # not a paginated list
        response = client.get(url, {"limit": "99999999999999999999"})
        assert response.status_code == 400, (url, response.status_code)
        assert "limit" in response.json()
