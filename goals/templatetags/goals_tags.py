"""The goals pages' progress bar: SVG whose fill width is a geometry attribute (the CSP forbids
style attributes), named for assistive technology by the goal and its percentage."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def goal_bar(progress: Decimal | None, label: str, state: str = "active") -> SafeString:
    fraction = min(max(Decimal(progress or 0), Decimal(0)), Decimal(1))
    return format_html(
        '<svg class="goal-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="{}: {} %">'
        '<rect class="goal-bar-track" width="100" height="8" rx="4"/>'
        '<rect class="goal-bar-fill goal-bar-{}" width="{}" height="8" rx="4"/></svg>',
        label,
        round(fraction * 100),
        state,
        f"{fraction * 100:.1f}",
    )
