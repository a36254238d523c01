"""The tenant-isolation sweep (DESIGN.md, Tenancy layer 4), as reusable probes.

Every URL pattern and every API operation must have a case here; ``uncovered_*`` lists the
ones that do not, so a new route without coverage fails the suite. ``probe_*`` return the
problems found (empty = isolated), so a test can also prove that a leaky route is caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from organisations.models import Invitation, Membership, Team
from tests.conftest import World, login
from tests.organisations.isolation_types import ApiBodyCase, BodyCase, Case, Ids, no_ids

HTML_CASES: dict[str, Case] = {
    c.url_name: c
    for c in [
        Case("my_work"),
        Case("team"),
        Case("okrs"),
        Case("goals"),
        Case("checkins"),
        Case("surveys"),
        Case("admin_home"),
        Case("people"),
        Case("people_import", methods=("get", "post")),
        Case("person_edit", lambda w: {"membership_id": w.employee.pk}, ("get", "post")),
        Case("person_deactivate", lambda w: {"membership_id": w.employee.pk}, ("post",)),
        Case("person_reactivate", lambda w: {"membership_id": w.employee.pk}, ("post",)),
        Case("invitations", methods=("get", "post")),
        Case("invitation_revoke", lambda w: {"invitation_id": w.invitation.pk}, ("post",)),
        Case("teams", methods=("get", "post")),
        Case("team_edit", lambda w: {"team_id": w.team.pk}, ("get", "post")),
        Case("team_delete", lambda w: {"team_id": w.team.pk}, ("post",)),
        Case("organisation_settings", methods=("get", "post")),
    ]
}

#: Routes outside /o/<slug>/, with why they need no tenant. Each has its own tests.
NON_TENANT_ROUTES: dict[str, str] = {
    "home": "redirects to one of the user's own organisations",
    "login": "public",
    "logout": "ends the user's own session",
    "signup": "public: creates a new organisation",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public, signed token",
    "password_reset_complete": "public",
    "profile": "the user's own account",
    "api_token_revoke": "the user's own tokens (test_tokens: another user's token answers 404)",
    "organisation_list": "the user's own memberships",
    "organisation_create": "creates a new organisation",
    "invitation_accept": "unguessable token inside the named organisation (test_invitations)",
    "api_schema": "public description of the API",
    "api_docs": "public description of the API",
    "api_token_create": "exchanges the user's own credentials",
    "api_organisation_list": "the user's own memberships",
}

#: API operations under /api/v1/orgs/{org_slug}/: (path template, method) → ids of world a.
API_CASES: dict[tuple[str, str], Ids] = {
    ("/api/v1/orgs/{org_slug}/members/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/members/{id}/", "get"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/", "patch"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/deactivate/", "post"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/reactivate/", "post"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/teams/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/teams/", "post"): no_ids,
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "get"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "patch"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "delete"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/invitations/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/invitations/", "post"): no_ids,
    ("/api/v1/orgs/{org_slug}/invitations/{id}/", "get"): lambda w: {"id": w.invitation.pk},
    ("/api/v1/orgs/{org_slug}/invitations/{id}/revoke/", "post"): lambda w: {"id": w.invitation.pk},
    ("/api/v1/orgs/{org_slug}/me/", "get"): no_ids,
}


def _member_state(w: World, membership: Membership) -> tuple[Any, ...]:
    with w.tenant():
        m = Membership.objects.get(pk=membership.pk)
        return (m.role, m.team_id, m.manager_id, m.job_title, m.is_active)


def _team_state(w: World, team: Team) -> tuple[Any, ...]:
    with w.tenant():
        t = Team.objects.get(pk=team.pk)
        return (t.name, t.parent_id)


def _counts(w: World) -> tuple[int, int, int]:
    with w.tenant():
        return (Team.objects.count(), Invitation.objects.count(), Membership.objects.count())


MEMBER_BODY_UNCHANGED = lambda a, b: _member_state(b, b.employee)  # noqa: E731
TEAM_BODY_UNCHANGED = lambda a, b: (_team_state(b, b.team), _counts(b))  # noqa: E731

HTML_BODY_CASES: list[BodyCase] = [
    BodyCase(
        "person_edit",
        lambda w: {"membership_id": w.employee.pk},
        lambda a, b: {"role": "employee", "team": a.team.pk, "manager": b.manager.pk, "job_title": "x"},
        MEMBER_BODY_UNCHANGED,
    ),
    BodyCase(
        "person_edit",
        lambda w: {"membership_id": w.employee.pk},
        lambda a, b: {"role": "employee", "team": b.team.pk, "manager": a.manager.pk, "job_title": "x"},
        MEMBER_BODY_UNCHANGED,
    ),
    BodyCase(
        "invitations",
        no_ids,
        lambda a, b: {"email": "new@example.test", "role": "employee", "team": a.team.pk},
        lambda a, b: _counts(b),
    ),
    BodyCase(
        "invitations",
        no_ids,
        lambda a, b: {"email": "new@example.test", "role": "employee", "manager": a.manager.pk},
        lambda a, b: _counts(b),
    ),
    BodyCase(
        "teams", no_ids, lambda a, b: {"name": "X", "kind": "team", "parent": a.department.pk}, TEAM_BODY_UNCHANGED
    ),
    BodyCase(
        "team_edit",
        lambda w: {"team_id": w.team.pk},
        lambda a, b: {"name": "X", "parent": a.department.pk},
        TEAM_BODY_UNCHANGED,
    ),
]

API_BODY_CASES: list[ApiBodyCase] = [
    # (path template, method, ids of b's own object, body with a's ids, field that must carry the error)
    (
        "/api/v1/orgs/{org_slug}/members/{id}/",
        "patch",
        lambda w: {"id": w.employee.pk},
        lambda a, b: {"team": a.team.pk},
        "team",
    ),
    (
        "/api/v1/orgs/{org_slug}/members/{id}/",
        "patch",
        lambda w: {"id": w.employee.pk},
        lambda a, b: {"manager": a.manager.pk},
        "manager",
    ),
    (
        "/api/v1/orgs/{org_slug}/teams/",
        "post",
        no_ids,
        lambda a, b: {"name": "X", "kind": "team", "parent": a.department.pk},
        "parent",
    ),
    (
        "/api/v1/orgs/{org_slug}/teams/{id}/",
        "patch",
        lambda w: {"id": w.team.pk},
        lambda a, b: {"parent": a.department.pk},
        "parent",
    ),
    (
        "/api/v1/orgs/{org_slug}/invitations/",
        "post",
        no_ids,
        lambda a, b: {"email": "n@example.test", "team": a.team.pk},
        "team",
    ),
    (
        "/api/v1/orgs/{org_slug}/invitations/",
        "post",
        no_ids,
        lambda a, b: {"email": "n@example.test", "manager": a.manager.pk},
        "manager",
    ),
]


# The OKR app's cases live beside its tests; merged here so one sweep covers every route.
from tests.okrs import sweep_cases as _okrs  # noqa: E402

HTML_CASES.update({c.url_name: c for c in _okrs.HTML_CASES})
HTML_BODY_CASES += _okrs.HTML_BODY_CASES
API_CASES.update(_okrs.API_CASES)
API_BODY_CASES += _okrs.API_BODY_CASES


# ---------------------------------------------------------------- coverage


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p.name))
    return found


def uncovered_html_routes(urlconf: str | None = None) -> set[str]:
    missing: set[str] = set()
    for route, name in _walk(get_resolver(urlconf).url_patterns):
        if route.startswith("api/"):
            continue  # API operations are swept through the OpenAPI schema
        key = name or route
        if "<slug:org_slug>" in route:
            if key not in HTML_CASES:
                missing.add(key)
        elif key not in NON_TENANT_ROUTES:
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


def uncovered_api_operations(urlconf: str | None = None) -> set[tuple[str, str]]:
    missing = set()
    for path, method in api_operations(urlconf):
        if "{org_slug}" in path:
            if (path, method) not in API_CASES:
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


def fingerprint(w: World) -> tuple[Any, ...]:
    """Everything a foreign write could change in world ``w``."""
    with w.tenant():
        return (
            sorted(Membership.objects.values_list("id", "role", "team_id", "manager_id", "job_title", "is_active")),
            sorted(Team.objects.values_list("id", "name", "parent_id")),
            sorted(Invitation.objects.values_list("id", "revoked_at", "accepted_at")),
            _okrs.fingerprint(w),
        )


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
