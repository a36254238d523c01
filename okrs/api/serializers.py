"""Serializers of the OKR API: the resources, their actions' bodies, and the query strings of the
lists (a malformed parameter is a 400 naming it, never a 500)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from okrs import selectors
from okrs import status as okr_status
from okrs.models import Alignment, Cycle, CycleState, KeyResult, Level, Milestone, Objective, ProgressUpdate, Status
from okrs.tree import ROOTS_PER_PAGE
from organisations.api.base import IdParam, SearchParam, TenantPrimaryKeyField
from organisations.api.pagination import MAX_LIMIT, MAX_OFFSET
from organisations.models import Membership, Organisation, Team


class _VisibleField(TenantPrimaryKeyField):
    """A related id the caller may see: an invisible one is refused exactly like a foreign one."""

    def visible(self, membership: Membership) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any] | None:
        queryset = super().get_queryset()
        membership: Membership | None = self.context.get("membership")
        if queryset is None or membership is None:
            return queryset
        return queryset.filter(pk__in=self.visible(membership).values("pk"))


class VisibleObjectiveField(_VisibleField):
    """An objective id the caller may see."""

    def visible(self, membership: Membership) -> QuerySet[Any]:
        return selectors.visible_objectives(actor=membership, access=self.context.get("access"))


class VisibleKeyResultField(_VisibleField):
    """A key result id of an objective the caller may see."""

    def visible(self, membership: Membership) -> QuerySet[Any]:
        return selectors.key_result_list(actor=membership, access=self.context.get("access"))


class CycleSerializer(serializers.ModelSerializer[Cycle]):
    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "kind",
            "start_date",
            "end_date",
            "state",
            "state_pinned",
            "review_window_days",
            "parent",
            "created_at",
        ]
        read_only_fields = ["id", "kind", "state", "state_pinned", "parent", "created_at"]


class GenerateYearSerializer(serializers.Serializer[Any]):
    start_year = serializers.IntegerField(min_value=2000, max_value=2100)


class CycleStateSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=CycleState.choices)
    confirm_overlap = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Make it active although another active cycle overlaps it (otherwise 409 says which).",
    )


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "title", "weight", "done", "position"]
        read_only_fields = fields


@extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
class StatusField(serializers.Field):
    """Pace status combined with the latest confidence (DESIGN.md, Progress rules)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        organisation: Organisation | None = self.context.get("organisation")
        if organisation is None:
            return None
        today: date = self.context.get("today") or organisation.today()
        if isinstance(value, KeyResult):
            found = okr_status.key_result_status(value, value.objective.cycle, organisation=organisation, today=today)
        else:
            found = okr_status.objective_status(value, organisation=organisation, today=today)
        return found.value if found else None


class KeyResultSerializer(serializers.ModelSerializer[KeyResult]):
    objective = VisibleObjectiveField(queryset=Objective.objects.all())
    owner = TenantPrimaryKeyField(
        queryset=Membership.objects.all(), required=False, help_text="Defaults to the objective's owner."
    )
    owner_name = serializers.CharField(source="owner.user.full_name", read_only=True)
    status = StatusField()
    effective_score = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        read_only=True,
        allow_null=True,
        help_text="The score it counts with: the one set, else its progress (null: nothing to measure).",
    )
    score_is_default = serializers.BooleanField(read_only=True, help_text="No one has set a score yet.")
    # Declared, so the schema's enum has the blank the response carries before any update.
    confidence = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, read_only=True, help_text="The latest confidence; blank before any."
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    milestone_titles = serializers.ListField(
        child=serializers.CharField(max_length=200),
        write_only=True,
        required=False,
        max_length=50,
        help_text="For kind=milestones: the milestones' titles, in order.",
    )

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "objective",
            "title",
            "kind",
            "unit",
            "currency",
            "start_value",
            "target_value",
            "current_value",
            "weight",
            "owner",
            "owner_name",
            "progress_source",
            "position",
            "progress",
            "measured",
            "confidence",
            "status",
            "last_update_at",
            "score",
            "score_note",
            "effective_score",
            "score_is_default",
            "milestones",
            "milestone_titles",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "current_value",
            "position",
            "progress",
            "measured",
            "confidence",
            "last_update_at",
            "score",
            "score_note",
            "created_at",
        ]

    def validate_objective(self, value: Objective) -> Objective:
        if self.instance is not None and value.pk != self.instance.objective_id:
            raise serializers.ValidationError("A key result stays with its objective; create a new one instead.")
        return value


