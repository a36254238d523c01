"""Issue 7 item 21 and the scale issue's item 7: the OpenAPI schema tells the truth, and
fuzzing finds no server error and nothing of another organisation.

A bounded schemathesis run (a few generated requests per operation, as an owner, an HR admin, a
manager and an employee, through the WSGI app against the real database) must find no server
error and no response that violates the schema. A second run, as members of another
organisation, aims every generated request at the first organisation's ids (the isolation
sweep's own id map) and must find no server error and nothing of the first organisation. The four disagreements the issue found are also pinned
one by one, so a regression names itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from organisations import services as org_services
from tests.conftest import World, build_world, login
from tests.kit import isolation

SCHEMA_URL = "/api/v1/schema/?format=json"


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    # Like Django's test client: the WSGI app must not close the test's database connection
    # (the test's transaction holds the world the requests read).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearers(db: None) -> tuple[World, list[dict[str, str]]]:
    """World a, and the headers of an owner's, an HR admin's, a manager's and an employee's token
    (each case runs as all four)."""
    w = build_world("alpha", "Alpha")
    headers = []
    for member in (w.owner, w.admin, w.manager, w.employee):
        _, raw = org_services.api_token_create(user=member.user, name="schemathesis")
        headers.append({"Authorization": f"Bearer {raw}"})
    return w, headers


def test_api_answers_as_its_schema_says(api_schema: Any, bearers: tuple[World, list[dict[str, str]]]) -> None:
    """Every operation, a few generated requests each, as an owner and as an employee: no server
    error, no response outside the schema."""
    w, headers = bearers
    problems: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            if "org_slug" in (case.path_parameters or {}):
                case.path_parameters["org_slug"] = w.org.slug
            for role_headers in headers:
                case.call_and_validate(headers=role_headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as exc:  # every operation's finding is collected, then reported at once
            problems.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    assert problems == []


def _fuzz_aimed(
    operation: Any,
    targets: dict[str, Any],
    *,
    slugs: tuple[str, ...],
    headers: list[dict[str, str]],
    leaks: tuple[str, ...],
) -> Any:
    """A bounded run of ``operation`` with its ids fixed to ``targets``, under each slug, as each caller."""

    @given(case=operation.as_strategy())
    @settings(max_examples=2, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        for slug in slugs:
            parameters = {**(case.path_parameters or {}), **targets}
            if "org_slug" in parameters:
                parameters["org_slug"] = slug
            case.path_parameters = parameters
            for role_headers in headers:
                response = case.call_and_validate(
                    headers=role_headers, checks=[not_a_server_error, response_schema_conformance]
                )
                leaked = [marker for marker in leaks if marker in response.text]
                assert not leaked, f"{case.formatted_path} answered with {leaked}: {response.text[:200]}"

    return run


def test_fuzzing_as_another_organisation_finds_nothing_of_the_first(api_schema: Any) -> None:
    """Members of b (owner and employee) send generated requests at a's ids under their own
    organisation's address and under a's: never a server error, never a response outside the
    schema, never a byte of a (its slug, its name) in what comes back."""
    sweep = isolation.discover()
    a, b = build_world("alpha", "Alpha"), build_world("beta", "Beta")
    isolation.build_worlds(sweep, a, b)
    headers = []
    for member in (b.owner, b.employee):
        _, raw = org_services.api_token_create(user=member.user, name="schemathesis")
        headers.append({"Authorization": f"Bearer {raw}"})
    leaks_of_a = ("Alpha", f"/{a.org.slug}/")
    problems: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        ids_of_a = sweep.api.get((operation.path, operation.method.lower()))
        if ids_of_a is None and "{org_slug}" in operation.path:
            problems.append(f"{operation.method.upper()} {operation.path}: not in the isolation sweep")
            continue
        targets = ids_of_a(a) if ids_of_a else {}  # outside an organisation (tokens): no ids to aim
        run = _fuzz_aimed(operation, targets, slugs=(b.org.slug, a.org.slug), headers=headers, leaks=leaks_of_a)

        try:
            run()
        except Exception as exc:  # every operation's finding is collected, then reported at once
            problems.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    assert problems == []


def _schema(client: Client) -> dict[str, Any]:
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return dict(response.json())


def test_the_four_findings_are_true_in_the_schema(a: World) -> None:
    spec = _schema(Client())
    components = spec["components"]["schemas"]
    assert components["BlankEnum"]["enum"] == [""]
    for name, field in (
        ("KeyResult", "confidence"),
        ("KeyResultInObjective", "confidence"),
        ("Objective", "worst_confidence"),
    ):
        refs = [option["$ref"] for option in components[name]["properties"][field]["oneOf"]]
        assert "#/components/schemas/BlankEnum" in refs, name
    assert "company" in components["TeamKindEnum"]["enum"]
    me = spec["paths"]["/api/v1/orgs/{org_slug}/me/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "Paginated" not in me["schema"]["$ref"]
    generated = spec["paths"]["/api/v1/orgs/{org_slug}/cycles/generate-year/"]["post"]["responses"]["201"]
    assert generated["content"]["application/json"]["schema"]["type"] == "array"
    # And the responses agree: /me/ is one membership; a team list shows the company team.
    client = login(Client(), a.owner)
    assert client.get(f"/api/v1/orgs/{a.org.slug}/me/").json()["id"] == a.owner.pk
    kinds = {team["kind"] for team in client.get(f"/api/v1/orgs/{a.org.slug}/teams/").json()["results"]}
    assert "company" in kinds


def test_schema_generates_without_warnings() -> None:
    """Two serializers with one component name (or two choice sets with one enum name) make
    drf-spectacular pick one silently: the schema then describes the wrong body. The deploy check
    fails on these warnings too; this says which earlier and faster."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
