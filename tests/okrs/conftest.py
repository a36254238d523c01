"""Fixtures of the OKR tests: a world's OKR data (``o``, and ``w`` for the world holding it),
built on the frozen clock (tests.conftest.frozen_time)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.okrs.worlds import OkrWorld, build_okrs


@pytest.fixture
def o(a: World, frozen_time: Any) -> OkrWorld:
    """World a's OKRs: a year and its active quarter with a four-level cascade (tests.okrs.worlds)."""
    a.okrs = build_okrs(a)
    return a.okrs


@pytest.fixture
def w(a: World, o: OkrWorld) -> World:
    """World a, with its OKRs built (``w.okrs``)."""
    return a
