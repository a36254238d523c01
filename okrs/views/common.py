"""What several OKR pages share: where their links point, and the per-row rights and forms a
template needs (computed from prefetched data, so templates never query or decide rights)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from okrs import forms
from okrs.models import Objective
from okrs.permissions import Access
from organisations.models import Membership


def okrs_url(membership: Membership, cycle_id: int | None = None) -> str:
    url = reverse("okrs:my_okrs", kwargs={"org_slug": membership.organisation.slug})
    return f"{url}?cycle={cycle_id}" if cycle_id else url


def objective_url(org_slug: str, objective_id: int) -> str:
    return reverse("okrs:objective_detail", kwargs={"org_slug": org_slug, "objective_id": objective_id})


def detail_url(membership: Membership, objective_id: int) -> str:
    return objective_url(membership.organisation.slug, objective_id)


def percent(value: Decimal | None) -> int:
    return round((value or Decimal(0)) * 100)


def prepare_rows(objectives: list[Objective], access: Access) -> None:
    """Attach what the templates ask per row: may the actor edit it, update each key result, and
    the inline update form of each key result they may update."""
    for objective in objectives:
        objective.can_edit = access.can_edit(objective)  # type: ignore[attr-defined]
        for link in getattr(objective, "visible_parent_links", []):
            link.parent = link.parent_objective or link.parent_key_result.objective
        for kr in objective.key_results.all():
            kr.can_update = access.can_update(objective, kr)  # type: ignore[attr-defined]
            if kr.can_update:  # type: ignore[attr-defined]
                kr.row_form = forms.ProgressForm(  # type: ignore[attr-defined]
                    key_result=kr, number_format=access.actor.organisation.number_format
                )


def shown_ids(objectives: list[Objective]) -> str:
    """Ids of the objectives whose progress the page shows (own headers and parent chips): a
    progress update refreshes exactly those (an out-of-band swap without a target is an error)."""
    ids: list[int] = []
    for objective in objectives:
        ids.append(objective.pk)
        ids += [link.parent.pk for link in getattr(objective, "visible_parent_links", [])]
    return " ".join(str(pk) for pk in dict.fromkeys(ids))
