"""Template filters of survey pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def heat_class(score: Decimal | None) -> str:
    """A heatmap cell's colour class, by band of 20 points (classes, not inline styles: the CSP)."""
    if score is None:
        return "heat-none"
    return f"heat-{min(int(score) // 20, 4)}"
