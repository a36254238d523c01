"""Sweep cases for the OKR API (okrs/api.py): (path template, method) → ids of world a."""

from __future__ import annotations

from tests.organisations.isolation_types import ApiBodyCase, BodyCase, Case, Ids

#: The CSV import/export pages (okrs/urls_csv.py).
HTML_CASES: list[Case] = []
HTML_BODY_CASES: list[BodyCase] = []
API_CASES: dict[tuple[str, str], Ids] = {}
API_BODY_CASES: list[ApiBodyCase] = []
