"""Fixtures of the survey tests: world a's survey data (``s``), on the frozen clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.surveys.worlds import SurveyWorld, build_surveys


@pytest.fixture
def s(a: World, frozen_time: Any) -> SurveyWorld:
    a.surveys = build_surveys(a)
    return a.surveys
