"""Issue 7 items 1-4 in the browser: each OKR page reached by clicking (the sub-navigation), the
main menu usable at 390 px without sideways scrolling, My work's inline update that says it was
saved (aria-live) and keeps the keyboard focus on the row, and "just now"."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from okrs.models import KeyResult
from tests.conftest import World, build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _world() -> tuple[World, KeyResult]:
    w = build_world("alpha", "Alpha")
    today = date.today()
    quarter = CycleFactory(
        organisation=w.org, name="This year", start_date=date(today.year, 1, 1), end_date=date(today.year, 12, 31)
    )
    mine = ObjectiveFactory(cycle=quarter, owner=w.employee, team=w.team, title="Ship the API")
    kr = KeyResultFactory(objective=mine, owner=w.employee, title="Endpoints live", target_value=Decimal(10))
    return w, kr


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_admin_reaches_every_okr_page_by_clicking(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    w, _ = _world()
    _sign_in(page, live_server, w.admin.user.email)
    main = page.get_by_role("navigation", name="Main")
    # Every main entry is on screen: the menu wraps rather than hiding entries off to the side.
    for link in main.get_by_role("link").all():
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= viewport["width"], link.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    main.get_by_role("link", name="OKRs").click()
    for label, heading in [
        ("Alignment tree", "Alignment tree"),
        ("Team view", None),
        ("Cycles", None),
        ("Adoption report", None),
        ("Close summary", None),
        ("Export CSV", None),
        ("Import CSV", None),
    ]:
        page.get_by_role("navigation", name="OKRs pages").get_by_role("link", name=label).click()
        current = page.get_by_role("navigation", name="OKRs pages").locator('[aria-current="page"]')
        expect(current).to_have_text(label)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], label
    console.assert_clean("OKR pages")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_my_work_inline_update_says_saved_and_keeps_focus(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    w, kr = _world()
    _sign_in(page, live_server, w.employee.user.email)
    expect(page.get_by_role("heading", name=re.compile("Key results to update"))).to_be_visible()
    row = page.locator(f"#kr-{kr.pk}")
    row.get_by_label("Current value").fill("4")
    row.get_by_label("Note").fill("Four done")
    row.get_by_role("button", name="Update").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_contain_text("Progress saved")
    expect(page.locator(f"#kr-{kr.pk} .kr-age")).to_have_text("Updated just now")
    assert page.evaluate("document.activeElement && document.activeElement.id") == f"kr-{kr.pk}-submit"
    # The objective's progress on the page moved too.
    expect(page.locator(f".op-{kr.objective_id}").first).to_contain_text("40%")
    console.assert_clean("after the update on My work")


def test_profile_keeps_the_main_menu_at_phone_width(page: Page, live_server: LiveServer) -> None:
    w, _ = _world()
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, w.employee.user.email)
    page.locator('a.avatar[title="Profile"]').click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="OKRs")).to_be_visible()


def test_team_table_is_readable_at_phone_width(page: Page, live_server: LiveServer) -> None:
    w, kr = _world()
    ObjectiveFactory(
        cycle=kr.objective.cycle, owner=w.report, team=w.team, title="Cut the onboarding time of new customers in half"
    )
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, w.manager.user.email)
    page.goto(f"{live_server.url}/o/alpha/okrs/team/")
    link = page.get_by_role("link", name="Cut the onboarding time of new customers in half")
    box = link.bounding_box()
    assert box is not None
    # Not one word a line: the title runs across most of the phone's width, in a few lines at most.
    assert box["width"] > 250, box
    assert box["height"] < 80, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name=w.report.user.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(w.report.user.full_name)
    expect(page.get_by_role("link", name="Cut the onboarding time of new customers in half")).to_be_visible()
