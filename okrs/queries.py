"""The forms the OKR pages parse their query strings with: ids, cycles, filters, paging.

Anything malformed is a field error, which organisations.web.parse_query answers with a 400 that
says what is wrong; an id of another organisation's cycle is a 404 (``CycleQuery.chosen_cycle``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.http import Http404

from okrs import selectors
from okrs.models import Cycle, Status
from organisations.models import Membership


class IdField(forms.IntegerField):
    """An id in a query string: a positive integer that fits the database's bigint."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, max_value=2**63 - 1, **kwargs)


class IdListField(forms.Field):
    """Repeated ids in a query string (``?open=1&open=2``): at most 50, duplicates dropped."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[int]:
        ids: list[int] = []
        for raw in list(value or [])[:50]:
            if not str(raw).isdigit() or len(str(raw)) > 18:
                raise forms.ValidationError(f"“{str(raw)[:20]}” is not an objective id.")
            ids.append(int(raw))
        return list(dict.fromkeys(ids))


class CycleQuery(forms.Form):
    """``?cycle=<id>`` of the pages that show one cycle (none: the default cycle)."""

    cycle = IdField()

    def chosen_cycle(self, actor: Membership, today: date) -> Cycle | None:
        """The asked cycle (another organisation's: 404), else the default one."""
        cycle_id = self.cleaned_data.get("cycle")
        if cycle_id is not None:
            return selectors.access_cycle(actor, cycle_id)
        return selectors.default_cycle(actor=actor, today=today)


class AdoptionQuery(CycleQuery):
    """The adoption report: the cycle, and ``after`` (the last member shown without an objective)."""

    after = IdField()


class CycleConfirmQuery(forms.Form):
    """``?confirm=<cycle id>``: the cycle whose activation waits for a confirmation."""

    confirm = IdField()


class TreeQuery(CycleQuery):
    team = IdField()
    owner = IdField()
    status = forms.ChoiceField(choices=[("", "Any"), *Status.choices], required=False)
    open = IdListField()
    after = IdField()  # keyset paging of the roots: the last root already shown
    owner_q = forms.CharField(required=False)  # the owner picker's search box (without JavaScript)

    def clean_owner_q(self) -> str:
        return str(self.cleaned_data.get("owner_q", "")).strip()[:100]


class TreeChildrenQuery(TreeQuery):
    objective = IdField()
    key = forms.CharField(required=False, max_length=400)  # an element id; the view checks its shape
    collapse = forms.BooleanField(required=False)


class TeamQuery(CycleQuery):
    """The team view: the cycle, and for HR admins another manager (``?manager=<id>``)."""

    manager = forms.CharField(required=False, max_length=40)
    #: "unaligned": only objectives that support nothing; "mine": only those aligned to a key
    #: result of the manager whose team this is.
    alignment = forms.ChoiceField(
        choices=[("", "All objectives"), ("unaligned", "Unaligned only"), ("mine", "Aligned to my key results")],
        required=False,
    )

    #: Keyset paging of the direct reports: the id of the last one shown.
    after = IdField()

    def manager_id(self) -> int | None:
        """The asked manager's id; anything that is not one is "no such manager" (404)."""
        raw = self.cleaned_data.get("manager", "")
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 18:
            raise Http404("No such manager")
        return int(raw)


class TeamPersonQuery(TeamQuery):
    """One report of the team view opened: ``?member=<id>`` (their objectives and reports)."""

    member = IdField()  # absent: the team view itself (a link that lost its report)


_MAP_PARENT = re.compile(r"^(kr|obj|all):(\d{1,18})$")


class MapMoreQuery(TeamQuery):
    """The map's "show more" / "show below": ``parent`` is ``kr:<id>`` (supporters of a key
    result), ``obj:<id>`` (of the objective itself) or ``all:<id>`` (of the objective or any of its
    key results), none for what supports nothing; ``offset`` pages through them."""

    parent = forms.CharField(max_length=40, required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=1_000_000)

    def clean_parent(self) -> tuple[str, int] | None:
        """None (no ``parent``): the team's objectives that support nothing."""
        raw = str(self.cleaned_data.get("parent", ""))
        if not raw:
            return None
        match = _MAP_PARENT.match(raw)
        if match is None:
            raise forms.ValidationError("Give kr:<id>, obj:<id> or all:<id>.")
        return match.group(1), int(match.group(2))


class SearchQuery(forms.Form):
    """``?q=`` of a search box: trimmed, and cut at 100 characters rather than refused."""

    q = forms.CharField(required=False, strip=True)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q", ""))[:100]
