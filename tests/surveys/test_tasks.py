"""Closing by date: the beat task closes every due survey in every organisation and aggregates it;
a second tick changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from surveys.models import GroupResult, Survey, SurveyState
from surveys.tasks import close_due_surveys
from tests.conftest import World
from tests.surveys.worlds import SurveyWorld, answer

pytestmark = pytest.mark.django_db


def test_the_beat_tick_closes_due_surveys_and_aggregates_them(a: World, s: SurveyWorld, frozen_time: Any) -> None:
    for m in a.members:  # the same five as the world's closed survey (fewer would be a differencing risk)
        answer(m, s.open, {})
    assert close_due_surveys() == 0  # not due yet
    frozen_time.shift(timedelta(days=8))
    assert close_due_surveys() == 1
    assert close_due_surveys() == 0
    with a.tenant():
        survey = Survey.objects.get(pk=s.open.pk)
        assert survey.state == SurveyState.CLOSED
        assert survey.aggregated_at is not None
        assert GroupResult.objects.filter(survey=survey, kind="organisation", n=5).exists()
        assert Survey.objects.get(pk=s.draft.pk).state == SurveyState.DRAFT  # a draft is never closed by date
