"""Sweep cases for the OKR API (okrs/api.py): (path template, method) → ids of world a."""

from __future__ import annotations

from tests.organisations.isolation_types import ApiBodyCase, Ids

API_CASES: dict[tuple[str, str], Ids] = {}
API_BODY_CASES: list[ApiBodyCase] = []
