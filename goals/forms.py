"""Forms of the goals pages, and the form their query strings are parsed with. Every rule stays in
goals.services; its ValidationErrors land on these forms through organisations.web.submit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from goals.models import Goal, GoalCategory, GoalState, GoalVisibility, ProgressMode
from goals.services import COMMENT_MAX, MILESTONES_MAX, TITLE_MAX, GoalData


def _all(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class GoalFilterForm(forms.Form):
    """My goals' and Shared with me's filters (a GET form)."""

    category = forms.ChoiceField(choices=_all("All categories", GoalCategory.choices), required=False)
    state = forms.ChoiceField(choices=_all("Any state", GoalState.choices), required=False)


class SharedFilterForm(GoalFilterForm):
    person = forms.TypedChoiceField(choices=[("", "Everyone")], coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *people]  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, help_text="What you want to achieve, e.g. “Run a 10 km race”.")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it matters to you, how you'll go about it.",
    )
    category = forms.ChoiceField(choices=GoalCategory.choices, initial=GoalCategory.PERSONAL_DEVELOPMENT)
    visibility = forms.ChoiceField(
        choices=GoalVisibility.choices,
        initial=GoalVisibility.PRIVATE,
        label="Who can see it",
        help_text="Private goals are yours alone: not even HR admins see them.",
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date")
    progress_mode = forms.ChoiceField(
        choices=_all("From milestones if I add some, else by hand", ProgressMode.choices),
        required=False,
        label="Progress",
    )
    milestones = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line (up to {MILESTONES_MAX}); ticking them moves the progress bar.",
    )

    def __init__(self, *args: Any, goal: Goal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal is not None:
            # Milestones of an existing goal are added, ticked and removed on its page.
            del self.fields["milestones"]
            self.fields["progress_mode"].choices = ProgressMode.choices  # type: ignore[attr-defined]
            self.fields["progress_mode"].required = True

    @staticmethod
    def initial_for(goal: Goal) -> dict[str, Any]:
        return {
            "title": goal.title,
            "description": goal.description,
            "category": goal.category,
            "visibility": goal.visibility,
            "due_date": goal.due_date,
            "progress_mode": goal.progress_mode,
        }

    def data_for_service(self) -> GoalData:
        c = self.cleaned_data
        return GoalData(
            title=c["title"],
            description=c.get("description", ""),
            category=c["category"],
            visibility=c["visibility"],
            due_date=c.get("due_date"),
            milestones=[line for line in c.get("milestones", "").splitlines() if line.strip()],
            progress_mode=c.get("progress_mode") or "",
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label="New milestone")


class ProgressForm(forms.Form):
    percent = forms.IntegerField(min_value=0, max_value=100, label="Progress (%)")

    def progress(self) -> Decimal:
        return Decimal(self.cleaned_data["percent"]) / 100


class CommentForm(forms.Form):
    text = forms.CharField(max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}), label="Add a comment")


class StateForm(forms.Form):
    action = forms.ChoiceField(choices=[("complete", "Complete"), ("abandon", "Abandon"), ("reopen", "Reopen")])
    note = forms.CharField(required=False, max_length=COMMENT_MAX)
