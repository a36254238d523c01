"""A manager's alignment review in Chromium (issue 14): the manager finds the report's objective
that supports nothing (team view filter and the alignment map, from the OKR sub-navigation),
sends it back with a comment; the employee reads the comment in My work, aligns the objective;
it is awaiting approval again and the manager approves it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from okrs import services
from okrs.models import ApprovalState, KeyResultSource, Objective
from tests.conftest import build_world
from tests.e2e.conftest import DESKTOP, ConsoleLog
from tests.e2e.test_okrs_manage import PHONE, current_quarter, sign_in
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Please align this to our activation key result."


def test_manager_sends_back_the_unaligned_objective_the_employee_aligns_it_and_it_is_approved(
    page: Page, browser: Browser, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    team_objective = ObjectiveFactory(
        cycle=quarter, owner=a.manager, level="team", team=a.team, title="Make onboarding effortless"
    )
    kr = KeyResultFactory(
        objective=team_objective,
        owner=a.manager,
        title="Activation rate to 60 %",
        progress_source=KeyResultSource.ALIGNED_CHILDREN,
    )
    loose = ObjectiveFactory(cycle=quarter, owner=a.employee, title="Polish the signup screens")
    base = f"{live_server.url}/o/{a.org.slug}"

    # The manager finds it: the sub-navigation, the team view's "unaligned only", the map.
    sign_in(page, live_server, a.manager)
    page.goto(f"{base}/okrs/")
    page.get_by_role("navigation", name="OKRs pages").get_by_role("link", name="Team view").click()
    expect(page.get_by_role("heading", name="Key results nobody supports")).to_be_visible()
    page.get_by_label("Alignment").select_option("unaligned")
    row = page.locator("tr.okr-team-row", has_text="Polish the signup screens")
    expect(row).to_contain_text("Supports nothing")
    page.get_by_role("navigation", name="OKRs pages").get_by_role("link", name="Alignment map").click()
    side = page.locator("aside.okr-map-side")
    expect(side).to_contain_text("Polish the signup screens")
    expect(page.locator(".okr-map-group", has_text="Activation rate to 60 %")).to_contain_text("Nobody supports it yet")
    side.get_by_role("link", name="Polish the signup screens").click()

    # … and sends it back with a comment.
    expect(page.get_by_role("heading", name=re.compile("Approval"))).to_contain_text("Awaiting approval")
    page.get_by_label("Comment").fill(COMMENT)
    page.get_by_role("button", name="Send back with the comment").click()
    expect(page.locator("#approval")).to_contain_text("Changes requested")
    expect(page.locator("#approval")).to_contain_text(COMMENT)
    console.assert_clean("the manager's review")

    # The employee reads it in My work (at phone width), aligns the objective: pending again.
    employee_context = browser.new_context(viewport=PHONE, locale="en-GB")  # type: ignore[arg-type]
    employee_context.set_default_timeout(10_000)
    employee = employee_context.new_page()
    sign_in(employee, live_server, a.employee)
    employee.goto(f"{base}/")
    sent_back = employee.locator(".okr-sent-back")
    expect(sent_back).to_contain_text("Sent back to you")
    expect(sent_back).to_contain_text(COMMENT)
    sent_back.get_by_role("link", name="Polish the signup screens").click()
    employee.get_by_role("link", name="Align to a parent").first.click()
    employee.get_by_label(re.compile("Key result: Activation rate to 60 %")).check()
    employee.get_by_role("button", name="Align").click()
    expect(employee.locator("#approval")).to_contain_text("Awaiting approval")
    expect(employee.get_by_role("heading", name="Aligned to")).to_be_visible()
    employee_context.close()

    # The manager approves it.
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    page.reload()
    expect(page.locator("#approval")).to_contain_text("Awaiting approval")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#approval")).to_contain_text("Approved")
    with a.tenant():
        assert Objective.objects.get(pk=loose.pk).approval_state == ApprovalState.APPROVED
        assert Objective.objects.get(pk=loose.pk).parent_links.filter(parent_key_result=kr).exists()
    console.assert_clean("the approval")


def test_the_alignment_map_is_a_keyboard_usable_list_at_phone_width(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    team_objective = ObjectiveFactory(cycle=quarter, owner=a.manager, level="team", team=a.team, title="Team goal")
    kr = KeyResultFactory(
        objective=team_objective, title="Fed by the team", progress_source=KeyResultSource.ALIGNED_CHILDREN
    )
    child = ObjectiveFactory(cycle=quarter, owner=a.employee, title="Employee supports it")
    below = ObjectiveFactory(cycle=quarter, owner=a.report, title="Report under the employee")
    with a.tenant():
        services.alignment_create(actor=a.owner, child=child, parent_key_result=kr)
        services.alignment_create(actor=a.owner, child=below, parent_objective=child)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    sign_in(page, live_server, a.manager)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/team/map/")
    groups = page.locator(".okr-map-groups")
    # One column at 390 px: every group as wide as the list.
    assert groups.evaluate("el => getComputedStyle(el).gridTemplateColumns.split(' ').length") == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    show_below = page.get_by_role("link", name=re.compile("Show 1 below"))
    show_below.focus()
    outline = show_below.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator(".okr-map-level")).to_contain_text("Report under the employee")
    console.assert_clean("the alignment map")
