"""Check-in pages: the employee's flow (autosave, submit with per-field errors, complete by the
manager), who sees what (HR sees counts, not content), the HR forms and their errors, and query
budgets (the same number of queries for 1 and for 50 check-ins, reports or deliveries)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins import services
from checkins.models import Checkin, CheckinKind, CheckinState, CheckinTemplate, ReminderDelivery
from organisations.models import Membership
from tests.checkins.conftest import ANSWERS, CheckinWorld
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def url(w: World, name: str, **kwargs: Any) -> str:
    return reverse(f"checkins:{name}", kwargs={"org_slug": w.org.slug, **kwargs})


def test_employee_autosaves_submits_and_manager_completes(a: World, c: CheckinWorld) -> None:
    checkin = c.employee_checkin
    employee = login(Client(), a.employee)
    page = employee.get(url(a, "detail", checkin_id=checkin.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="announcer"' in html  # the page's one live region, which the autosave speaks through
    assert "What can your manager do to help?" in html
    # autosave (htmx) answers with the live region only
    saved = employee.post(url(a, "save_draft", checkin_id=checkin.pk), {"progress": "Half way"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert "Draft saved." in saved.content.decode()
    assert "<html" not in saved.content.decode()
    assert "Draft saved." in saved["HX-Trigger"]  # announced in the live region
    # submit with answers missing: the form again, errors on the fields, what was typed kept
    bad = employee.post(url(a, "submit", checkin_id=checkin.pk), {"progress": "Half way", "achievements": "One"})
    assert bad.status_code == 400
    assert bad.content.decode().count("Answer this question before you submit.") == 3
    assert "Half way" in bad.content.decode()
    done = employee.post(url(a, "submit", checkin_id=checkin.pk), ANSWERS)
    assert done.status_code == 302
    with a.tenant():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.SUBMITTED
    manager = login(Client(), a.manager)
    view = manager.get(url(a, "detail", checkin_id=checkin.pk)).content.decode()
    assert ANSWERS["obstacles"] in view
    assert "Complete the check-in" in view
    assert manager.post(url(a, "complete", checkin_id=checkin.pk), {"manager_notes": "Well done"}).status_code == 302
    with a.tenant():
        assert Checkin.objects.get(pk=checkin.pk).state == CheckinState.COMPLETED
    history = employee.get(url(a, "pair", membership_id=a.employee.pk)).content.decode()
    assert "Completed" in history


def test_privacy_on_pages(a: World, c: CheckinWorld) -> None:
    detail = url(a, "detail", checkin_id=c.employee_checkin.pk)
    assert login(Client(), a.admin).get(detail).status_code == 403  # HR: completion, not content
    assert login(Client(), a.report).get(detail).status_code == 403  # a peer
    assert login(Client(), a.owner).get(detail).status_code == 200  # the chain above
    assert login(Client(), a.report).get(url(a, "pair", membership_id=a.employee.pk)).status_code == 403
    assert login(Client(), a.manager).get(url(a, "templates")).status_code == 403
    with a.tenant():
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
    overview = login(Client(), a.admin).get(url(a, "overview"))
    assert overview.status_code == 200
    assert ANSWERS["obstacles"] not in overview.content.decode()
    # a report cannot complete their own or a peer's
    assert login(Client(), a.report).post(url(a, "complete", checkin_id=c.employee_checkin.pk)).status_code == 403


def test_hr_edits_a_template_and_the_cadence_with_errors_on_fields(a: World, c: CheckinWorld) -> None:
    hr = login(Client(), a.admin)
    assert hr.get(url(a, "templates")).status_code == 200
    edit = url(a, "template_edit", template_id=c.template.pk)
    prefix = f"t{c.template.pk}-questions"
    assert hr.post(edit, {prefix: "   "}).status_code == 400
    assert hr.post(edit, {prefix: "How did it go?\nManager: what will you change?"}).status_code == 302
    with a.tenant():
        version = CheckinTemplate.objects.get(pk=c.template.pk).current_version
        assert version is not None
        assert version.number == 2
        assert [q["for"] for q in version.questions] == ["employee", "manager"]
        assert Checkin.objects.get(pk=c.employee_checkin.pk).template_version.number == 1
    bad = hr.post(url(a, "cadence"), {"frequency": "daily", "weekday": "1", "send_hour": "23", "grace_days": "3"})
    assert bad.status_code == 400
    assert "Ensure this value is less than or equal to 20." in bad.content.decode()
    ok = hr.post(url(a, "cadence"), {"frequency": "weekly", "weekday": "2", "send_hour": "8", "grace_days": "2"})
    assert ok.status_code == 302
    assert hr.get(url(a, "deliveries") + "?status=bogus").status_code == 400
    assert hr.get(url(a, "deliveries") + "?status=sent&kind=progress").status_code == 200


def test_my_work_card_and_navigation(a: World, c: CheckinWorld) -> None:
    page = login(Client(), a.employee).get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug}))
    html = page.content.decode()
    assert url(a, "detail", checkin_id=c.employee_checkin.pk) in html
    assert url(a, "home") in html


# ---------------------------------------------------------------- query budgets


def _more_checkins(w: World, employee: Membership, n: int, start: list[int]) -> None:
    with w.tenant():
        services.checkins_open(
            organisation_id=w.org.pk,
            due=[
                services.Due(employee, CheckinKind.BIWEEKLY, f"x{start[0] + i}", date(2026, 1, 1) + timedelta(days=i))
                for i in range(n)
            ],
        )
    start[0] += n


@pytest.mark.parametrize(("name", "who"), [("home", "employee"), ("pair", "manager")])
def test_checkin_lists_query_budget(a: World, c: CheckinWorld, name: str, who: str) -> None:
    counter = [0]
    kwargs = {"membership_id": a.employee.pk} if name == "pair" else {}
    assert_constant_queries(
        login(Client(), getattr(a, who)),
        url(a, name, **kwargs),
        lambda n: _more_checkins(a, a.employee, n, counter),
        label=f"checkins:{name}",
    )


def test_board_query_budget(a: World, c: CheckinWorld) -> None:
    def grow(n: int) -> None:
        with a.tenant():
            for _ in range(n):
                member = MembershipFactory(organisation=a.org, manager=a.manager, team=a.team)
                services.checkins_open(
                    organisation_id=a.org.pk, due=[services.Due(member, CheckinKind.BIWEEKLY, "b1", date(2026, 11, 17))]
                )

    assert_constant_queries(login(Client(), a.manager), url(a, "board"), grow, label="checkins:board")


def test_hr_pages_query_budget(a: World, c: CheckinWorld) -> None:
    def grow(n: int) -> None:
        with a.tenant():
            for _ in range(n):
                member = MembershipFactory(organisation=a.org, manager=a.manager, team=a.team)
                ReminderDelivery.objects.create(
                    organisation=a.org, membership=member, kind="progress", period_key="b1", created_at=timezone.now()
                )
                services.checkins_open(
                    organisation_id=a.org.pk, due=[services.Due(member, CheckinKind.BIWEEKLY, "b1", date(2026, 11, 17))]
                )

    hr = login(Client(), a.admin)
    assert_constant_queries(hr, url(a, "deliveries"), grow, label="checkins:deliveries")
    assert_constant_queries(hr, url(a, "overview"), grow, label="checkins:overview")
