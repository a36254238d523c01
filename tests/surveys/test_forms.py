"""The builder reads open and close times in the organisation's time zone (DST included)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from surveys.forms import SurveyForm
from tests.conftest import World
from tests.surveys.worlds import SurveyWorld

pytestmark = pytest.mark.django_db


def test_dates_are_typed_in_the_organisation_s_time_zone(a: World, s: SurveyWorld) -> None:
    a.org.time_zone = "America/New_York"
    a.admin.organisation = a.org
    data = {
        "title": "T",
        "audience": "everyone",
        "opens_at": "2026-07-01T09:00",  # EDT, UTC−4
        "closes_at": "2026-12-01T09:00",  # EST, UTC−5
        "anonymity_threshold": "5",
        "questions": [s.questions[0].pk],
    }
    with a.tenant():
        form = SurveyForm(data, actor=a.admin)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["opens_at"] == datetime(2026, 7, 1, 13, tzinfo=UTC)
    assert form.cleaned_data["closes_at"] == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert "America/New_York" in str(form.fields["opens_at"].help_text)
