"""Tenant isolation sweep: every route and API operation of every app, probed with another
tenant's ids (cases: each app's tests/<app>/sweep.py, gathered by tests.kit.isolation)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from organisations import rls
from organisations.models import User
from tests.conftest import World
from tests.kit import isolation
from tests.kit.sweep_types import Case

SWEEP = isolation.discover()


@pytest.fixture(params=["rls-and-scoping", "scoping-alone"])
def worlds(request: pytest.FixtureRequest, a: World, b: World, monkeypatch: pytest.MonkeyPatch) -> tuple[World, World]:
    """Both worlds with every app's data; in the ``scoping-alone`` run every request lifts
    row-level security, which proves that the explicit organisation filters (layer 2) hold by
    themselves too."""
    isolation.build_worlds(SWEEP, a, b)
    if request.param == "scoping-alone":
        real_begin_request = rls.begin_request

        def begin_request_without_rls(user_id: int | None, *, nested: bool) -> tuple[str, str, str] | None:
            previous = real_begin_request(user_id, nested=nested)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [rls.ALL_TENANTS_SETTING])
            return previous

        monkeypatch.setattr(rls, "begin_request", begin_request_without_rls)
    return a, b


def test_every_app_with_routes_has_a_sweep_module() -> None:
    labels = set(isolation.project_app_labels())
    assert {m.split(".")[1] for m in SWEEP.modules} == labels, "add tests/<app>/sweep.py for the new app"


def test_every_page_route_is_in_the_sweep() -> None:
    assert isolation.uncovered_html_routes(SWEEP) == set(), "add the new route to its app's tests/<app>/sweep.py"


def test_every_api_operation_is_in_the_sweep() -> None:
    assert isolation.uncovered_api_operations(SWEEP) == set(), "add the operation to its app's tests/<app>/sweep.py"


def test_sweep_cases_name_existing_routes() -> None:
    operations = isolation.api_operations()
    assert set(SWEEP.api) <= operations, set(SWEEP.api) - operations


@pytest.mark.parametrize("url_name", sorted(SWEEP.html))
def test_pages_answer_404_to_other_tenants(url_name: str, worlds: tuple[World, World], stranger: User) -> None:
    a, b = worlds
    assert isolation.probe_html(SWEEP.html[url_name], a, b, stranger) == []


@pytest.mark.parametrize("index", range(len(SWEEP.html_bodies)))
def test_forms_refuse_other_tenants_ids_in_the_body(index: int, worlds: tuple[World, World]) -> None:
    a, b = worlds
    assert isolation.probe_html_body(SWEEP.html_bodies[index], a, b) == []


@pytest.mark.parametrize(("template", "method"), sorted(SWEEP.api))
def test_api_answers_404_to_other_tenants(
    template: str, method: str, worlds: tuple[World, World], stranger: User
) -> None:
    a, b = worlds
    assert isolation.probe_api(template, method, SWEEP.api[(template, method)], a, b, stranger) == []


@pytest.mark.parametrize("index", range(len(SWEEP.api_bodies)))
def test_api_refuses_other_tenants_ids_in_the_body(index: int, worlds: tuple[World, World]) -> None:
    a, b = worlds
    template, method, ids, body, field = SWEEP.api_bodies[index]
    before = isolation.fingerprint(b)
    client = Client()
    client.force_login(b.owner.user, backend="organisations.backends.EmailBackend")
    url = isolation._api_url(template, b.org.slug, ids(b))
    response = getattr(client, method)(url, body(a, b), content_type="application/json")
    assert response.status_code == 400, (url, response.status_code, response.content)
    assert field in response.json(), response.json()
    assert "No such object" in str(response.json()[field])
    assert isolation.fingerprint(b) == before


# ---------------------------------------------------------------- the sweep catches a leak


@pytest.mark.urls("tests.organisations.leaky_urls")
def test_a_route_missing_from_the_sweep_is_reported() -> None:
    assert isolation.uncovered_html_routes(SWEEP, "tests.organisations.leaky_urls") == {"leaky_member"}


@pytest.mark.urls("tests.organisations.leaky_urls")
def test_the_sweep_catches_a_leaky_route(worlds: tuple[World, World], stranger: User) -> None:
    a, b = worlds
    leaky = Case("leaky_member", lambda w: {"membership_id": w.employee.pk})
    problems = isolation.probe_html(leaky, a, b, stranger)
    assert any("a's ids under b" in p and "200" in p for p in problems), problems
