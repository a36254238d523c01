"""Forms of the OKR pages (their query strings are parsed by okrs.queries).

Choices of related objects come from the actor's organisation only (a foreign id is "not a valid
choice"); every business rule stays in okrs.services, whose ValidationErrors land on these forms
through organisations.web.submit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404

from okrs import selectors
from okrs.fiscal import fiscal_start_year, fiscal_year_label
from okrs.models import (
    Cycle,
    CycleState,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Level,
    Objective,
    ObjectiveKind,
    ObjectiveSource,
    Status,
    Visibility,
)
from okrs.permissions import Access
from okrs.services import KeyResultData, ObjectiveData
from okrs.services.common import plain_number
from organisations import selectors as org_selectors
from organisations.forms import PeopleField, PersonField
from organisations.models import Membership, Organisation, Role, Team


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cycle) -> str:
        return f"{obj.name} ({obj.get_state_display().lower()})"


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What you want to achieve, e.g. “Customers love onboarding”.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cycle = CycleChoiceField(queryset=Cycle.objects.none(), empty_label=None)
    level = forms.ChoiceField(choices=Level.choices, initial=Level.INDIVIDUAL)
    kind = forms.ChoiceField(choices=ObjectiveKind.choices, initial=ObjectiveKind.STANDARD)
    owner = PersonField(queryset=Membership.objects.none(), empty_label=None)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="— no team —")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.ORGANISATION)
    progress_source = forms.ChoiceField(
        choices=ObjectiveSource.choices, initial=ObjectiveSource.KEY_RESULTS, label="Progress comes from"
    )
    contributors = PeopleField(
        queryset=Membership.objects.none(),
        required=False,
        help_text="People from other teams who work on it; they can update it too.",
    )
    tags = forms.CharField(required=False, max_length=400, help_text="Comma-separated, e.g. growth, q4.")

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["cycle"].queryset = selectors.cycle_list(actor=actor)  # type: ignore[attr-defined]
        self.fields["team"].queryset = org_selectors.team_list(actor=actor).order_by("name")  # type: ignore[attr-defined]
        members = org_selectors.pickable_members(actor=actor)
        self.fields["owner"].offer(actor, members)  # type: ignore[attr-defined]
        self.fields["contributors"].offer(actor, members)  # type: ignore[attr-defined]
        if not actor.has_role(Role.MANAGER):
            # Employees own what they create (services refuse anything else): no picker to confuse.
            self.fields["owner"].widget = forms.HiddenInput()

    def data_for_service(self) -> ObjectiveData:
        data = self.cleaned_data
        return ObjectiveData(
            title=data["title"],
            cycle=data["cycle"],
            owner=data["owner"],
            level=data["level"],
            kind=data["kind"],
            description=data["description"],
            team=data["team"],
            visibility=data["visibility"],
            progress_source=data["progress_source"],
            tags=[t for t in re.split(r"[,\n]", data["tags"]) if t.strip()],
            contributors=list(data["contributors"]),
        )

    @staticmethod
    def initial_for(objective: Objective) -> dict[str, Any]:
        return {
            "title": objective.title,
            "description": objective.description,
            "cycle": objective.cycle_id,
            "level": objective.level,
            "kind": objective.kind,
            "owner": objective.owner_id,
            "team": objective.team_id,
            "visibility": objective.visibility,
            "progress_source": objective.progress_source,
            "contributors": [c.membership_id for c in objective.contributor_links.all()],
            "tags": ", ".join(objective.tags),
        }


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="How you will measure it, e.g. “Activation rate reaches 60%”.")
    kind = forms.ChoiceField(choices=KeyResultKind.choices, initial=KeyResultKind.NUMBER, label="Measured as")
    start_value = forms.CharField(max_length=30, initial="0", label="Start", required=False)
    target_value = forms.CharField(max_length=30, initial="100", label="Target", required=False)
    unit = forms.CharField(max_length=20, required=False, help_text="e.g. customers, hours.")
    currency = forms.CharField(max_length=3, required=False, help_text="For money: a code such as EUR.")
    milestones = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="For milestones: one per line."
    )
    weight = forms.CharField(max_length=12, initial="1", help_text="How much it counts in the objective (default 1).")
    owner = PersonField(queryset=Membership.objects.none(), empty_label=None)
    progress_source = forms.ChoiceField(
        choices=KeyResultSource.choices, initial=KeyResultSource.MANUAL, label="Progress comes from"
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].offer(actor, org_selectors.pickable_members(actor=actor))  # type: ignore[attr-defined]
        for name in ("start_value", "target_value", "weight"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def data_for_service(self) -> KeyResultData:
        data = self.cleaned_data
        return KeyResultData(
            title=data["title"],
            owner=data["owner"],
            kind=data["kind"],
            start_value=data["start_value"] or "0",
            target_value=data["target_value"] or "1",
            unit=data["unit"],
            currency=data["currency"],
            weight=data["weight"],
            progress_source=data["progress_source"],
            milestones=data["milestones"].splitlines(),
        )

    @staticmethod
    def initial_for(kr: KeyResult, number_format: str = "dot") -> dict[str, Any]:
        return {
            "title": kr.title,
            "kind": kr.kind,
            "start_value": plain_number(kr.start_value, number_format),
            "target_value": plain_number(kr.target_value, number_format),
            "unit": kr.unit,
            "currency": kr.currency,
            "milestones": "\n".join(m.title for m in kr.milestones.all()),
            "weight": plain_number(kr.weight, number_format),
            "owner": kr.owner_id,
            "progress_source": kr.progress_source,
        }


class ProgressForm(forms.Form):
    """The inline update of one key result: a value (or milestones, or nothing for a key result
    fed by aligned objectives), a confidence and a note."""

    value = forms.CharField(max_length=40, required=False, label="Current value")
    milestones_done = forms.MultipleChoiceField(
        choices=[], required=False, widget=forms.CheckboxSelectMultiple, label="Milestones done"
    )
    confidence = forms.ChoiceField(choices=[("", "— unchanged —"), *Status.choices], required=False)
    note = forms.CharField(max_length=2000, required=False, label="Note")

    def __init__(self, *args: Any, key_result: KeyResult, number_format: str = "dot", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"kr{key_result.pk}-%s")
        super().__init__(*args, **kwargs)
        self.key_result = key_result
        kr = key_result
        if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
            del self.fields["value"], self.fields["milestones_done"]
        elif kr.kind == KeyResultKind.MILESTONES:
            del self.fields["value"]
            milestones = list(kr.milestones.all())
            field = self.fields["milestones_done"]
            field.choices = [(str(m.pk), m.title) for m in milestones]  # type: ignore[attr-defined]
            field.initial = [str(m.pk) for m in milestones if m.done]
        else:
            del self.fields["milestones_done"]
            if kr.kind == KeyResultKind.BOOLEAN:
                self.fields["value"] = forms.ChoiceField(
                    choices=[("0", "Not done"), ("1", "Done")], label="Done?", required=False
                )
                self.fields["value"].initial = "1" if kr.current_value >= 1 else "0"
            else:
                self.fields["value"].initial = plain_number(kr.current_value, number_format)
                self.fields["value"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
                unit = kr.currency if kr.kind == KeyResultKind.CURRENCY else kr.unit
                if unit:
                    self.fields["value"].label = f"Current value ({unit})"
        self.fields["confidence"].initial = kr.confidence
        self.fields["note"].widget.attrs["placeholder"] = "What changed? (optional)"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"confidence": data.get("confidence", ""), "note": data.get("note", "")}
        if "value" in self.fields:
            kwargs["value"] = data.get("value", "")
        if "milestones_done" in self.fields:
            kwargs["milestones_done"] = [int(pk) for pk in data.get("milestones_done", [])]
        return kwargs


class ScoreForm(forms.Form):
    score = forms.DecimalField(
        required=False, min_value=Decimal(0), max_value=Decimal(1), max_digits=4, decimal_places=3
    )
    score_note = forms.CharField(required=False, max_length=2000, label="Why this score?")

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"score{key_result.pk}-%s")
        # A key result nobody scored shows its default, its progress (marked "default" beside it).
        kwargs.setdefault("initial", {"score": key_result.effective_score, "score_note": key_result.score_note})
        super().__init__(*args, **kwargs)
        self.fields["score"].widget.attrs.update({"step": "0.001", "inputmode": "decimal"})
        self.fields[
            "score"
        ].help_text = "0.0 to 1.0; defaults to the measured progress. A different score needs a note; blank goes back to the default."


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What went well, what did not, what you learnt.",
    )


class AlignmentWeightForm(forms.Form):
    """The parent's editor sets an alignment's weight (read by the service, in the organisation's
    number format) and whether it counts toward progress."""

    weight = forms.CharField(max_length=12)
    counts_toward_progress = forms.BooleanField(required=False)


class ReviewForm(forms.Form):
    """A manager approves a report's objective or sends it back; a send-back needs a comment (the
    service says so, on the comment field)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("request_changes", "Send back")])
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to send it back: say what should change. Its owner sees it on the objective and in My work.",
    )


