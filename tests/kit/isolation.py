"""The tenant-isolation sweep (DESIGN.md, Tenancy layer 4): case discovery, coverage and probes.

Each app declares its cases in ``tests/<app label>/sweep.py`` (the shapes are in
``tests.kit.sweep_types``); ``discover()`` gathers them from every installed project app, so a new
app is covered by adding its own file. Every URL pattern and every API operation must have a case;
``uncovered_*`` lists the ones that do not, so a new route without coverage fails the suite.
``probe_*`` return the problems found (empty = isolated), so a test can also prove that a leaky
route is caught.

A sweep module may define:

- ``HTML_CASES: list[Case]``, ``HTML_BODY_CASES: list[BodyCase]``,
  ``API_CASES: dict[(path template, method), Ids]``, ``API_BODY_CASES: list[ApiBodyCase]``;
- ``NON_TENANT_ROUTES: dict[url name, why it needs no tenant]`` for routes outside /o/<slug>/;
- ``build(w)``: the app's data in a test world (stored on the world under the app's label), and
  ``fingerprint(w)``: everything a foreign write could change in it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import World, login
from tests.kit.sweep_types import ApiBodyCase, BodyCase, Case, Ids

ROOT = Path(__file__).resolve().parent.parent.parent


def project_app_labels() -> list[str]:
    """Labels of the installed apps whose code lives in this repository (not in site-packages)."""
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(config.path).parts
    ]


@dataclass
class Sweep:
    html: dict[str, Case] = field(default_factory=dict)
    html_bodies: list[BodyCase] = field(default_factory=list)
    api: dict[tuple[str, str], Ids] = field(default_factory=dict)
    api_bodies: list[ApiBodyCase] = field(default_factory=list)
    non_tenant: dict[str, str] = field(default_factory=dict)
    builders: list[tuple[str, Callable[[World], Any]]] = field(default_factory=list)
    fingerprints: list[Callable[[World], Any]] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)


def sweep_module(label: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"tests.{label}.sweep")
    except ModuleNotFoundError as exc:
        if exc.name in (f"tests.{label}", f"tests.{label}.sweep"):
            return None
        raise


def discover(labels: Iterable[str] | None = None) -> Sweep:
    """Every project app's sweep cases, merged (``labels``: only these apps')."""
    sweep = Sweep()
    for label in project_app_labels() if labels is None else labels:
        module = sweep_module(label)
        if module is None:
            continue
        sweep.modules.append(module.__name__)
        sweep.html.update({case.url_name: case for case in getattr(module, "HTML_CASES", [])})
        sweep.html_bodies += getattr(module, "HTML_BODY_CASES", [])
        sweep.api.update(getattr(module, "API_CASES", {}))
        sweep.api_bodies += getattr(module, "API_BODY_CASES", [])
        sweep.non_tenant.update(getattr(module, "NON_TENANT_ROUTES", {}))
        if hasattr(module, "build"):
            sweep.builders.append((label, module.build))
        if hasattr(module, "fingerprint"):
            sweep.fingerprints.append(module.fingerprint)
    return sweep


def build_worlds(sweep: Sweep, *worlds: World) -> None:
    """Give each world every app's sweep data (``w.<label>``, when ``build`` returns some), in app order."""
    for w in worlds:
        for label, build in sweep.builders:
            data = build(w)
            if data is not None:
                setattr(w, label, data)


# ---------------------------------------------------------------- coverage


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str | None]]:
    """(route, namespaced url name) of every pattern."""
    found: list[tuple[str, str | None]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None))
    return found


def uncovered_html_routes(sweep: Sweep, urlconf: str | None = None) -> set[str]:
    missing: set[str] = set()
    for route, name in _walk(get_resolver(urlconf).url_patterns):
        if route.startswith("api/"):
            continue  # API operations are swept through the OpenAPI schema
        key = name or route
        if "<slug:org_slug>" in route:
            if key not in sweep.html:
                missing.add(key)
        elif key not in sweep.non_tenant:
            missing.add(key)
    return missing


