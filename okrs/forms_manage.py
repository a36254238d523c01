"""Forms of the managers' and HR's OKR pages: cycles, carry-over. Choices of related objects
come from selectors, so a form never offers (or accepts) another organisation's cycle."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from okrs import selectors
from okrs.models import Cycle, CycleState
from okrs.services import fiscal_year_label
from organisations.models import Membership, Organisation


def fiscal_start_year(organisation: Organisation, today: date) -> int:
    """The calendar year in which the fiscal year containing ``today`` started."""
    month = organisation.fiscal_year_start_month
    return today.year if today.month >= month else today.year - 1


class GenerateYearForm(forms.Form):
    start_year = forms.TypedChoiceField(coerce=int, label="Fiscal year")

    def __init__(self, *args: Any, organisation: Organisation, today: date, generated: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = fiscal_start_year(organisation, today)
        years = range(current - 1, current + 4)
        month = organisation.fiscal_year_start_month
        field: forms.TypedChoiceField = self.fields["start_year"]  # type: ignore[assignment]
        field.choices = [
            (
                year,
                f"{fiscal_year_label(organisation, year)} (from {date(year, month, 1):%B %Y})"
                + (" — already generated" if year in generated else ""),
            )
            for year in years
        ]
        # The next fiscal year not generated yet, from the current one on: usually what HR wants.
        field.initial = next((y for y in years if y >= current and y not in generated), current + 1)
        field.help_text = "Creates the annual cycle and its four quarters, each in the state its dates give."


class CustomCycleForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. “Launch sprint” or “H2 2026”.")
    start_date = forms.DateField(label="Starts", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label="Ends", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    review_window_days = forms.IntegerField(
        label="Review window (days)",
        initial=7,
        min_value=0,
        max_value=60,
        help_text="How long owners have to score and reflect after the end.",
    )


class CycleStateForm(forms.Form):
    state = forms.ChoiceField(choices=CycleState.choices, label="State")


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cycle) -> str:
        return f"{obj.name} ({obj.get_state_display().lower()})"


class CarryOverForm(forms.Form):
    source = CycleChoiceField(queryset=Cycle.objects.none(), label="From", empty_label=None)
    target = CycleChoiceField(queryset=Cycle.objects.none(), label="Into", empty_label="Choose a cycle")

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycles = selectors.cycle_list(actor=actor)
        self.fields["source"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["target"].queryset = cycles  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data.get("target") and data["source"].pk == data["target"].pk:
            self.add_error("target", "Choose another cycle than the one you carry from.")
        return data
