"""Serializers of the survey API. Results carry scores of published groups and the caller's own
scores only; no serializer here has a field for anyone's individual answer."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from organisations.api.base import TenantPrimaryKeyField
from organisations.models import Team
from surveys.models import (
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Action,
    ActionAudience,
    Audience,
    Question,
    Survey,
    Theme,
)


class ThemeSerializer(serializers.ModelSerializer[Theme]):
    class Meta:
        model = Theme
        fields = ["id", "name", "description", "position"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer[Question]):
    class Meta:
        model = Question
        fields = ["id", "theme", "statement", "reverse_scored", "active"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer[Survey]):
    teams = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "description",
            "audience",
            "teams",
            "opens_at",
            "closes_at",
            "anonymity_threshold",
            "state",
            "invited",
            "questions",
            "launched_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_teams(self, survey: Survey) -> list[int]:
        return [link.team_id for link in survey.audience_teams.all()]

    def get_questions(self, survey: Survey) -> list[int]:
        return [link.question_id for link in survey.survey_questions.all()]


class SurveyWriteSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=160)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.EVERYONE)
    teams = TenantPrimaryKeyField(queryset=Team.objects.all(), many=True, required=False)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    anonymity_threshold = serializers.IntegerField(min_value=MIN_THRESHOLD, max_value=MAX_THRESHOLD, default=5)
    questions = TenantPrimaryKeyField(queryset=Question.objects.filter(active=True), many=True)


class AnswerInSerializer(serializers.Serializer[Any]):
    question = TenantPrimaryKeyField(queryset=Question.objects.all())
    value = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RespondSerializer(serializers.Serializer[Any]):
    answers = AnswerInSerializer(many=True)


class ResponseRateSerializer(serializers.Serializer[Any]):
    responses = serializers.IntegerField()
    invited = serializers.IntegerField()
    rate = serializers.IntegerField(help_text="Per cent of the invited who responded")


class ScoreSerializer(serializers.Serializer[Any]):
    theme = serializers.IntegerField()
    theme_name = serializers.CharField()
    score = serializers.DecimalField(max_digits=4, decimal_places=1)


class GroupSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    team = serializers.IntegerField(allow_null=True)
    n = serializers.IntegerField()
    scores = ScoreSerializer(many=True)


class ResultsSerializer(serializers.Serializer[Any]):
    own = ScoreSerializer(many=True, help_text="The caller's own scores (nobody else can read them)")
    reporting_line = GroupSerializer(allow_null=True, help_text="Managers: their reporting line, if published")
    organisation = GroupSerializer(allow_null=True, help_text="HR: the organisation, if published")
    teams = GroupSerializer(many=True, help_text="HR: every published team")
    suppressed_message = serializers.CharField()


class CommentSerializer(serializers.Serializer[Any]):
    theme = serializers.IntegerField()
    text = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer[Action]):
    theme = TenantPrimaryKeyField(queryset=Theme.objects.all())
    audience = serializers.ChoiceField(choices=ActionAudience.choices)

    class Meta:
        model = Action
        fields = ["id", "theme", "audience", "title", "description", "active"]
        read_only_fields = ["id"]
