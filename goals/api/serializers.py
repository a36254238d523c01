"""Serializers of the goals API. Types and lengths are checked here; every rule (dates, states,
who may) stays in goals.services, whose ValidationErrors become 400s per field."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from goals.models import Goal, GoalCategory, GoalState, GoalUpdate, GoalVisibility, Milestone, ProgressMode
from goals.services import COMMENT_MAX, MILESTONES_MAX, TITLE_MAX


class GoalMilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "goal", "title", "done", "done_at", "position"]
        read_only_fields = ["id", "goal", "done_at", "position"]
        extra_kwargs = {"title": {"max_length": TITLE_MAX}}


class GoalMilestoneCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=TITLE_MAX)


class GoalMilestoneUpdateSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(help_text="Ticked (true) or not (false).")


class GoalPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.full_name")


class GoalSerializer(serializers.ModelSerializer[Goal]):
    owner = GoalPersonSerializer(read_only=True)
    category = serializers.ChoiceField(choices=GoalCategory.choices, default=GoalCategory.PERSONAL_DEVELOPMENT)
    visibility = serializers.ChoiceField(
        choices=GoalVisibility.choices,
        default=GoalVisibility.PRIVATE,
        help_text="private: the owner alone (no manager, no admin); manager: also their managers; "
        "organisation: every member.",
    )
    progress_mode = serializers.ChoiceField(
        choices=ProgressMode.choices,
        required=False,
        help_text="milestones (progress = done / total) or manual. Default: milestones when some are given.",
    )
    milestones = GoalMilestoneSerializer(many=True, read_only=True)
    milestone_titles = serializers.ListField(
        child=serializers.CharField(max_length=TITLE_MAX),
        max_length=MILESTONES_MAX,
        required=False,
        write_only=True,
        help_text="On create: the goal's first milestones, in order.",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    progress = serializers.DecimalField(
        max_digits=4, decimal_places=3, read_only=True, help_text="0..1, from the milestones or set by hand."
    )
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "owner",
            "title",
            "description",
            "category",
            "visibility",
            "due_date",
            "state",
            "progress_mode",
            "progress",
            "milestone_count",
            "milestones_done",
            "milestones",
            "milestone_titles",
            "closed_at",
            "created_at",
            "updated_at",
            "can_edit",
        ]
        read_only_fields = [
            "id",
            "state",
            "progress",
            "milestone_count",
            "milestones_done",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"title": {"max_length": TITLE_MAX}}

    def get_can_edit(self, goal: Goal) -> bool:
        membership = self.context.get("membership")
        return membership is not None and goal.owner_id == membership.pk


class GoalQuery(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=GoalCategory.choices, required=False)
    state = serializers.ChoiceField(choices=GoalState.choices, required=False)


class SharedGoalQuery(GoalQuery):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text="One report's goals")


class GoalNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX, default="")


class GoalProgressSerializer(serializers.Serializer[Any]):
    progress = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX, default="")


class GoalUpdateSerializer(serializers.ModelSerializer[GoalUpdate]):
    author = GoalPersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = GoalUpdate
        fields = ["id", "goal", "author", "kind", "text", "progress", "created_at"]
        read_only_fields = fields


class GoalCommentSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=COMMENT_MAX)
