"""An employee creates a goal with milestones, ticks one on My goals and sees the progress move
without a reload; the live region says so and the focus stays on the checkbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from goals.models import Goal
from tests.conftest import build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_employee_creates_a_goal_ticks_a_milestone_and_sees_progress(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    w = build_world("alpha", "Alpha")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(w.employee.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Goals").click()
    expect(page.get_by_role("heading", name="No goals yet")).to_be_visible()
    page.get_by_role("link", name="Set your first goal").click()
    page.get_by_label("Title").fill("Run a 10 km race")
    page.get_by_label("Category").select_option("wellbeing")
    page.get_by_label("Who can see it").select_option("manager")
    page.get_by_label("Milestones").fill("Run 3 km\nRun 5 km\nRun 10 km")
    page.get_by_role("button", name="Create goal").click()
    expect(page.get_by_role("heading", name="Run a 10 km race", level=1)).to_be_visible()
    console.assert_clean("the new goal's page")

    with w.tenant():
        goal = Goal.objects.get(title="Run a 10 km race")
    page.get_by_role("link", name="My goals").first.click()
    card = page.locator(f"#goal-{goal.pk}")
    expect(card.locator(".goal-pct")).to_have_text("0 %")
    page.evaluate("window.__noReload = true")

    checkbox = card.get_by_label("Run 3 km")
    checkbox.check()
    expect(card.locator(".goal-pct")).to_have_text("33 %")
    expect(card).to_contain_text("1 of 3 milestones")
    expect(page.locator("#announcer")).to_contain_text("Ticked “Run 3 km”: 1 of 3 milestones done, 33 %.")
    expect(card.get_by_label("Run 3 km")).to_be_checked()
    expect(card.get_by_label("Run 3 km")).to_be_focused()
    assert page.evaluate("window.__noReload") is True
    console.assert_clean("My goals after ticking")

    with w.tenant():
        goal.refresh_from_db()
    assert (goal.milestones_done, goal.percent) == (1, 33)
