"""The primary jobs with the keyboard alone (issue 13): no click, no mouse. Pages are opened by
address (typing a URL is a keyboard act); everything on them is reached with Tab and used with
Enter, Space and the arrow keys. After every update the focus is visible and still where the
person was working, never back at the top of the page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from okrs import services
from okrs.models import Alignment, Cycle, CycleKind, CycleState, Objective
from organisations.models import Membership
from tests.conftest import build_world
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_okrs_manage import current_quarter
from tests.factories import PASSWORD
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_TABS = 150  # a page needing more to reach its main control has a keyboard problem of its own


def is_focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, locator: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; fail if it never does."""
    for _ in range(MOST_TABS):
        if locator.count() == 1 and is_focused(locator):
            assert_focus_visible(page)
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{locator} never received the focus in {MOST_TABS} presses of Tab")


def assert_focus_visible(page: Page) -> None:
    """The focused element draws a ring: an outline of at least 2 px that is not transparent."""
    ring = page.evaluate(
        """() => { const el = document.activeElement; const s = getComputedStyle(el);
                   return {tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           color: s.outlineColor}; }"""
    )
    assert ring["tag"] != "BODY", "the focus fell back to the page itself"
    assert ring["style"] != "none", f"no visible focus ring on {ring}"
    assert ring["width"] >= 2, f"too thin a focus ring on {ring}"
    assert ring["color"] not in ("transparent", "rgba(0, 0, 0, 0)"), f"invisible focus ring on {ring}"


def announced(page: Page) -> Locator:
    return page.locator("#announcer")


def sign_in(page: Page, live_server: LiveServer, membership: Membership) -> None:
    page.goto(f"{live_server.url}/login/")
    tab_to(page, page.get_by_label("E-mail"))
    page.keyboard.type(membership.user.email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_employee_updates_a_key_result_and_creates_an_aligned_objective_by_keyboard(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    team = ObjectiveFactory(cycle=quarter, owner=a.manager, team=a.team, level="team", title="Launch the platform")
    mine = ObjectiveFactory(cycle=quarter, owner=a.employee, team=a.team, title="Ship the API")
    kr = KeyResultFactory(objective=mine, owner=a.employee, title="Endpoints live", target_value=Decimal(10))
    sign_in(page, live_server, a.employee)

    # 1. Update the key result inline: Tab to its value, type, Enter.
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/?cycle={quarter.pk}")
    row = page.locator(f"#kr-{kr.pk}")
    tab_to(page, row.get_by_label(re.compile(r"^Current value")))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text(re.compile(r"^Progress saved: Endpoints live: 7 of 10.*70%\.$"))
    expect(row.locator(".kr-pct")).to_have_text("70%")
    assert page.evaluate(f"() => document.getElementById('kr-{kr.pk}').contains(document.activeElement)")
    assert_focus_visible(page)

    # A refused value is announced and the focus goes to the field that needs fixing.
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("lots")
    page.keyboard.press("Enter")
    expect(announced(page)).to_have_text(re.compile(r"^Progress not saved: "))
    expect(row.get_by_label(re.compile(r"^Current value"))).to_be_focused()
    expect(row.get_by_label(re.compile(r"^Current value"))).to_have_attribute("aria-invalid", "true")

    # 2. Create an objective and align it to the team's, without the mouse.
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/objectives/new/?cycle={quarter.pk}")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Make the API fast")
    tab_to(page, page.get_by_role("button", name="Create objective"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the API fast")
    with a.tenant():
        created = Objective.objects.get(title="Make the API fast")

    tab_to(page, page.get_by_role("link", name="Align to a parent").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Align to a parent")
    tab_to(page, page.get_by_label("Search by title"))
    with page.expect_response(re.compile(r"/align/search/\?q=platform")):
        page.keyboard.type("platform")  # the results follow the typing (htmx, after a pause)
    choice = page.get_by_role("radio", name=re.compile(r"^Launch the platform"))
    expect(choice).to_be_visible()
    tab_to(page, choice)
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Align", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the API fast")
    with a.tenant():
        assert Alignment.objects.filter(child=created, parent_objective=team).exists()
    console.assert_clean("the employee's keyboard walk")


def test_manager_opens_the_team_view_and_expands_the_tree_by_keyboard(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    company = ObjectiveFactory(cycle=quarter, owner=a.owner, level="company", title="Win the market")
    team = ObjectiveFactory(cycle=quarter, owner=a.manager, level="team", team=a.team, title="Launch the platform")
    ObjectiveFactory(cycle=quarter, owner=a.employee, team=a.team, title="Ship the mobile app")
    with a.tenant():
        services.alignment_create(actor=a.owner, child=team, parent_objective=company)
    sign_in(page, live_server, a.manager)

    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's OKRs")
    link = page.get_by_role("link", name="Ship the mobile app")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ship the mobile app")

    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/tree/?cycle={quarter.pk}")
    toggle = page.locator(f"#toggle-{company.pk}")
    tab_to(page, toggle)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_be_visible()
    expect(page.locator(f"#toggle-{company.pk}")).to_have_attribute("aria-expanded", "true")
    # The focus stays on the control just used, so Enter again collapses it.
    expect(page.locator(f"#toggle-{company.pk}")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_have_count(0)
    console.assert_clean("the manager's keyboard walk")


def test_hr_generates_a_fiscal_year_and_changes_a_cycle_state_by_keyboard(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    sign_in(page, live_server, a.admin)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/cycles/")
    tab_to(page, page.get_by_role("button", name="Generate year and quarters"))
    page.keyboard.press("Enter")
    expect(page.locator(".message.success")).to_contain_text("Generated")
    with a.tenant():
        quarter = Cycle.objects.filter(kind=CycleKind.QUARTER).order_by("start_date").last()
    assert quarter is not None
    assert quarter.state != CycleState.CLOSED

    select = page.get_by_label(f"State of {quarter.name}")
    tab_to(page, select)
    page.keyboard.press("End")  # the last state, Closed, on a focused <select> without opening it
    expect(select).to_have_value(CycleState.CLOSED)
    page.keyboard.press("Tab")
    expect(page.locator(f"form:has(#state-{quarter.pk}) button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".message.success")).to_be_visible()
    with a.tenant():
        quarter.refresh_from_db()
    assert quarter.state == CycleState.CLOSED
    console.assert_clean("HR's keyboard walk")
