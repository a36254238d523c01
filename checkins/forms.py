"""Forms of the check-in pages: answers (built from the template version's questions), manager
notes, cadence settings, template editing and the deliveries filter."""

from __future__ import annotations

from typing import Any

from django import forms

from checkins.models import Checkin, DeliveryStatus, Frequency, ReminderKind, Weekday


class AnswersForm(forms.Form):
    """One textarea per employee question of the check-in's version."""

    def __init__(self, *args: Any, checkin: Checkin, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in checkin.template_version.employee_questions():
            self.fields[question["key"]] = forms.CharField(
                label=question["text"],
                required=False,
                max_length=5000,
                initial=checkin.answers.get(question["key"], ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def answers(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items()}


class CompleteForm(forms.Form):
    manager_notes = forms.CharField(
        label="Your notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CadenceForm(forms.Form):
    frequency = forms.ChoiceField(label="Progress conversations", choices=Frequency.choices)
    weekday = forms.TypedChoiceField(label="On", choices=Weekday.choices, coerce=int)
    send_hour = forms.IntegerField(
        label="Send hour (each person's local time)",
        min_value=7,
        max_value=20,
        help_text="Between 7 and 20: nothing is sent between 21:00 and 07:00 local time.",
    )
    grace_days = forms.IntegerField(label="Grace days before escalating", min_value=1, max_value=30)
    escalation = forms.BooleanField(
        label="Escalate missed check-ins to the manager, then to the manager's manager", required=False
    )


class TemplateForm(forms.Form):
    questions = forms.CharField(
        label="Questions, one per line",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Start a line with “Manager:” for a prompt for the manager. Saving makes a new version; "
        "check-ins already under way keep theirs.",
    )

    def question_list(self) -> list[dict[str, str]]:
        out = []
        for line in self.cleaned_data["questions"].splitlines():
            text = line.strip()
            if not text:
                continue
            who = "employee"
            if text.lower().startswith("manager:"):
                who, text = "manager", text.split(":", 1)[1].strip()
            out.append({"text": text, "for": who})
        return out

    @staticmethod
    def initial_text(questions: list[dict[str, str]]) -> str:
        return "\n".join(("Manager: " if q.get("for") == "manager" else "") + q["text"] for q in questions)


class DeliveryQuery(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=[("", "All kinds"), *ReminderKind.choices], required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *DeliveryStatus.choices], required=False)
    membership = forms.IntegerField(label="Member id", required=False, min_value=1)
