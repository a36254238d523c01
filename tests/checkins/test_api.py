"""The check-in API: the pair flow (draft, submit with per-field errors, complete), privacy (HR
and peers 403 on content, another organisation 404), HR's templates (edit = new version),
cadence (400 per field) and reminder deliveries with filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from checkins.models import ReminderDelivery
from tests.checkins.conftest import ANSWERS, CheckinWorld
from tests.conftest import World, login

pytestmark = pytest.mark.django_db


def api(w: World, path: str) -> str:
    return f"/api/v1/orgs/{w.org.slug}/{path}"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_pair_flow_over_the_api(a: World, c: CheckinWorld) -> None:
    employee = login(Client(), a.employee)
    base = api(a, f"checkins/{c.employee_checkin.pk}/")
    listed = employee.get(api(a, "checkins/"), {"mine": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [c.employee_checkin.pk]
    assert listed[0]["questions"][0]["text"] == "What progress have you made since the last check-in?"
    draft = post(employee, base + "draft/", {"answers": {"progress": "Half"}})
    assert draft.status_code == 200
    assert draft.json()["state"] == "draft"
    bad = post(employee, base + "submit/", {"answers": {"achievements": "x"}})
    assert bad.status_code == 400
    assert set(bad.json()) == {"obstacles", "alignment", "help"}
    assert post(employee, base + "submit/", {"answers": "nope"}).status_code == 400
    assert post(employee, base + "submit/", {"answers": ANSWERS}).json()["state"] == "submitted"
    assert post(employee, base + "submit/", {"answers": ANSWERS}).status_code == 409
    manager = login(Client(), a.manager)
    assert post(manager, base + "complete/", {"manager_notes": "Good"}).json()["state"] == "completed"
    assert employee.get(base).json()["manager_notes"] == "Good"


def test_privacy_over_the_api(a: World, b: World, c: CheckinWorld) -> None:
    base = api(a, f"checkins/{c.employee_checkin.pk}/")
    assert login(Client(), a.admin).get(base).status_code == 403
    assert login(Client(), a.report).get(base).status_code == 403
    assert login(Client(), a.owner).get(base).status_code == 200
    assert login(Client(), a.admin).get(api(a, "checkins/")).json()["results"] == []
    assert post(login(Client(), a.report), base + "draft/", {"answers": {"progress": "x"}}).status_code == 403
    # another organisation's check-in through b's own URL: not found
    assert login(Client(), b.owner).get(api(b, f"checkins/{c.employee_checkin.pk}/")).status_code == 404


def test_hr_templates_cadence_and_deliveries(a: World, c: CheckinWorld) -> None:
    hr = login(Client(), a.admin)
    templates = hr.get(api(a, "checkin-templates/")).json()["results"]
    assert {t["kind"] for t in templates} == {"biweekly", "quarterly_planning", "end_of_quarter"}
    edit = api(a, f"checkin-templates/{c.template.pk}/edit/")
    assert post(hr, edit, {"questions": [{"text": "", "who": "employee"}]}).status_code == 400
    edited = post(hr, edit, {"questions": [{"text": "How did it go?"}, {"text": "Notes", "who": "manager"}]})
    assert edited.status_code == 200
    assert edited.json()["current_version"]["number"] == 2
    assert login(Client(), a.manager).get(api(a, "checkin-templates/")).status_code == 403

    cadence = api(a, "checkin-cadence/")
    assert hr.get(cadence).json()["frequency"] == "biweekly"
    bad = hr.put(
        cadence,
        {"frequency": "daily", "weekday": 9, "send_hour": 3, "grace_days": 0, "escalation": True},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {"frequency", "weekday", "send_hour", "grace_days"} <= set(bad.json())
    ok = hr.put(
        cadence,
        {"frequency": "weekly", "weekday": 2, "send_hour": 8, "grace_days": 2, "escalation": False},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert hr.get(cadence).json() == {
        "frequency": "weekly",
        "weekday": 2,
        "send_hour": 8,
        "grace_days": 2,
        "escalation": False,
    }
    # A body that leaves fields out keeps their values (it was a 500, found by schemathesis).
    partial = hr.put(cadence, {"send_hour": 10}, content_type="application/json")
    assert partial.status_code == 200
    assert partial.json() == {**ok.json(), "send_hour": 10}
    assert login(Client(), a.employee).get(cadence).status_code == 403

    with a.tenant():
        ReminderDelivery.objects.create(
            organisation=a.org, membership=a.employee, kind="progress", period_key="b1", created_at=timezone.now()
        )
        ReminderDelivery.objects.create(
            organisation=a.org,
            membership=a.manager,
            kind="digest",
            period_key="b1",
            created_at=timezone.now(),
            status="sent",
        )
    deliveries = api(a, "reminder-deliveries/")
    assert len(hr.get(deliveries).json()["results"]) == 2
    assert [r["kind"] for r in hr.get(deliveries, {"status": "sent"}).json()["results"]] == ["digest"]
    assert hr.get(deliveries, {"status": "bogus"}).status_code == 400
    assert login(Client(), a.manager).get(deliveries).status_code == 403
