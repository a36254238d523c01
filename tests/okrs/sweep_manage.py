"""Sweep cases for the managers' and HR's OKR pages (okrs/urls_manage.py)."""

from __future__ import annotations

from tests.organisations.isolation_types import BodyCase, Case

HTML_CASES: list[Case] = []
HTML_BODY_CASES: list[BodyCase] = []