class AskToAlignForm(forms.Form):
    """Whom to ask to align to a key result nobody supports (the service decides who may be asked)."""

    member = PersonField(queryset=Membership.objects.none(), empty_label=None, label="Ask")

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = "" if actor.is_admin else "line"  # the choices a manager has: their reporting line
        self.fields["member"].offer(actor, org_selectors.pickable_members(actor=actor, scope=scope), scope=scope)  # type: ignore[attr-defined]


_PARENT = re.compile(r"^(objective|key_result):(\d{1,18})$")


class AlignmentForm(forms.Form):
    """Align ``child`` to one parent: ``parent`` is "objective:<id>" or "key_result:<id>"."""

    parent = forms.CharField(max_length=40, error_messages={"required": "Pick an objective or a key result."})
    weight = forms.CharField(
        max_length=12,
        initial="1",
        help_text="Its share among the parent's aligned objectives (0–100). Set by whoever may edit the parent; "
        "otherwise leave 1.",
    )
    counts_toward_progress = forms.BooleanField(
        required=False, initial=True, label="Counts toward the parent's progress"
    )

    def __init__(self, *args: Any, actor: Membership, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.access = actor, access
        self.fields["weight"].widget.attrs["inputmode"] = "decimal"

    def clean_parent(self) -> tuple[str, Any]:
        match = _PARENT.match(self.cleaned_data["parent"].strip())
        if not match:
            raise forms.ValidationError("Pick an objective or a key result.")
        kind, pk = match.group(1), int(match.group(2))
        try:
            if kind == "objective":
                return kind, selectors.access_objective(self.actor, pk, access=self.access)
            return kind, selectors.access_key_result(self.actor, pk, access=self.access)
        except Http404:
            # The same answer for a foreign, a missing and an invisible parent (no oracle).
            raise forms.ValidationError("No such objective or key result.") from None


# ---------------------------------------------------------------- cycles and carry-over (HR, managers)


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
    confirm_overlap = forms.BooleanField(required=False)


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


# ---------------------------------------------------------------- CSV import


class OkrImportForm(forms.Form):
    cycle = CycleChoiceField(queryset=Cycle.objects.none(), label="Import into cycle", empty_label=None)
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: objective title, level, kind, owner email, team path, key result title, key result kind, "
            "start, target, unit, weight, parent objective title (optional columns may be left out)."
        ),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's cycles: another tenant's cycle id is "not one of the choices".
        self.fields["cycle"].queryset = selectors.cycle_list(actor=membership)  # type: ignore[attr-defined]
        default = selectors.default_cycle(actor=membership)
        if default is not None and not self.is_bound:
            self.fields["cycle"].initial = default.pk
