"""The inline progress update tells the page's live region what happened (issue 13: every htmx
update that changes data is announced; errors are announced and linked to their field)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, login

HX = {"HTTP_HX_REQUEST": "true"}
pytestmark = [pytest.mark.usefixtures("frozen_time"), pytest.mark.frozen_time(datetime(2026, 11, 15, tzinfo=UTC))]


def announcement(response: object) -> str:
    trigger = json.loads(response["HX-Trigger"])  # type: ignore[index]
    return str(trigger["announce"]["value"])


def test_a_saved_update_announces_the_new_value_and_percentage(w: World) -> None:
    kr = w.okrs.individual_kr
    response = login(Client(), w.employee).post(
        reverse("okrs:key_result_progress", kwargs={"org_slug": w.org.slug, "key_result_id": kr.pk}),
        {"value": "70", "confidence": "on_track"},
        **HX,
    )
    assert response.status_code == 200
    said = announcement(response)
    assert said.startswith(f"Progress saved: {kr.title}: 70 of 100")
    assert said.endswith(", 70%.")


def test_a_refused_update_announces_the_error_and_links_it_to_its_field(w: World) -> None:
    kr = w.okrs.individual_kr
    response = login(Client(), w.employee).post(
        reverse("okrs:key_result_progress", kwargs={"org_slug": w.org.slug, "key_result_id": kr.pk}),
        {"value": "forty-two"},
        **HX,
    )
    said = announcement(response)
    assert said.startswith("Progress not saved: ")
    assert "number" in said
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert f'aria-describedby="kr{kr.pk}-value_error"' in html
    assert f'id="kr{kr.pk}-value_error"' in html


def test_a_plain_post_sets_no_htmx_event(w: World) -> None:
    kr = w.okrs.individual_kr
    response = login(Client(), w.employee).post(
        reverse("okrs:key_result_progress", kwargs={"org_slug": w.org.slug, "key_result_id": kr.pk}),
        {"value": "70"},
    )
    assert response.status_code == 302
    assert "HX-Trigger" not in response


def test_every_page_has_the_polite_live_region_from_load(w: World) -> None:
    html = login(Client(), w.employee).get(reverse("organisations:my_work", kwargs={"org_slug": w.org.slug})).content
    assert b'<div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">' in html
    assert b"js/announce.js" in html
