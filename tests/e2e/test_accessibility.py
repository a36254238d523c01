"""The accessibility gate: axe (WCAG 2.0 / 2.1, levels A and AA) on every page of every app, for
each role that may use it, at 1280 and 390 px. Any violation fails the suite.

The tenant pages come from the isolation sweep's cases (tests/<app>/sweep.py), which must cover
every route: so a new page is checked as soon as its route exists, the way the sweep checks its
isolation. Pages outside a tenant are listed here; ``test_every_page_is_in_the_gate`` fails when
a route is in neither list nor exempted with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from organisations import services as org_services
from organisations.models import Membership, User
from tests.conftest import World, build_world, login
from tests.kit import isolation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
ROLES = ("owner", "admin", "manager", "employee")
SWEEP = isolation.discover()
AXE = Axe()

Url = Callable[[World], str]


def _token_reset_url(w: World) -> str:
    user = w.employee.user
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _invitation_url(w: World) -> str:
    with w.tenant():
        _, raw = org_services.invitation_create(actor=w.admin, email="new.hire@example.test", send=False)
    return reverse("invitation_accept", kwargs={"join_slug": w.org.slug, "token": raw})


def _checkins_unsubscribe_token(w: World) -> str:
    from checkins.delivery import unsubscribe_token

    return unsubscribe_token(w.employee)


#: Pages outside /o/<slug>/ for a visitor who is not signed in.
PUBLIC_PAGES: dict[str, Url] = {
    "login": lambda w: reverse("login"),
    "signup": lambda w: reverse("signup"),
    "password_reset": lambda w: reverse("password_reset"),
    "password_reset_done": lambda w: reverse("password_reset_done"),
    "password_reset_complete": lambda w: reverse("password_reset_complete"),
    "password_reset_confirm": _token_reset_url,
    "invitation_accept": _invitation_url,
    "checkins_public:unsubscribe": lambda w: reverse(
        "checkins_public:unsubscribe", kwargs={"token": _checkins_unsubscribe_token(w)}
    ),
}
#: Pages outside /o/<slug>/ for a signed-in member.
ACCOUNT_PAGES: dict[str, Url] = {
    "profile": lambda w: reverse("profile"),
    "organisation_list": lambda w: reverse("organisation_list"),
    "organisation_create": lambda w: reverse("organisation_create"),
}
#: Routes that are not pages a person reads, or that are checked another way, with why.
EXEMPT: dict[str, str] = {
    "home": "redirects to My work of the user's organisation (checked as organisations:my_work)",
    "logout": "a POST that redirects to the login page",
    "api_token_revoke": "a POST that redirects to the profile",
    "api_schema": "JSON, not a page",
    "checkins_public:calendar": "an iCalendar feed (text/calendar) for calendar apps, not a page",
    "api_docs": (
        "checked by test_api_docs_have_a_language_and_only_swagger_s_own_nesting with one rule off: Swagger UI's "
        "own markup (drf-spectacular-sidecar) nests interactive controls in its operation summaries, which we "
        "cannot change without forking it"
    ),
}


#: Tenant routes that are not pages of their own, with why.
TENANT_EXEMPT: dict[str, str] = {
    "organisations:admin_home": "redirects to the people page (checked as organisations:people)",
    "okrs:tree_children": "the htmx region of one tree node; checked inside the tree page with nodes open (VARIANTS)",
    "organisations:people_search": "the radio buttons htmx swaps into a person picker, not a page; the tree page "
    "holding the picker is checked, and tests/e2e/test_okrs_manage.py types into it",
}
#: Routes whose page needs a query string to be a page at all, and what it is.
PAGE_QUERY: dict[str, Callable[[World], str]] = {
    # One report of the viewer's line opened (without ?member= it sends you back to the team view).
    "okrs:team_person": lambda w: f"?member={w.employee.pk}",
}
#: More states of a page to check than its plain URL shows, as extra query strings.
VARIANTS: dict[str, Callable[[World], str]] = {
    "okrs:tree": lambda w: f"?open={w.okrs.company.pk}&open={w.okrs.team.pk}",
    # The map's level below a node and a key result's supporters (the plain URL lists what supports nothing).
    "okrs:alignment_map_more": lambda w: f"?parent=all:{w.okrs.team.pk}",
}


def _routes() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns, prefix + str(p.pattern), f"{namespace}{p.namespace}:" if p.namespace else namespace
                )
            elif isinstance(p, URLPattern) and p.name:
                found.append((prefix + str(p.pattern), namespace + p.name))

    walk(get_resolver().url_patterns, "", "")
    return found


def tenant_pages() -> list[str]:
    return sorted(name for name, case in SWEEP.html.items() if "get" in case.methods and name not in TENANT_EXEMPT)


def test_every_page_is_in_the_gate() -> None:
    missing = []
    for route, name in _routes():
        if route.startswith("api/") and name not in EXEMPT:
            continue  # the API is JSON
        if "<slug:org_slug>" in route:
            case = SWEEP.html.get(name)
            if case is None:
                missing.append(name)  # the isolation sweep reports it too
        elif name not in PUBLIC_PAGES and name not in ACCOUNT_PAGES and name not in EXEMPT:
            missing.append(name)
    assert missing == [], f"add these pages to the accessibility gate (or exempt them with a reason): {missing}"


# ---------------------------------------------------------------- running axe


#: Pictures without words (issue 13.5): an <svg> that is not hidden from assistive technology must
#: be an image with a name that says what it shows ("Progress history: 20%, 45%, 70%").
UNNAMED_CHARTS = """() => [...document.querySelectorAll('svg')]
  .filter(svg => svg.closest('[aria-hidden="true"]') === null)
  .filter(svg => !(svg.getAttribute('role') === 'img'
                   && ((svg.getAttribute('aria-label') || '').trim() || svg.getAttribute('aria-labelledby'))))
  .map(svg => svg.outerHTML.slice(0, 120))"""
#: One polite live region present from page load (issue 13.3), for htmx updates to speak through.
LIVE_REGION = "() => document.querySelectorAll('#announcer[role=status][aria-live=polite]').length"


def violations(page: Page, where: str) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
    found = [f"{where}: a chart without a text equivalent — {svg}" for svg in page.evaluate(UNNAMED_CHARTS)]
    if page.evaluate(LIVE_REGION) != 1:
        found.append(f"{where}: no polite live region (#announcer) from page load")
    for violation in results.response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']} — {targets}")
    return found


def _session_cookie(live_server: LiveServer, user: User) -> dict[str, Any]:
    client = login(Client(), user)
    value = client.cookies["sessionid"].value
    return {"name": "sessionid", "value": value, "url": live_server.url}


@pytest.fixture
def visit(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[User | None, str, str], list[str]]]:
    contexts: dict[int | None, Any] = {}

    def run(user: User | None, url: str, label: str) -> list[str]:
        key = user.pk if user else None
        if key not in contexts:
            context = browser.new_context(locale="en-GB")
            if user is not None:
                context.add_cookies([_session_cookie(live_server, user)])
            contexts[key] = context.new_page()
        page = contexts[key]
        problems = []
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)  # type: ignore[arg-type]
            response = page.goto(live_server.url + url)
            assert response is not None
            assert response.status == 200, f"{label} at {width} px: {response.status}"
            problems += violations(page, f"{label} at {width} px")
        return problems

    yield run
    for page in contexts.values():
        page.context.close()


def _record(rows: list[tuple[str, str]]) -> None:
    """Keep a tally of what the gate checked (test-artifacts/axe-coverage.jsonl), for the report."""
    path = Path("test-artifacts") / "axe-coverage.jsonl"
    path.parent.mkdir(exist_ok=True)
    with path.open("a") as out:
        for page, role in rows:
            out.write(json.dumps({"page": page, "role": role, "widths": list(WIDTHS)}) + "\n")


@pytest.mark.parametrize("name", tenant_pages())
def test_tenant_page_has_no_accessibility_violation(name: str, visit: Any) -> None:
    w = build_world("alpha", "Alpha")
    isolation.build_worlds(SWEEP, w)
    case = SWEEP.html[name]
    url = reverse(name, kwargs={"org_slug": w.org.slug, **case.ids(w)})
    url += PAGE_QUERY[name](w) if name in PAGE_QUERY else ""
    urls = [url] + ([url + VARIANTS[name](w)] if name in VARIANTS else [])
    problems: list[str] = []
    checked = []
    for role in ROLES:
        member: Membership = getattr(w, role)
        if login(Client(), member).get(url).status_code != 200:
            continue  # not this role's page (403, 404)
        for each in urls:
            problems += visit(member.user, each, f"{name} as {role}")
        checked.append((name, role))
    assert checked, f"{name}: no role could open it"
    _record(checked)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_page_has_no_accessibility_violation(name: str, visit: Any) -> None:
    w = build_world("alpha", "Alpha")
    problems = visit(None, PUBLIC_PAGES[name](w), name)
    _record([(name, "visitor")])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_page_has_no_accessibility_violation(name: str, visit: Any) -> None:
    w = build_world("alpha", "Alpha")
    problems = visit(w.employee.user, ACCOUNT_PAGES[name](w), name)
    _record([(name, "employee")])
    assert problems == [], "\n".join(problems)


def test_api_docs_have_a_language_and_only_swagger_s_own_nesting(page: Page, live_server: LiveServer) -> None:
    """The docs page is exempt from the gate for one rule only: the nested controls of Swagger UI's
    operation summaries (EXEMPT["api_docs"]). Everything else axe checks must pass."""
    w = build_world("alpha", "Alpha")
    page.context.add_cookies([_session_cookie(live_server, w.employee.user)])
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("Ascent API").first.wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG},
            "rules": {"nested-interactive": {"enabled": False}},
            "resultTypes": ["violations"],
        },
    )
    problems = [
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in results.response["violations"]
    ]
    assert problems == [], problems