class KeyResultInObjectiveSerializer(KeyResultSerializer):
    """A key result inside its objective (the objective is the parent, no need to repeat it)."""

    class Meta(KeyResultSerializer.Meta):
        fields = [f for f in KeyResultSerializer.Meta.fields if f not in ("objective", "milestone_titles")]
        read_only_fields = fields


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    cycle = TenantPrimaryKeyField(queryset=Cycle.objects.all())
    owner = TenantPrimaryKeyField(
        queryset=Membership.objects.all(), required=False, help_text="Defaults to the caller."
    )
    owner_name = serializers.CharField(source="owner.user.full_name", read_only=True)
    team = TenantPrimaryKeyField(queryset=Team.objects.all(), allow_null=True, required=False)
    contributors = TenantPrimaryKeyField(queryset=Membership.objects.all(), many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    status = StatusField()
    worst_confidence = serializers.ChoiceField(
        choices=Status.choices,
        allow_blank=True,
        read_only=True,
        help_text="The worst latest confidence; blank before any.",
    )
    key_results = KeyResultInObjectiveSerializer(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "cycle",
            "title",
            "description",
            "level",
            "kind",
            "owner",
            "owner_name",
            "team",
            "contributors",
            "visibility",
            "progress_source",
            "tags",
            "progress",
            "measured",
            "worst_confidence",
            "status",
            "last_update_at",
            "score",
            "reflection",
            "carried_from",
            "approval_state",
            "approval_comment",
            "approval_by",
            "approval_at",
            "key_results",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "progress",
            "measured",
            "worst_confidence",
            "last_update_at",
            "score",
            "reflection",
            "carried_from",
            "approval_state",
            "approval_comment",
            "approval_by",
            "approval_at",
            "created_at",
            "updated_at",
        ]


class AlignmentSerializer(serializers.ModelSerializer[Alignment]):
    child = VisibleObjectiveField(queryset=Objective.objects.all())
    parent_objective = VisibleObjectiveField(queryset=Objective.objects.all(), allow_null=True, required=False)
    parent_key_result = VisibleKeyResultField(queryset=KeyResult.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Alignment
        fields = [
            "id",
            "child",
            "parent_objective",
            "parent_key_result",
            "weight",
            "counts_toward_progress",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "weight": {"help_text": "0 to 100. Set by whoever may edit the parent; the child's owner aligns with 1."},
            "counts_toward_progress": {
                "help_text": "Set by whoever may edit the parent; the child's owner keeps true."
            },
        }


class AlignmentWeightSerializer(serializers.Serializer[Any]):
    """What the parent's editor may change on an alignment."""

    weight = serializers.DecimalField(
        max_digits=8, decimal_places=3, required=False, help_text="0 to 100 (okrs.rules.MAX_WEIGHT)."
    )
    counts_toward_progress = serializers.BooleanField(required=False)


class ProgressUpdateSerializer(serializers.ModelSerializer[ProgressUpdate]):
    key_result = VisibleKeyResultField(queryset=KeyResult.objects.all())
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        allow_null=True,
        help_text="The current value (number, percentage, currency; 0 or 1 for done / not done).",
    )
    milestones_done = serializers.ListField(
        child=serializers.IntegerField(),
        write_only=True,
        required=False,
        help_text="For milestone key results: ids of the milestones now done.",
    )
    confidence = serializers.ChoiceField(choices=Status.choices, allow_blank=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    author_name = serializers.CharField(source="author.user.full_name", read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "key_result",
            "value",
            "milestones_done",
            "progress",
            "confidence",
            "note",
            "author",
            "author_name",
            "created_at",
        ]
        read_only_fields = ["id", "progress", "author", "created_at"]


class ScoreSerializer(serializers.Serializer[Any]):
    score = serializers.DecimalField(
        max_digits=4, decimal_places=3, allow_null=True, help_text="0.0 to 1.0; null clears it (its progress stands)"
    )
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)


class ReviewSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(
        allow_blank=True, required=False, max_length=2000, help_text="Required to request changes"
    )


class ApprovalItemSerializer(serializers.ModelSerializer[Objective]):
    """One objective in a manager's approval list."""

    owner_name = serializers.CharField(source="owner.user.full_name", read_only=True)
    approval_by_name = serializers.CharField(
        source="approval_by.user.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "cycle",
            "title",
            "owner",
            "owner_name",
            "approval_state",
            "approval_comment",
            "approval_by",
            "approval_by_name",
            "approval_at",
        ]
        read_only_fields = fields


class AskToAlignSerializer(serializers.Serializer[Any]):
    member = TenantPrimaryKeyField(
        queryset=Membership.objects.filter(is_active=True), help_text="Someone in the caller's reporting line"
    )


class AskToAlignResultSerializer(serializers.Serializer[Any]):
    notified = serializers.BooleanField(help_text="False when they were already asked today (nobody notified twice)")


class ReflectionSerializer(serializers.Serializer[Any]):
    reflection = serializers.CharField(allow_blank=True, max_length=10000)


# ---------------------------------------------------------------- query strings


@extend_schema_field(OpenApiTypes.STR)
class OwnerParam(serializers.Field):
    """A member id, or ``me``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> int | str:
        value = str(data).strip()
        if value == "me":
            return value
        if not value.isdigit() or len(value) > 18:
            raise serializers.ValidationError("Give a member id or “me”.")
        return int(value)

    def to_representation(self, value: Any) -> str:
        return str(value)


class ObjectiveTreeQuery(serializers.Serializer[Any]):
    """Filters of the objective list and the tree."""

    owner = OwnerParam(help_text="A member id, or `me`")
    team = IdParam()
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Pace of the worst key result and latest confidence"
    )


#: Levels of the API's tree: the roots and the level below them by default; deeper on asking.
TREE_DEFAULT_DEPTH = 2
TREE_MAX_DEPTH = 12


class CycleTreeQuery(ObjectiveTreeQuery):
    """The tree's filters, how deep it goes, and which page of roots (``limit``/``offset``, as the
    lists page)."""

    depth = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=TREE_MAX_DEPTH,
        default=TREE_DEFAULT_DEPTH,
        help_text=(
            f"Levels to include, the roots being the first (default {TREE_DEFAULT_DEPTH}). Below the "
            "last level `children` is empty; `child_count` says how many there are."
        ),
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=ROOTS_PER_PAGE, help_text="Roots per page"
    )
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET, default=0)


class ObjectiveQuery(ObjectiveTreeQuery):
    cycle = IdParam()
    search = SearchParam(help_text="Title or description contains")


class KeyResultQuery(serializers.Serializer[Any]):
    objective = IdParam()


class AlignmentQuery(serializers.Serializer[Any]):
    child = IdParam()
    parent_objective = IdParam()
    parent_key_result = IdParam()


class ProgressUpdateQuery(serializers.Serializer[Any]):
    key_result = IdParam()


def objective_filters(query: dict[str, Any], *, actor: Membership) -> selectors.ObjectiveFilters:
    owner = query.get("owner")
    return selectors.ObjectiveFilters(
        cycle_id=query.get("cycle"),
        owner_id=actor.pk if owner == "me" else owner,
        team_id=query.get("team"),
        level=query.get("level", ""),
        status=query.get("status", ""),
        search=query.get("search", ""),
    )
