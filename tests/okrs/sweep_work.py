"""Sweep cases for the employees' OKR pages (okrs/urls_work.py). Ids come from ``w.okrs``
(tests.okrs.worlds.OkrWorld)."""

from __future__ import annotations

from tests.organisations.isolation_types import BodyCase, Case

HTML_CASES: list[Case] = [
    Case("okrs"),
]
HTML_BODY_CASES: list[BodyCase] = []
