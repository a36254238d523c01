"""Managers' and HR's OKR pages in Chromium: the team view's stale flag, generating a fiscal
year on the cycles page, and expanding the alignment tree with htmx."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from okrs import services
from okrs.models import Cycle, CycleKind, CycleState, Objective
from organisations.models import Membership
from tests.conftest import World, build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, live_server: LiveServer, membership: Membership) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def current_quarter(w: World) -> Cycle:
    today = timezone.localdate()
    return CycleFactory(
        organisation=w.org,
        name="This quarter",
        kind=CycleKind.QUARTER,
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
        state=CycleState.ACTIVE,
    )


def test_manager_sees_a_stale_objective_in_the_team_view(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    # Staleness counts from the later of the last update and the creation: both 20 days ago.
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        stale = ObjectiveFactory(cycle=quarter, owner=a.employee, title="Ship the mobile app")
        stale_kr = KeyResultFactory(objective=stale, owner=a.employee)
        with a.tenant():
            services.progress_update_create(actor=a.employee, key_result=stale_kr, value="30", confidence="on_track")
    fresh = ObjectiveFactory(cycle=quarter, owner=a.report, title="Halve support tickets")
    fresh_kr = KeyResultFactory(objective=fresh, owner=a.report)
    with a.tenant():
        services.progress_update_create(actor=a.report, key_result=fresh_kr, value="60", confidence="on_track")

    sign_in(page, live_server, a.manager)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/team/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's OKRs")
    stale_row = page.locator("tr.okr-team-row", has_text="Ship the mobile app")
    fresh_row = page.locator("tr.okr-team-row", has_text="Halve support tickets")
    expect(stale_row.locator(".okr-stale")).to_have_text("Stale")
    expect(stale_row.locator("time")).to_have_text(re.compile(r"^2\s+weeks, 6\s+days ago$"))
    expect(fresh_row.locator(".okr-stale")).to_have_count(0)
    expect(page.locator(".okr-summary").first).to_contain_text("1 stale")
    # The report's own badge, in their row of the (small, so opened) line.
    employee = page.locator("li.okr-report", has_text=a.employee.user.full_name)
    expect(employee.locator(".okr-report-head .okr-stale")).to_have_text("1 stale")
    console.assert_clean("the team view")


def test_admin_generates_a_fiscal_year_and_sees_its_quarters(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    a.org.fiscal_year_start_month = 7
    a.org.save(update_fields=["fiscal_year_start_month"])
    today = timezone.localdate()
    start_year = today.year if today.month >= 7 else today.year - 1
    label = f"FY{start_year}/{(start_year + 1) % 100:02d}"

    sign_in(page, live_server, a.admin)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/cycles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("OKR cycles")
    expect(page.get_by_text("No cycles yet.")).to_be_visible()
    console.assert_clean("the empty cycles page")

    # The current fiscal year is offered first, because none is generated yet.
    expect(page.get_by_label("Fiscal year", exact=True)).to_have_value(str(start_year))
    page.get_by_role("button", name="Generate year and quarters").click()

    expect(page.locator(".message.success")).to_contain_text(f"Generated {label}, Q1 {label}")
    table = page.locator("table.okr-cycles-table")
    # Newest first; the year after its first quarter, which starts the same day.
    expect(table.locator("tbody tr td:first-child strong")).to_have_text(
        [f"Q4 {label}", f"Q3 {label}", f"Q2 {label}", f"Q1 {label}", label]
    )
    expect(table.locator("tr", has_text=f"Q1 {label}").first).to_contain_text(
        f"1 Jul {start_year} – 30 Sep {start_year}"
    )
    expect(table.locator(".okr-state-active")).to_have_count(2)  # the year and the current quarter
    # The next fiscal year is now the default.
    expect(page.get_by_label("Fiscal year", exact=True)).to_have_value(str(start_year + 1))
    console.assert_clean("the cycles page after generating")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_tree_expands_and_collapses_in_place(page: Page, console: ConsoleLog, live_server: LiveServer) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    company = ObjectiveFactory(cycle=quarter, owner=a.owner, level="company", title="Win the market")
    team = ObjectiveFactory(cycle=quarter, owner=a.manager, level="team", team=a.team, title="Launch the platform")
    with a.tenant():
        services.alignment_create(actor=a.owner, child=team, parent_objective=company)

    sign_in(page, live_server, a.employee)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/tree/")
    expect(page.get_by_role("link", name="Win the market", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_have_count(0)
    url_before = page.url

    toggle = page.locator(f"#toggle-{company.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_be_visible()
    expect(page.locator(f"#toggle-{company.pk}")).to_have_attribute("aria-expanded", "true")
    assert page.url == url_before  # swapped in place, no navigation

    page.locator(f"#toggle-{company.pk}").click()
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_have_count(0)
    expect(page.locator(f"#toggle-{company.pk}")).to_have_attribute("aria-expanded", "false")
    console.assert_clean("the alignment tree")


def test_a_large_team_opens_one_report_at_a_time_and_shows_more(
    page: Page, console: ConsoleLog, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SMALL_LINE people the team view lists the direct reports (a page at a time) with their
    line's summary; a report's objectives and reports open in place, and "Show more" appends."""
    from okrs.views import team as team_view
    from tests.factories import MembershipFactory

    monkeypatch.setattr(team_view, "SMALL_LINE", 0)
    monkeypatch.setattr(team_view, "REPORTS_PAGE", 1)
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    ObjectiveFactory(cycle=quarter, owner=a.employee, title="Ship the mobile app")
    below = MembershipFactory(organisation=a.org, team=a.team, manager=a.employee, user__full_name="Ivy Indirect")
    ObjectiveFactory(cycle=quarter, owner=below, title="Write the runbook")
    ObjectiveFactory(cycle=quarter, owner=a.report, title="Halve support tickets")
    sign_in(page, live_server, a.manager)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/team/")

    reports = page.locator("ul.okr-reports-top > li.okr-report")
    expect(reports).to_have_count(1)
    expect(page.get_by_role("link", name="Ship the mobile app")).to_have_count(0)
    page.get_by_role("link", name="Show more reports").click()
    expect(reports).to_have_count(2)
    expect(page.get_by_role("link", name="Show more reports")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/okrs/team/$"))  # appended in place, not a new page
    employee = page.locator(f"#report-{a.employee.pk}")
    expect(employee.locator(".okr-line-stats")).to_contain_text("Leads 1 person")
    employee.get_by_role("link", name=re.compile("^Show objectives and reports")).click()
    expect(employee.get_by_role("link", name="Ship the mobile app")).to_be_visible()
    expect(page.locator(f"#report-{below.pk}")).to_contain_text("reports to Alpha Employee")
    page.locator(f"#report-{below.pk}").get_by_role("link", name=re.compile("^Show objectives")).click()
    expect(page.get_by_role("link", name="Write the runbook")).to_be_visible()
    shots = os.environ.get("SCREENSHOTS")  # a folder: keep the two widths to look at
    if shots:
        page.screenshot(path=f"{shots}/team-1280.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=f"{shots}/team-390.png", full_page=True)
    console.assert_clean("the paged team view")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_tree_owner_filter_searches_people_as_one_types(
    page: Page, console: ConsoleLog, live_server: LiveServer
) -> None:
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    ObjectiveFactory(cycle=quarter, owner=a.owner, level="company", title="Win the market")
    ObjectiveFactory(cycle=quarter, owner=a.manager, level="team", team=a.team, title="Launch the platform")

    sign_in(page, live_server, a.employee)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/tree/")
    expect(page.get_by_role("link", name="Win the market", exact=True)).to_be_visible()
    page.get_by_label("Owner", exact=True).fill(a.manager.user.full_name[:5])
    choice = page.get_by_role("radio", name=a.manager.user.full_name)
    expect(choice).to_be_visible()
    choice.check()
    # The tree narrows in place to the chosen owner's objectives, and the address keeps the filter.
    expect(page.get_by_role("link", name="Win the market", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Launch the platform", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"owner={a.manager.pk}"))
    page.reload()
    expect(page.get_by_role("radio", name=a.manager.user.full_name)).to_be_checked()
    console.assert_clean("the tree's owner search")


def test_tree_show_more_appends_the_next_roots(
    page: Page, console: ConsoleLog, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrs import tree

    monkeypatch.setattr(tree, "ROOTS_PER_PAGE", 2)
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    for title in ("Alpha goal", "Beta goal", "Gamma goal"):
        ObjectiveFactory(cycle=quarter, owner=a.owner, level="company", title=title)

    sign_in(page, live_server, a.employee)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/tree/")
    expect(page.locator("#tree-roots > li")).to_have_count(2)
    page.get_by_role("link", name="Show more objectives at the top").click()
    expect(page.locator("#tree-roots > li")).to_have_count(3)
    expect(page.get_by_role("link", name="Gamma goal", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Show more objectives at the top")).to_have_count(0)
    console.assert_clean("the tree's show more")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone-390"])
def test_manager_picks_the_owner_and_contributors_by_typing_their_names(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    """The objective form's pickers search as one types; a contributor ticked from one search
    stays chosen when the next search replaces the matches."""
    a = build_world("alpha", "Alpha")
    quarter = current_quarter(a)
    sign_in(page, live_server, a.manager)
    page.goto(f"{live_server.url}/o/{a.org.slug}/okrs/objectives/new/?cycle={quarter.pk}")
    page.get_by_label("Title").fill("Picked as we typed")

    with page.expect_response(re.compile(r"/people/search/\?field=owner.*owner_q=Employee")):
        page.get_by_role("searchbox", name="Owner").press_sequentially("Employee", delay=20)
    page.get_by_role("radio", name=re.compile(r"^Alpha Employee")).check()

    contributors = page.get_by_role("searchbox", name=re.compile(r"^Contributors"))
    with page.expect_response(re.compile(r"field=contributors&multiple=1.*contributors_q=Report")):
        contributors.press_sequentially("Report", delay=20)
    page.get_by_role("checkbox", name=re.compile(r"^Alpha Report")).check()
    contributors.fill("")
    with page.expect_response(re.compile(r"contributors_q=Admin")):
        contributors.press_sequentially("Admin", delay=20)
    page.get_by_role("checkbox", name=re.compile(r"^Alpha Admin")).check()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Alpha Report"))).to_be_checked()  # kept
    console.assert_clean("the objective form while picking people")
    shots = os.environ.get("SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/pickers-{viewport['width']}.png", full_page=True)

    page.get_by_role("button", name="Create objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Picked as we typed")
    with a.tenant():
        created = Objective.objects.get(title="Picked as we typed")
        assert created.owner_id == a.employee.pk
        assert {c.pk for c in created.contributors.all()} == {a.report.pk, a.admin.pk}
    console.assert_clean("the created objective")
