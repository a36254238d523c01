"""Sweep cases for the managers' and HR's OKR pages (okrs/urls_manage.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.organisations.isolation_types import BodyCase, Case, no_ids

HTML_CASES: list[Case] = [
    Case("okr_tree"),
    Case("okr_tree_children"),
    Case("okr_team"),
    Case("okr_cycles", methods=("get", "post")),
    Case("okr_cycle_state", lambda w: {"cycle_id": w.okrs.quarter.pk}, ("post",)),
    Case("okr_carry_over", methods=("get", "post")),
    Case("okr_adoption"),
]


def _b_okrs(a: World, b: World) -> Any:
    from tests.okrs.sweep_cases import fingerprint  # imported late: sweep_cases imports this module

    return fingerprint(b)


HTML_BODY_CASES: list[BodyCase] = [
    # b's owner names a's cycles as source or target: refused as an unknown choice, nothing copied.
    BodyCase(
        "okr_carry_over",
        no_ids,
        lambda a, b: {"source": a.okrs.quarter.pk, "target": b.okrs.year.pk},
        _b_okrs,
    ),
    BodyCase(
        "okr_carry_over",
        no_ids,
        lambda a, b: {"source": b.okrs.quarter.pk, "target": a.okrs.year.pk},
        _b_okrs,
    ),
]
