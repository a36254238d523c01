"""Page forms of surveys: the builder (dates typed in the organisation's time zone), taking a
survey (one Likert group and an optional comment per statement), the action library."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from organisations.models import Membership, Team, zone
from organisations.selectors import team_tree
from surveys.models import (
    LIKERT,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Action,
    ActionAudience,
    Audience,
    Question,
    Survey,
    Theme,
)

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in ``zone`` (the organisation's), returned as an aware instant."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def __init__(self, *, tz: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self.tz).replace(tzinfo=None).strftime(LOCAL_FORMAT)
        return value

    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        if result is None:
            return None
        return timezone.make_aware(result.replace(tzinfo=None), self.tz)


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=160)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to people when they take the survey."
    )
    audience = forms.ChoiceField(choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.EVERYONE)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With “chosen teams”: each team and the teams below it are invited.",
    )
    anonymity_threshold = forms.IntegerField(
        min_value=MIN_THRESHOLD,
        max_value=MAX_THRESHOLD,
        initial=5,
        help_text="A group's results are shown only when at least this many people in it responded.",
    )
    questions = forms.ModelMultipleChoiceField(queryset=Question.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, actor: Membership, survey: Survey | None = None, **kwargs: Any) -> None:
        if survey is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "title": survey.title,
                "description": survey.description,
                "audience": survey.audience,
                "teams": [link.team_id for link in survey.audience_teams.all()],
                "anonymity_threshold": survey.anonymity_threshold,
                "opens_at": survey.opens_at,
                "closes_at": survey.closes_at,
                "questions": [link.question_id for link in survey.survey_questions.all()],
            }
        super().__init__(*args, **kwargs)
        tz = zone(actor.organisation.time_zone)
        name = actor.organisation.time_zone or "UTC"
        self.fields["opens_at"] = LocalDateTimeField(tz=tz, label="Opens", help_text=f"In {name} time.")
        self.fields["closes_at"] = LocalDateTimeField(tz=tz, label="Closes", help_text=f"In {name} time.")
        # Keep the builder's order: dates after the audience.
        order = [
            "title",
            "description",
            "audience",
            "teams",
            "opens_at",
            "closes_at",
            "anonymity_threshold",
            "questions",
        ]
        self.order_fields(order)
        teams = [team for team, _ in team_tree(actor=actor)]
        depth = {team.pk: d for team, d in team_tree(actor=actor)}
        team_field: forms.ModelMultipleChoiceField = self.fields["teams"]  # type: ignore[assignment]
        team_field.queryset = Team.objects.for_actor(actor)
        team_field.choices = [(t.pk, ("— " * depth[t.pk]) + t.name) for t in teams]
        bank = list(Question.objects.for_actor(actor).filter(active=True).select_related("theme"))
        question_field: forms.ModelMultipleChoiceField = self.fields["questions"]  # type: ignore[assignment]
        question_field.queryset = Question.objects.for_actor(actor).filter(active=True)
        grouped: dict[Theme, list[tuple[int, str]]] = {}
        for q in sorted(bank, key=lambda q: (q.theme.position, q.pk)):
            label = q.statement + (" (reverse-scored)" if q.reverse_scored else "")
            grouped.setdefault(q.theme, []).append((q.pk, label))
        question_field.choices = [(theme.name, choices) for theme, choices in grouped.items()]


class TakeForm(forms.Form):
    """One radio group (``q_<id>``) and one optional comment (``c_<id>``) per statement."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"q_{q.pk}"] = forms.TypedChoiceField(
                label=q.statement,
                choices=LIKERT,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer."},
            )
            self.fields[f"c_{q.pk}"] = forms.CharField(
                label="Comment (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self) -> list[tuple[Question, forms.BoundField, forms.BoundField]]:
        return [(q, self[f"q_{q.pk}"], self[f"c_{q.pk}"]) for q in self.questions]


class ActionForm(forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.none())
    audience = forms.ChoiceField(choices=ActionAudience.choices)
    title = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, actor: Membership, action: Action | None = None, **kwargs: Any) -> None:
        if action is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "theme": action.theme_id,
                "audience": action.audience,
                "title": action.title,
                "description": action.description,
            }
        super().__init__(*args, **kwargs)
        theme_field: forms.ModelChoiceField = self.fields["theme"]  # type: ignore[assignment]
        theme_field.queryset = Theme.objects.for_actor(actor)


class PlanSettingsForm(forms.Form):
    low_score = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Suggest actions for themes scoring under",
        help_text="0–100. When no theme is under it, a plan suggests the two lowest.",
    )


class HeatmapQuery(forms.Form):
    survey = forms.IntegerField(required=False, min_value=1)


class CommentsQuery(forms.Form):
    """The results page's comments, read on after a stored position."""

    after = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class AdoptForm(forms.Form):
    action = forms.ModelChoiceField(queryset=Action.objects.none())

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["action"]  # type: ignore[assignment]
        field.queryset = Action.objects.for_actor(actor).filter(active=True).select_related("theme")


class TrendsQuery(forms.Form):
    team = forms.IntegerField(required=False, min_value=1)
