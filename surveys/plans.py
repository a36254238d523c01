"""Action plans: the library of suggested actions, and which themes a plan suggests.

A person's plan: the themes of their own scores under the organisation's ``low_score`` (default
60), or, when none is that low, their two lowest. A manager's team plan: the same rule on their
reporting line's published result (only when it passed the anonymity rules).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from surveys.bank import THEMES
from surveys.models import Action, ActionAudience, PlanSettings, Theme

DEFAULT_LOW_SCORE = 60


@transaction.atomic
def library_ensure(*, organisation_id: int) -> int:
    """Seed the action library of an organisation's themes once (how many actions it created)."""
    if Action.objects.in_organisation(organisation_id).exists():
        return 0
    themes = {t.name: t for t in Theme.objects.in_organisation(organisation_id)}
    actions = []
    for seed in THEMES:
        theme = themes.get(seed.name)
        if theme is None:
            continue
        for audience, pairs in ((ActionAudience.INDIVIDUAL, seed.individual), (ActionAudience.MANAGER, seed.manager)):
            actions += [
                Action(organisation_id=organisation_id, theme=theme, audience=audience, title=t, description=d)
                for t, d in pairs
            ]
    Action.objects.bulk_create(actions)
    return len(actions)


def low_score(organisation_id: int) -> int:
    found = PlanSettings.objects.in_organisation(organisation_id).values_list("low_score", flat=True).first()
    return DEFAULT_LOW_SCORE if found is None else int(found)


def plan_themes[T](scores: list[tuple[T, Decimal]], threshold: int) -> list[tuple[T, Decimal]]:
    """The themes a plan suggests: those under ``threshold``, else the two lowest (lowest first)."""
    ordered = sorted(scores, key=lambda pair: pair[1])
    low = [pair for pair in ordered if pair[1] < threshold]
    return low or ordered[:2]
