"""A check-in in the browser: the employee opens the reminder from the notification centre (which
marks it read), writes answers (autosaved as a draft, announced in a live region), posts a
progress update of a key result without leaving the check-in (a bad value first: refused on its
field, nothing typed lost) and submits; the manager completes it with notes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from checkins import delivery, services
from checkins.models import Checkin, CheckinKind, CheckinState, ReminderDelivery
from notifications.models import Notification
from okrs.models import KeyResult, Objective, ProgressUpdate
from tests.conftest import World, build_world
from tests.e2e.conftest import ConsoleLog
from tests.factories import PASSWORD
from tests.okrs.worlds import build_okrs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "What progress have you made since the last check-in?": "Shipped the importer.",
    "What did you achieve?": "Two key results on track.",
    "What obstacles did you run into?": "Waiting on legal.",
    "How does your current work line up with your OKRs?": "All of it serves the Q4 objective.",
    "What can your manager do to help?": "Unblock the legal review.",
}


def _world() -> tuple[World, Checkin]:
    w = build_world("alpha", "Alpha")
    with w.tenant():
        opened = services.checkins_open(
            organisation_id=w.org.pk,
            due=[services.Due(w.employee, CheckinKind.BIWEEKLY, "b-e2e", date.today())],
        )
        checkin = opened[(w.employee.pk, CheckinKind.BIWEEKLY.value, "b-e2e")]
        row = ReminderDelivery.objects.create(
            organisation=w.org,
            membership=w.employee,
            kind="progress",
            period_key="b-e2e",
            checkin=checkin,
            created_at=timezone.now(),
        )
    delivery.send_batch(organisation_id=w.org.pk, delivery_ids=[row.pk])
    w.okrs = build_okrs(w)  # the employee's "Alpha endpoints live", 40 of 100, in an active quarter
    return w, checkin


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))


def test_employee_submits_manager_completes_notification_read(
    page: Page, console: ConsoleLog, live_server: LiveServer, browser: Browser
) -> None:
    w, checkin = _world()
    _sign_in(page, live_server, w.employee.user.email)
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_role("button", name=re.compile(r"^Open\b")).click()
    expect(page).to_have_url(re.compile(rf"/o/alpha/checkins/{checkin.pk}/$"))
    expect(page.get_by_role("heading", name="Progress conversation")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # none unread now

    first = page.get_by_label("What progress have you made since the last check-in?")
    first.fill(ANSWERS["What progress have you made since the last check-in?"])
    expect(page.locator("#save-status")).to_have_text("Draft saved.", timeout=15_000)
    with w.tenant():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.DRAFT

    # A key result updated from inside the check-in: the row is swapped in place. (Before the
    # other answers are typed: their autosave would speak in the live region over the update's.)
    kr = w.okrs.individual_kr
    row = page.locator(f"#kr-{kr.pk}")
    update = page.get_by_role("form", name=f"Update {kr.title}")
    update.get_by_label("Current value").fill("12,5")
    update.get_by_label("Note").fill("The last endpoints went live")
    update.get_by_role("button", name="Update").click()
    expect(row.get_by_role("alert")).to_contain_text("did you mean 12.5?")
    expect(page.locator("#announcer")).to_contain_text("Progress not saved")
    expect(update.get_by_label("Note")).to_have_value("The last endpoints went live")  # kept
    expect(first).to_have_value(ANSWERS["What progress have you made since the last check-in?"])  # untouched
    update.get_by_label("Current value").fill("70")
    update.get_by_role("button", name="Update").click()
    expect(page.locator("#announcer")).to_have_text(f"Progress saved: {kr.title}: 70 of 100 (from 0), 70%.")
    expect(row.locator(".kr-pct")).to_have_text("70%")
    expect(page.locator(f".op-{w.okrs.individual.pk} .op-pct")).to_have_text("70%")  # the objective rolled up
    expect(page).to_have_url(re.compile(rf"/o/alpha/checkins/{checkin.pk}/$"))
    with w.tenant():
        latest = ProgressUpdate.objects.filter(key_result=kr).latest("created_at", "id")
        assert (latest.value, latest.note, latest.author_id) == (70, "The last endpoints went live", w.employee.pk)
        assert str(Objective.objects.get(pk=w.okrs.individual.pk).progress) == "0.700000"
        assert KeyResult.objects.get(pk=kr.pk).current_value == 70
    expect(first).to_have_value(ANSWERS["What progress have you made since the last check-in?"])

    for label, answer in ANSWERS.items():
        page.get_by_label(label).fill(answer)
    page.get_by_role("button", name="Submit to your manager").click()
    expect(page.get_by_text("Submitted to your manager.")).to_be_visible()
    console.assert_clean("the employee's check-in")

    manager_context = browser.new_context(locale="en-GB")
    manager = manager_context.new_page()
    try:
        _sign_in(manager, live_server, w.manager.user.email)
        manager.goto(f"{live_server.url}/o/alpha/checkins/")
        waiting = manager.get_by_role("region", name="Waiting for you to complete")
        waiting.get_by_role("link", name="Progress conversation").click()
        expect(manager.get_by_text("Waiting on legal.")).to_be_visible()
        manager.get_by_label("Your notes").fill("Let us call legal together on Monday.")
        manager.get_by_role("button", name="Complete the check-in").click()
        expect(manager.get_by_text("Check-in completed.")).to_be_visible()
    finally:
        manager_context.close()

    with w.tenant():
        stored = Checkin.objects.get(pk=checkin.pk)
        assert stored.state == CheckinState.COMPLETED
        assert stored.manager_notes == "Let us call legal together on Monday."
        note = Notification.objects.get(recipient=w.employee, key__startswith="reminder:")
        assert note.read_at is not None