def api_operations(urlconf: str | None = None) -> set[tuple[str, str]]:
    patterns = get_resolver(urlconf).url_patterns
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    return {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def uncovered_api_operations(sweep: Sweep, urlconf: str | None = None) -> set[tuple[str, str]]:
    missing = set()
    for path, method in api_operations(urlconf):
        if "{org_slug}" in path:
            if (path, method) not in sweep.api:
                missing.add((path, method))
        elif path.rstrip("/").split("/")[-1] not in {"tokens", "orgs", "schema", "docs"}:
            missing.add((path, method))
    return missing


# ---------------------------------------------------------------- probes


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def expect(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)


def fingerprint(w: World, sweep: Sweep | None = None) -> tuple[Any, ...]:
    """Everything a foreign write could change in world ``w``: each app's own fingerprint."""
    sweep = sweep or discover()
    return tuple(take(w) for take in sweep.fingerprints)


def _send(client: Client, method: str, url: str, data: dict[str, Any] | None = None, *, json: bool = False) -> Any:
    if method == "get":
        return client.get(url)
    if json:
        return getattr(client, method)(url, data or {}, content_type="application/json")
    return getattr(client, method)(url, data or {})


def probe_html(case: Case, a: World, b: World, stranger: Any) -> list[str]:
    """B's owner, a stranger and an anonymous visitor try ``case`` on A's objects."""
    findings = Findings()
    before = fingerprint(a)
    b_owner = login(Client(), b.owner)
    outsider = login(Client(), stranger)
    anonymous = Client()
    ids = case.ids(a)
    foreign_slug = reverse(case.url_name, kwargs={"org_slug": a.org.slug, **ids})
    for method in case.methods:
        for who, client in (("b's owner", b_owner), ("a stranger", outsider)):
            response = _send(client, method, foreign_slug, {"name": "X", "email": "x@example.test"})
            findings.expect(
                response.status_code == 404,
                f"{method.upper()} {foreign_slug} as {who}: {response.status_code}, expected 404",
            )
            findings.expect(
                a.org.name not in response.content.decode(errors="ignore"),
                f"{method.upper()} {foreign_slug} as {who} shows {a.org.name!r}",
            )
        response = _send(anonymous, method, foreign_slug)
        findings.expect(
            response.status_code in (302, 404), f"{method.upper()} {foreign_slug} anonymous: {response.status_code}"
        )
        if ids:
            own_slug = reverse(case.url_name, kwargs={"org_slug": b.org.slug, **ids})
            response = _send(b_owner, method, own_slug, {"name": "X", "email": "x@example.test"})
            findings.expect(
                response.status_code == 404,
                f"{method.upper()} {own_slug} (a's ids under b) as b's owner: {response.status_code}, expected 404",
            )
            findings.expect(
                a.org.name not in response.content.decode(errors="ignore"),
                f"{method.upper()} {own_slug} shows a's data",
            )
    findings.expect(fingerprint(a) == before, f"{case.url_name}: a's data changed")
    return findings.problems


def probe_html_body(case: BodyCase, a: World, b: World) -> list[str]:
    findings = Findings()
    before_a, before_b = fingerprint(a), case.unchanged(a, b)
    url = reverse(case.url_name, kwargs={"org_slug": b.org.slug, **case.ids(b)})
    response = login(Client(), b.owner).post(url, case.body(a, b))
    findings.expect(
        response.status_code == 200, f"POST {url} with a's ids: {response.status_code}, expected the form again (200)"
    )
    findings.expect(b"error" in response.content, f"POST {url} with a's ids shows no error")
    findings.expect(case.unchanged(a, b) == before_b, f"POST {url} with a's ids changed b's data")
    findings.expect(fingerprint(a) == before_a, f"POST {url} with a's ids changed a's data")
    return findings.problems


def _api_url(template: str, slug: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str({"org_slug": slug, **ids}[m.group(1)]), template)


def probe_api(template: str, method: str, ids: Ids, a: World, b: World, stranger: Any) -> list[str]:
    findings = Findings()
    before = fingerprint(a)
    body = {"name": "X", "email": "x@example.test", "role": "employee"}
    for who, client in (("b's owner", login(Client(), b.owner)), ("a stranger", login(Client(), stranger))):
        url = _api_url(template, a.org.slug, ids(a))
        response = _send(client, method, url, body, json=True)
        findings.expect(
            response.status_code == 404, f"{method.upper()} {url} as {who}: {response.status_code}, expected 404"
        )
    if ids(a):
        url = _api_url(template, b.org.slug, ids(a))
        response = _send(login(Client(), b.owner), method, url, body, json=True)
        findings.expect(
            response.status_code == 404,
            f"{method.upper()} {url} (a's ids under b): {response.status_code}, expected 404",
        )
    url = _api_url(template, a.org.slug, ids(a))
    response = _send(Client(), method, url, body, json=True)
    findings.expect(response.status_code in (401, 403), f"{method.upper()} {url} anonymous: {response.status_code}")
    findings.expect(fingerprint(a) == before, f"{method.upper()} {template}: a's data changed")
    return findings.problems
