"""Key results from inside a check-in (issue 9, item 2): the employee sees their key results on
the check-in and posts a progress update there (htmx, the row swapped in place) through okrs'
own form and service, so the update is recorded and rolled up exactly as on the OKR pages; a bad
value is refused on its field with what was typed kept; only the check-in's own key results can
be updated from it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from checkins import services
from okrs import rollup
from okrs.models import KeyResult, Objective, ObjectiveSource, ProgressUpdate
from tests.checkins.conftest import ANSWERS, CheckinWorld
from tests.conftest import World, login
from tests.kit.queries import assert_constant_queries
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory
from tests.okrs.worlds import OkrWorld, build_okrs

pytestmark = pytest.mark.django_db


@pytest.fixture
def o(a: World, c: CheckinWorld) -> OkrWorld:
    a.okrs = build_okrs(a)
    return a.okrs


def detail_url(w: World) -> str:
    return reverse("checkins:detail", kwargs={"org_slug": w.org.slug, "checkin_id": w.checkins.employee_checkin.pk})


def progress_url(w: World, key_result: KeyResult, checkin_id: int | None = None) -> str:
    return reverse(
        "checkins:key_result_progress",
        kwargs={
            "org_slug": w.org.slug,
            "checkin_id": checkin_id or w.checkins.employee_checkin.pk,
            "key_result_id": key_result.pk,
        },
    )


def htmx(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="kr-1")


def stored(w: World, model: type[Objective] | type[KeyResult], pk: int) -> Decimal:
    with w.tenant():
        return model.objects.get(pk=pk).progress


def test_the_checkin_shows_the_employees_key_results_with_an_update_posted_to_the_checkin(
    a: World, c: CheckinWorld, o: OkrWorld
) -> None:
    html = login(Client(), a.employee).get(detail_url(a)).content.decode()
    assert o.individual_kr.title in html
    assert f'hx-post="{progress_url(a, o.individual_kr)}"' in html
    assert f'id="kr-{o.individual_kr.pk}"' in html  # the row the answer replaces
    assert f"op-{o.individual.pk}" in html  # the objective's progress, refreshed out of band
    assert o.company_kr.title not in html  # someone else's key result is not the employee's to update here


def test_an_update_from_the_checkin_is_recorded_and_rolls_up(a: World, c: CheckinWorld, o: OkrWorld) -> None:
    # The team objective takes its progress from the objectives aligned to it, and feeds the
    # company key result: an update of the individual key result must reach all of them.
    with a.tenant():
        Objective.objects.filter(pk=o.team.pk).update(progress_source=ObjectiveSource.ALIGNED_CHILDREN)
        rollup.recompute_everything(a.org.pk)
    assert stored(a, KeyResult, o.company_kr.pk) == Decimal("0.4")
    client = login(Client(), a.employee)

    response = htmx(client, progress_url(a, o.individual_kr), {"value": "60", "confidence": "at_risk", "note": "Half"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the row, not the page
    assert f'id="kr-{o.individual_kr.pk}"' in html
    assert f'hx-swap-oob="outerHTML:.op-{o.individual.pk}"' in html
    assert f'hx-post="{progress_url(a, o.individual_kr)}"' in html  # the next update goes here again
    assert f"Progress saved: {o.individual_kr.title}: 60 of 100 (from 0), 60" in response["HX-Trigger"]
    with a.tenant():
        update = ProgressUpdate.objects.filter(key_result=o.individual_kr).latest("created_at", "id")
        assert (update.value, update.confidence, update.note, update.author_id) == (
            Decimal(60),
            "at_risk",
            "Half",
            a.employee.pk,
        )
    for model, pk in [
        (KeyResult, o.individual_kr.pk),
        (Objective, o.individual.pk),
        (Objective, o.team.pk),
        (KeyResult, o.company_kr.pk),
        (Objective, o.company.pk),
    ]:
        assert stored(a, model, pk) == Decimal("0.6"), model.__name__


def test_without_javascript_the_update_returns_to_the_checkin(a: World, c: CheckinWorld, o: OkrWorld) -> None:
    client = login(Client(), a.employee)
    response = client.post(progress_url(a, o.individual_kr), {"value": "75"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(a)
    assert stored(a, KeyResult, o.individual_kr.pk) == Decimal("0.75")
    assert f"Updated “{o.individual_kr.title}”." in client.get(detail_url(a)).content.decode()


def test_a_bad_value_is_refused_on_its_field_and_loses_nothing(a: World, c: CheckinWorld, o: OkrWorld) -> None:
    with a.tenant():
        services.checkin_save_draft(
            actor=a.employee, checkin=c.employee_checkin, answers={"progress": "So far, so good"}
        )
        updates = ProgressUpdate.objects.count()
    client = login(Client(), a.employee)
    typed = {"value": "12,5", "confidence": "off_track", "note": "Typed with care"}

    response = htmx(client, progress_url(a, o.individual_kr), typed)

    assert response.status_code == 200  # htmx swaps it in place
    html = response.content.decode()
    field = f"kr{o.individual_kr.pk}-value"
    assert f'id="{field}_error"' in html
    assert "did you mean 12.5?" in html
    assert 'value="12,5"' in html  # what was typed stays
    assert "Typed with care" in html
    assert '<option value="off_track" selected>' in html
    assert "Progress not saved: Current value:" in response["HX-Trigger"]
    # Without JavaScript: the whole check-in again (400), the error on the field, the draft kept.
    page = client.post(progress_url(a, o.individual_kr), typed)
    assert page.status_code == 400
    body = page.content.decode()
    for kept in (f'id="{field}_error"', 'value="12,5"', "Typed with care", "So far, so good"):
        assert kept in body
    with a.tenant():
        assert ProgressUpdate.objects.count() == updates
    assert stored(a, KeyResult, o.individual_kr.pk) == Decimal("0.4")


def test_only_the_checkins_own_key_results_and_only_its_employee(
    a: World, b: World, c: CheckinWorld, o: OkrWorld
) -> None:
    with a.tenant():
        # The manager's key result on the team objective: visible to the employee, but not theirs.
        managers_kr = KeyResultFactory(objective=o.team, owner=a.manager, title="Manager's own")
    employee = login(Client(), a.employee)
    assert htmx(employee, progress_url(a, managers_kr), {"value": "10"}).status_code == 404
    assert employee.post(progress_url(a, o.company_kr), {"value": "10"}).status_code == 404
    b.okrs = build_okrs(b)
    assert employee.post(progress_url(a, b.okrs.individual_kr), {"value": "10"}).status_code == 404
    # The manager may read the check-in but does not write it: their own key result is not here.
    manager = login(Client(), a.manager)
    assert manager.post(progress_url(a, managers_kr), {"value": "10"}).status_code == 403
    with a.tenant():
        assert not ProgressUpdate.objects.filter(key_result=managers_kr).exists()
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
    # Once submitted, the check-in no longer updates key results (the OKR pages still do).
    assert employee.post(progress_url(a, o.individual_kr), {"value": "90"}).status_code == 403
    assert stored(a, KeyResult, o.individual_kr.pk) == Decimal("0.4")


def test_checkin_page_query_budget_with_key_results(a: World, c: CheckinWorld, o: OkrWorld) -> None:
    def grow(n: int) -> None:
        with a.tenant():
            for _ in range(n):
                objective = ObjectiveFactory(cycle=o.quarter, owner=a.employee, level="individual", team=a.team)
                KeyResultFactory(objective=objective, owner=a.employee)

    assert_constant_queries(login(Client(), a.employee), detail_url(a), grow, label="checkins:detail with key results")
