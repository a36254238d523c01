"""An employee updates a key result inline on My OKRs and sees the key result's, the
objective's and the parent objective's progress change without a page reload."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from okrs import services
from okrs.models import KeyResult, Objective, ObjectiveSource, ProgressUpdate
from tests.conftest import build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _world() -> tuple[object, Objective, Objective, KeyResult]:
    w = build_world("alpha", "Alpha")
    today = date.today()
    quarter = CycleFactory(
        organisation=w.org, name="This quarter", start_date=date(today.year, 1, 1), end_date=date(today.year, 12, 31)
    )
    team = ObjectiveFactory(
        cycle=quarter,
        owner=w.manager,
        team=w.team,
        level="team",
        title="Platform launch",
        progress_source=ObjectiveSource.ALIGNED_CHILDREN,
    )
    mine = ObjectiveFactory(cycle=quarter, owner=w.employee, team=w.team, title="Ship the API")
    kr = KeyResultFactory(objective=mine, owner=w.employee, title="Endpoints live", target_value=Decimal(10))
    with w.tenant():
        services.alignment_create(actor=w.employee, child=mine, parent_objective=team)
    return w, mine, team, kr


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_inline_update_moves_the_objective_and_its_parent_without_reload(
    page: Page, console: ConsoleLog, live_server: LiveServer, viewport: dict[str, int]
) -> None:
    w, mine, team, kr = _world()
    _sign_in(page, live_server, w.employee.user.email)  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/o/alpha/okrs/")
    expect(page.get_by_role("heading", name="My OKRs")).to_be_visible()
    console.assert_clean("My OKRs")

    own_header = page.locator(f"#objective-{mine.pk} .okr-objective-head .op-{mine.pk}")
    parent_chip = page.locator(f"#objective-{mine.pk} .okr-chip .op-{team.pk}")
    expect(own_header).to_contain_text("0%")
    expect(parent_chip).to_contain_text("0%")
    # A marker the page keeps only if it is not reloaded.
    page.evaluate("window.__noReload = true")

    row = page.locator(f"#kr-{kr.pk}")
    row.get_by_label("Current value").fill("7")
    row.get_by_label("Confidence").select_option("at_risk")
    row.get_by_label("Note").fill("Seven of ten")
    row.get_by_role("button", name="Update").click()

    expect(page.locator(f"#kr-{kr.pk} .kr-pct")).to_have_text("70%")
    expect(page.locator(f"#kr-{kr.pk}")).to_contain_text("Confidence: At risk")
    expect(own_header).to_contain_text("70%")
    expect(parent_chip).to_contain_text("70%")
    expect(page.locator(f"#kr-{kr.pk} .okr-spark")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    console.assert_clean("after the inline update")
    with w.tenant():  # type: ignore[attr-defined]
        assert Objective.objects.get(pk=team.pk).progress == Decimal("0.7")

    # Invalid input: the error appears in the row, the typed text stays, nothing is stored.
    row = page.locator(f"#kr-{kr.pk}")
    row.get_by_label("Current value").fill("lots")
    row.get_by_role("button", name="Update").click()
    expect(page.locator(f"#kr-{kr.pk} .error")).to_have_text("Enter a number, e.g. 42 or 3.5.")
    expect(page.locator(f"#kr-{kr.pk}").get_by_label("Current value")).to_have_value("lots")
    assert page.evaluate("window.__noReload") is True
    console.assert_clean("after the invalid update")
    with w.tenant():  # type: ignore[attr-defined]
        assert ProgressUpdate.objects.filter(key_result=kr).count() == 1
