"""Signing in and out, switching organisation, the htmx people filter, and the phone layout, in Chromium."""

from __future__ import annotations

import re
from typing import cast

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from organisations.models import Membership
from tests.conftest import World, build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, console: ConsoleLog, live_server: LiveServer, membership: Membership) -> None:
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Sign in to Ascent")).to_be_visible()
    console.assert_clean("the login page")
    page.get_by_label("E-mail").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def expect_my_work(page: Page, live_server: LiveServer, world: World, membership: Membership) -> None:
    expect(page).to_have_url(f"{live_server.url}/o/{world.org.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Good to see you, {membership.user.get_short_name()}")
    expect(page.locator("header.topbar .switcher .org-name")).to_have_text(world.org.name)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="My work")).to_have_attribute(
        "aria-current", "page"
    )


def test_sign_in_lands_on_my_work_of_the_organisation(page: Page, console: ConsoleLog, live_server: LiveServer) -> None:
    a = build_world("alpha", "Alpha")

    sign_in(page, console, live_server, a.employee)

    expect_my_work(page, live_server, a, a.employee)
    console.assert_clean("My work")


def test_wrong_password_stays_on_the_login_page(page: Page, console: ConsoleLog, live_server: LiveServer) -> None:
    a = build_world("alpha", "Alpha")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(a.employee.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("main")).to_contain_text("enter a correct")
    assert page.get_by_role("navigation", name="Main").count() == 0
    console.assert_clean("the login page after a failed sign-in")


def test_switcher_moves_to_the_other_organisation(page: Page, console: ConsoleLog, live_server: LiveServer) -> None:
    a = build_world("alpha", "Alpha")
    b = build_world("beta", "Beta")
    in_both = cast(Membership, MembershipFactory(organisation=b.org, user=a.employee.user, team=b.team))

    sign_in(page, console, live_server, a.employee)
    expect_my_work(page, live_server, a, a.employee)
    console.assert_clean("My work of Alpha")

    switcher = page.locator("header.topbar details.switcher")
    menu = switcher.get_by_role("menu")
    expect(menu).to_be_hidden()
    switcher.locator("summary").click()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Alpha")).to_have_attribute("aria-current", "true")
    menu.get_by_role("menuitem", name="Beta", exact=True).click()

    expect_my_work(page, live_server, b, in_both)
    console.assert_clean("My work of Beta")

    # The choice sticks: the home page now opens the organisation used last.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/o/{b.org.slug}/")
    console.assert_clean("the home page")


def test_sign_out_returns_to_login_and_locks_the_organisation(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    sign_in(page, console, live_server, a.manager)
    expect_my_work(page, live_server, a, a.manager)
    console.assert_clean("My work")

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", name="Sign in to Ascent")).to_be_visible()
    console.assert_clean("the login page after signing out")

    page.goto(f"{live_server.url}/o/{a.org.slug}/team/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/o/{a.org.slug}/team/")
    expect(page.get_by_role("heading", name="Sign in to Ascent")).to_be_visible()
    assert page.get_by_role("navigation", name="Main").count() == 0
    console.assert_clean("the login page reached from an organisation page")


def test_people_search_swaps_the_member_list_without_reloading(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    sign_in(page, console, live_server, a.admin)
    expect_my_work(page, live_server, a, a.admin)
    page.goto(f"{live_server.url}/o/{a.org.slug}/admin/people/")
    member_list = page.locator("#member-list")
    expect(member_list).to_contain_text("5 people")
    expect(member_list).to_contain_text("Alpha Employee")
    expect(member_list).to_contain_text("Alpha Report")
    console.assert_clean("People")

    # A full page load would drop this marker; an htmx swap keeps it.
    page.evaluate("window.__stillTheSamePage = true")
    with page.expect_response(lambda r: "q=Report" in r.url) as answer:
        page.get_by_role("searchbox", name="Search people").press_sequentially("Report", delay=20)
    response = answer.value
    assert response.ok
    assert response.request.headers.get("hx-request") == "true"
    assert response.request.resource_type in {"xhr", "fetch"}
    assert "<html" not in response.text(), "the server answered an htmx request with a whole page"

    expect(member_list).to_contain_text("1 person")
    expect(member_list).to_contain_text("Alpha Report")
    expect(member_list).not_to_contain_text("Alpha Employee")
    expect(page).to_have_url(re.compile(r"/o/alpha/admin/people/\?(.*&)?q=Report(&|$)"))
    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.locator("#member-list").count() == 1
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    console.assert_clean("People after filtering")

    # The pushed URL is a real page: opening it directly gives the same filtered list.
    page.reload()
    expect(page.get_by_role("searchbox", name="Search people")).to_have_value("Report")
    expect(page.locator("#member-list")).to_contain_text("Alpha Report")
    expect(page.locator("#member-list")).not_to_contain_text("Alpha Employee")
    console.assert_clean("People opened at the pushed URL")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone-390"])
def test_people_page_fits_a_phone_and_the_main_nav_is_reachable(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    a = build_world("alpha", "Alpha")
    sign_in(page, console, live_server, a.admin)
    expect_my_work(page, live_server, a, a.admin)
    console.assert_clean("My work on a phone")

    page.goto(f"{live_server.url}/o/{a.org.slug}/admin/people/")
    expect(page.locator("#member-list")).to_contain_text("Alpha Report")
    console.assert_clean("People on a phone")
    assert page.evaluate("window.innerWidth") == viewport["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"the page is {scroll_width}px wide on a {viewport['width']}px screen"

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    for name in ["My work", "OKRs", "Goals", "Check-ins", "Surveys", "Team", "Admin"]:
        link = nav.get_by_role("link", name=name, exact=True)
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()
    nav.get_by_role("link", name="Team", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/o/{a.org.slug}/team/")
    expect(nav.get_by_role("link", name="Team", exact=True)).to_have_attribute("aria-current", "page")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"the team page is {scroll_width}px wide"
    console.assert_clean("Team on a phone")
