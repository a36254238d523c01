"""Serializers of the check-in API. A check-in's answers and notes are in ``CheckinSerializer``,
which only the pair and the chain above ever receive (the viewset reads through
``selectors.checkins_visible`` / ``access_checkin``); HR's overview is counts only."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from checkins.models import (
    CadenceSettings,
    Checkin,
    CheckinState,
    CheckinTemplate,
    DeliveryStatus,
    ReminderDelivery,
    ReminderKind,
    TemplateVersion,
)


class TemplateQuestionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(required=False, allow_blank=True, max_length=40)
    text = serializers.CharField(max_length=500)
    #: Who answers it (stored as ``for``, which is a Python keyword).
    who = serializers.ChoiceField(choices=["employee", "manager"], default="employee")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"key": instance.get("key", ""), "text": instance["text"], "who": instance.get("for", "employee")}


class TemplateVersionSerializer(serializers.ModelSerializer[TemplateVersion]):
    questions = TemplateQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "questions", "created_at"]
        read_only_fields = fields


class CheckinSerializer(serializers.ModelSerializer[Checkin]):
    employee_name = serializers.CharField(source="employee.user.full_name", read_only=True)
    manager_name = serializers.CharField(source="manager.user.full_name", read_only=True, default="")
    questions = TemplateQuestionSerializer(source="template_version.questions", many=True, read_only=True)
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), read_only=True)

    class Meta:
        model = Checkin
        fields = [
            "id",
            "kind",
            "period_key",
            "due_date",
            "state",
            "employee",
            "employee_name",
            "manager",
            "manager_name",
            "cycle",
            "template_version",
            "questions",
            "answers",
            "manager_notes",
            "submitted_at",
            "completed_at",
        ]
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=5000))


class CompleteSerializer(serializers.Serializer[Any]):
    manager_notes = serializers.CharField(allow_blank=True, max_length=5000, required=False, default="")


class CheckinQuery(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=CheckinState.choices, required=False)
    mine = serializers.BooleanField(required=False, help_text="Only the caller's own check-ins")


class TemplateSerializer(serializers.ModelSerializer[CheckinTemplate]):
    current_version = TemplateVersionSerializer(read_only=True)

    class Meta:
        model = CheckinTemplate
        fields = ["id", "kind", "current_version", "updated_at"]
        read_only_fields = fields


class TemplateEditSerializer(serializers.Serializer[Any]):
    questions = TemplateQuestionSerializer(many=True)


class CadenceSerializer(serializers.ModelSerializer[CadenceSettings]):
    class Meta:
        model = CadenceSettings
        fields = ["frequency", "weekday", "send_hour", "grace_days", "escalation"]
        extra_kwargs = {"send_hour": {"min_value": 7, "max_value": 20}, "grace_days": {"min_value": 1, "max_value": 30}}


class DeliverySerializer(serializers.ModelSerializer[ReminderDelivery]):
    member_name = serializers.CharField(source="membership.user.full_name", read_only=True)

    class Meta:
        model = ReminderDelivery
        fields = [
            "id",
            "membership",
            "member_name",
            "kind",
            "period_key",
            "checkin",
            "status",
            "attempts",
            "error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class DeliveryQuery(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ReminderKind.choices, required=False)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    membership = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
