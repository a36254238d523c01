"""Issue 7.8: numbers are read by the organisation's number format, and one that only reads in the
other format is refused with the reading it probably meant ("12,5" no longer saves 125)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from okrs import services
from okrs.services.common import NumberInputError, read_number
from organisations.models import NumberFormat
from tests.conftest import World
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

D = Decimal


@pytest.mark.parametrize(
    ("text", "number_format", "expected"),
    [
        ("12.5", NumberFormat.DOT, "12.5"),
        ("1,234.5", NumberFormat.DOT, "1234.5"),
        ("1,234,567", NumberFormat.DOT, "1234567"),
        ("-3", NumberFormat.DOT, "-3"),
        (" 40 ", NumberFormat.DOT, "40"),
        ("12,5", NumberFormat.COMMA, "12.5"),
        ("1.234,5", NumberFormat.COMMA, "1234.5"),
        ("1 234,5", NumberFormat.COMMA, "1234.5"),
        (D("12.5"), NumberFormat.COMMA, "12.5"),  # already a number (JSON): no format to apply
        (7, NumberFormat.COMMA, "7"),
    ],
)
def test_numbers_read_by_the_format(text: Any, number_format: str, expected: str) -> None:
    assert read_number(text, number_format=number_format) == D(expected)


@pytest.mark.parametrize(
    ("text", "number_format", "suggestion"),
    [
        ("12,5", NumberFormat.DOT, "12.5"),
        ("1.234,5", NumberFormat.DOT, "1234.5"),
        ("0,25", NumberFormat.DOT, "0.25"),
        ("12.5", NumberFormat.COMMA, "12,5"),
        ("1,234.5", NumberFormat.COMMA, "1234,5"),
        ("1,2,3", NumberFormat.DOT, None),
        ("lots", NumberFormat.DOT, None),
    ],
)
def test_other_formats_are_refused_with_a_suggestion(text: str, number_format: str, suggestion: str | None) -> None:
    with pytest.raises(NumberInputError) as error:
        read_number(text, number_format=number_format)
    assert error.value.suggestion == suggestion


@pytest.mark.django_db
def test_a_progress_update_of_12_comma_5_is_refused_not_saved_as_125(a: World, client_for: Any) -> None:
    cycle = CycleFactory(organisation=a.org)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, owner=a.employee)
    with a.tenant(), pytest.raises(ValidationError) as error:
        services.progress_update_create(actor=a.employee, key_result=kr, value="12,5")
    assert "did you mean 12.5?" in error.value.message_dict["value"][0]
    url = reverse("okrs:key_result_progress", args=[a.org.slug, kr.pk])
    page = client_for(a.employee).post(url, {"value": "12,5"}, headers={"HX-Request": "true"})
    assert "did you mean 12.5?" in page.content.decode()
    with a.tenant():
        kr.refresh_from_db()
    assert kr.current_value == 0


@pytest.mark.django_db
def test_an_organisation_with_comma_decimals_reads_12_comma_5(a: World, client_for: Any) -> None:
    a.org.number_format = NumberFormat.COMMA
    a.org.save()
    cycle = CycleFactory(organisation=a.org)
    objective = ObjectiveFactory(cycle=cycle, owner=a.employee)
    kr = KeyResultFactory(objective=objective, owner=a.employee)
    client = client_for(a.employee)
    client.post(reverse("okrs:key_result_progress", args=[a.org.slug, kr.pk]), {"value": "12,5"})
    with a.tenant():
        kr.refresh_from_db()
    assert kr.current_value == D("12.5")
    page = client.get(reverse("okrs:objective_detail", args=[a.org.slug, objective.pk]))
    assert 'value="12,5"' in page.content.decode()  # the form shows it back in the same format
    response = client.post(
        f"/api/v1/orgs/{a.org.slug}/progress-updates/",
        {"key_result": kr.pk, "value": 20.25},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    with a.tenant():
        kr.refresh_from_db()
    assert kr.current_value == D("20.25")  # JSON numbers are numbers, whatever the format
