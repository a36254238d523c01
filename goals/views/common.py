"""What the goals pages share: URLs, the decorations a template needs (rights are decided here,
from goals.permissions, never in a template), and the tabs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from goals import forms, permissions, selectors
from goals.models import Goal
from organisations.models import Membership
from organisations.web import TenantRequest


def detail_url(membership: Membership, goal_id: int) -> str:
    return reverse("goals:detail", kwargs={"org_slug": membership.organisation.slug, "goal_id": goal_id})


def home_url(membership: Membership) -> str:
    return reverse("goals:home", kwargs={"org_slug": membership.organisation.slug})


def decorate(membership: Membership, goals: Iterable[Goal]) -> list[Goal]:
    """Attach ``can_edit`` to each goal (the owner's right; no query)."""
    shown = list(goals)
    for goal in shown:
        goal.can_edit = permissions.can_edit(membership, goal)  # type: ignore[attr-defined]
    return shown


def base_context(request: TenantRequest, membership: Membership, tab: str) -> dict[str, Any]:
    return {"section": "goals", "tab": tab, "has_reports": selectors.has_reports(membership)}


def progress_form_for(goal: Goal) -> forms.ProgressForm:
    """The manual-progress field of one goal (prefixed, so several on a page keep distinct ids)."""
    return forms.ProgressForm(initial={"percent": goal.percent}, prefix=f"g{goal.pk}")
