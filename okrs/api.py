"""REST API for OKRs under /api/v1/orgs/<org_slug>/: cycles, objectives, key results, alignments,
progress updates, the alignment tree of a cycle and its CSV export.

Reads go through okrs.selectors (visibility applied: an objective the caller may not see answers
404 everywhere, and its id in a body is refused like a foreign one); writes go through
okrs.services, which decide who may change what (PermissionDenied becomes 403, ValidationError
a 400 with a message per field, see organisations/api_errors.py).

Key results are a flat resource (``/key-results/?objective=``) rather than nested under their
objective: they have their own ids, which progress updates, scores and alignments to a key result
refer to, and one URL per resource keeps the isolation sweep and clients simple.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from okrs import csv_io, rules, selectors, services
from okrs.models import (
    Alignment,
    Cycle,
    CycleState,
    KeyResult,
    KeyResultKind,
    Level,
    Milestone,
    Objective,
    ProgressUpdate,
    Status,
)
from okrs.permissions import Access
from organisations.api_base import TenantPrimaryKeyField, TenantViewSet
from organisations.api_errors import _django_validation_detail
from organisations.models import Membership, Organisation, Role, Team

# ---------------------------------------------------------------- helpers


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


#: How the services say "that already exists" (they raise ValidationError; the API answers 409).
_DUPLICATE_MARKERS = ("already exists", "already aligned")


@contextmanager
def conflict_on_duplicate() -> Iterator[None]:
    """Turn a service's "already exists" ValidationError into a 409 with the same per-field body."""
    try:
        yield
    except DjangoValidationError as exc:
        if any(marker in message.lower() for message in exc.messages for marker in _DUPLICATE_MARKERS):
            raise Conflict(_django_validation_detail(exc)) from None
        raise


class CsvRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: text/csv``; the export returns its own response, so this
    only renders errors (as JSON text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


class VisibleObjectiveField(TenantPrimaryKeyField):
    """An objective id the caller may see: an invisible one is refused like a foreign one."""

    def get_queryset(self) -> QuerySet[Any] | None:
        queryset = super().get_queryset()
        membership: Membership | None = self.context.get("membership")
        if queryset is None or membership is None:
            return queryset
        return queryset.filter(
            pk__in=selectors.visible_objectives(actor=membership, access=self.context.get("access")).values("pk")
        )


class VisibleKeyResultField(TenantPrimaryKeyField):
    """A key result id of an objective the caller may see."""

    def get_queryset(self) -> QuerySet[Any] | None:
        queryset = super().get_queryset()
        membership: Membership | None = self.context.get("membership")
        if queryset is None or membership is None:
            return queryset
        return queryset.filter(
            pk__in=selectors.key_result_list(actor=membership, access=self.context.get("access")).values("pk")
        )


def _today(context: Mapping[str, Any]) -> date:
    today: date | None = context.get("today")
    return today or date.today()


# ---------------------------------------------------------------- serializers


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
        today = _today(self.context)
        if isinstance(value, KeyResult):
            status = selectors.key_result_status(value, value.objective.cycle, organisation=organisation, today=today)
        else:
            status = selectors.objective_status(value, organisation=organisation, today=today)
        return status.value if status else None


class KeyResultSerializer(serializers.ModelSerializer[KeyResult]):
    objective = VisibleObjectiveField(queryset=Objective.objects.all())
    owner = TenantPrimaryKeyField(
        queryset=Membership.objects.all(), required=False, help_text="Defaults to the objective's owner."
    )
    owner_name = serializers.CharField(source="owner.user.full_name", read_only=True)
    status = StatusField()
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
            "confidence",
            "status",
            "last_update_at",
            "score",
            "score_note",
            "milestones",
            "milestone_titles",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "current_value",
            "position",
            "progress",
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
            "worst_confidence",
            "status",
            "last_update_at",
            "score",
            "reflection",
            "carried_from",
            "key_results",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "progress",
            "worst_confidence",
            "last_update_at",
            "score",
            "reflection",
            "carried_from",
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
    score = serializers.DecimalField(max_digits=4, decimal_places=3, help_text="0.0 to 1.0")
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)


class ReflectionSerializer(serializers.Serializer[Any]):
    reflection = serializers.CharField(allow_blank=True, max_length=10000)


# ---------------------------------------------------------------- base


class OkrViewSet(TenantViewSet):
    """Adds to the serializer context what the status and the visibility checks need, computed
    once per request."""

    _access: Access | None = None

    @property
    def access(self) -> Access:
        if self._access is None:
            self._access = Access(self.membership)
        return self._access

    @property
    def organisation(self) -> Organisation:
        organisation: Organisation = getattr(self.request, "organisation")  # noqa: B009  (set in initial())
        return organisation

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self.request, "membership", None) is not None:
            context["access"] = self.access
            context["organisation"] = self.organisation
            context["today"] = selectors.organisation_today(self.organisation)
        return context


# ---------------------------------------------------------------- cycles


TREE_NODE_EXAMPLE = {
    "cycle": {"id": 7, "name": "Q4 FY2026", "state": "active", "start_date": "2026-10-01", "end_date": "2026-12-31"},
    "expected_progress": "0.505435",
    "truncated": False,
    "roots": [
        {
            "id": 11,
            "title": "Win the market",
            "level": "company",
            "kind": "focus",
            "owner": 1,
            "owner_name": "Olivia Owner",
            "team": None,
            "progress": "0.400000",
            "status": "at_risk",
            "confidence": "on_track",
            "via_key_result": None,
            "key_results": [{"id": 21, "title": "Ship the platform", "progress": "0.400000", "status": "at_risk"}],
            "children": [
                {
                    "id": 12,
                    "title": "Platform launch",
                    "level": "team",
                    "kind": "standard",
                    "owner": 3,
                    "owner_name": "Mia Manager",
                    "team": 4,
                    "progress": "0.400000",
                    "status": "at_risk",
                    "confidence": "",
                    "via_key_result": 21,
                    "key_results": [],
                    "children": [],
                }
            ],
        }
    ],
}

#: The tree repeats an objective under each of its parents; this caps pathological fan-out.
TREE_MAX_NODES = 5000


@extend_schema(tags=["okrs"])
class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OkrViewSet):
    """OKR cycles (quarters, years, custom). Everyone reads; HR admins create and move them."""

    serializer_class = CycleSerializer
    queryset = Cycle.objects.all()
    write_role = Role.ADMIN

    def get_base_queryset(self) -> QuerySet[Cycle]:
        return selectors.cycle_list(actor=self.membership)

    @extend_schema(
        summary="Create a custom cycle",
        examples=[
            OpenApiExample(
                "Launch sprint",
                value={"name": "Launch sprint", "start_date": "2026-11-01", "end_date": "2026-11-30"},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Cycle]) -> None:
        data = serializer.validated_data
        serializer.instance = services.cycle_create_custom(
            actor=self.membership,
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            review_window_days=data.get("review_window_days", 7),
        )

    @extend_schema(
        summary="Generate a fiscal year: the annual cycle and its four quarters",
        request=GenerateYearSerializer,
        responses={201: CycleSerializer(many=True), 409: OpenApiResponse(description="That year already exists.")},
        examples=[OpenApiExample("FY2027", value={"start_year": 2027}, request_only=True)],
    )
    @action(detail=False, methods=["post"], url_path="generate-year")
    def generate_year(self, request: Request, org_slug: str) -> Response:
        payload = GenerateYearSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with conflict_on_duplicate():
            cycles = services.cycles_generate_year(
                actor=self.membership,
                start_year=payload.validated_data["start_year"],
                today=selectors.organisation_today(self.organisation),
            )
        return Response(CycleSerializer(cycles, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a cycle to a state by hand (the daily task then leaves it alone)",
        request=CycleStateSerializer,
        responses=CycleSerializer,
        examples=[OpenApiExample("Open the review", value={"state": "review"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="set-state")
    def set_state(self, request: Request, org_slug: str, pk: str) -> Response:
        cycle = self.get_object()
        payload = CycleStateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        cycle = services.cycle_set_state(actor=self.membership, cycle=cycle, state=payload.validated_data["state"])
        return Response(CycleSerializer(cycle).data)

    @extend_schema(
        summary="The cycle's objectives as an alignment tree, with progress and status",
        description=(
            "Objectives the caller may see, nested under the objectives they align to (directly or "
            "through one of their key results: `via_key_result`). An objective with several parents "
            "appears under each; one whose parents are in another cycle or invisible is a root. "
            "Filters as for the objective list narrow the nodes."
        ),
        parameters=[
            OpenApiParameter("owner", str, description="A member id, or `me`"),
            OpenApiParameter("team", int),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("status", str, enum=Status.values),
        ],
        responses={
            200: inline_serializer(
                "ObjectiveTree",
                {
                    "cycle": CycleSerializer(),
                    "expected_progress": serializers.DecimalField(max_digits=7, decimal_places=6),
                    "truncated": serializers.BooleanField(),
                    "roots": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        examples=[OpenApiExample("A company objective and a team one aligned to its key result", TREE_NODE_EXAMPLE)],
    )
    @action(detail=True, methods=["get"])
    def tree(self, request: Request, org_slug: str, pk: str) -> Response:
        cycle = self.get_object()
        today = selectors.organisation_today(self.organisation)
        objectives = list(
            _filtered(
                self,
                selectors.objectives_with_key_results(
                    selectors.visible_objectives(actor=self.membership, access=self.access)
                ).filter(cycle=cycle),
                today=today,
            )
        )
        by_id = {o.pk: o for o in objectives}
        children: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        has_parent: set[int] = set()
        for link in selectors.alignment_list(actor=self.membership, access=self.access).filter(
            child_id__in=list(by_id)
        ):
            parent_id = link.parent_objective_id or (
                link.parent_key_result.objective_id if link.parent_key_result else None
            )
            if parent_id in by_id:
                children[parent_id].append((link.child_id, link.parent_key_result_id))
                has_parent.add(link.child_id)
        organisation = self.organisation
        emitted = 0

        def node(objective: Objective, via: int | None) -> dict[str, Any]:
            nonlocal emitted
            emitted += 1
            status_ = selectors.objective_status(objective, organisation=organisation, today=today)
            kids = []
            for child_id, via_kr in sorted(children.get(objective.pk, []), key=lambda c: by_id[c[0]].title):
                if emitted >= TREE_MAX_NODES:
                    break
                kids.append(node(by_id[child_id], via_kr))
            return {
                "id": objective.pk,
                "title": objective.title,
                "level": objective.level,
                "kind": objective.kind,
                "owner": objective.owner_id,
                "owner_name": objective.owner.user.full_name,
                "team": objective.team_id,
                "progress": str(objective.progress),
                "status": status_.value if status_ else None,
                "confidence": objective.worst_confidence,
                "via_key_result": via,
                "key_results": [
                    {
                        "id": kr.pk,
                        "title": kr.title,
                        "progress": str(kr.progress),
                        "status": getattr(
                            selectors.key_result_status(kr, cycle, organisation=organisation, today=today),
                            "value",
                            None,
                        ),
                    }
                    for kr in objective.key_results.all()
                ],
                "children": kids,
            }

        level_order = {value: index for index, value in enumerate(Level.values)}
        roots = sorted(
            (o for o in objectives if o.pk not in has_parent), key=lambda o: (level_order.get(o.level, 9), o.title)
        )
        tree = [node(o, None) for o in roots if emitted < TREE_MAX_NODES]
        expected = rules.expected_progress(cycle.start_date, cycle.end_date, today)
        return Response(
            {
                "cycle": CycleSerializer(cycle).data,
                "expected_progress": str(expected),
                "truncated": emitted >= TREE_MAX_NODES,
                "roots": tree,
            }
        )

    @extend_schema(
        summary="Export the cycle's OKRs as CSV (one row per key result)",
        description="Only the objectives the caller may see. The file can be imported into another cycle.",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def export(self, request: Request, org_slug: str, pk: str) -> HttpResponse:
        cycle = self.get_object()
        text = csv_io.export_cycle(actor=self.membership, organisation=self.organisation, cycle=cycle)
        return csv_io.csv_response(text, cycle)


def _filtered(view: OkrViewSet, queryset: QuerySet[Objective], *, today: date) -> QuerySet[Objective]:
    params = view.request.query_params
    owner = params.get("owner", "")
    owner_id = view.membership.pk if owner == "me" else _int_param(view.request, "owner")
    return selectors.objective_search(
        queryset,
        actor=view.membership,
        organisation=view.organisation,
        today=today,
        cycle_id=_int_param(view.request, "cycle"),
        owner_id=owner_id,
        team_id=_int_param(view.request, "team"),
        level=params.get("level", "")[:20],
        status=params.get("status", "")[:20],
        search=params.get("search", "").strip()[:100],
    )


# ---------------------------------------------------------------- objectives


OBJECTIVE_EXAMPLE = {
    "cycle": 7,
    "title": "Make onboarding delightful",
    "description": "New customers reach value in their first week.",
    "level": "team",
    "kind": "standard",
    "owner": 3,
    "team": 4,
    "visibility": "organisation",
    "tags": ["onboarding"],
}


@extend_schema(tags=["okrs"])
class ObjectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OkrViewSet,
):
    """Objectives the caller may see, with their key results. Employees create and edit their own
    (and those they contribute to), managers their team's and reports', admins all."""

    serializer_class = ObjectiveSerializer
    queryset = Objective.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Objective]:
        queryset = selectors.objectives_with_key_results(
            selectors.visible_objectives(actor=self.membership, access=self.access)
        ).prefetch_related("contributors")  # one query for every objective's contributors
        if self.action == "list":
            queryset = _filtered(self, queryset, today=selectors.organisation_today(self.organisation))
        return queryset.order_by("cycle__start_date", "level", "title", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int),
            OpenApiParameter("owner", str, description="A member id, or `me`"),
            OpenApiParameter("team", int),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter(
                "status", str, enum=Status.values, description="Pace of the worst key result and latest confidence"
            ),
            OpenApiParameter("search", str, description="Title or description contains"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        examples=[
            OpenApiExample("A team objective", value=OBJECTIVE_EXAMPLE, request_only=True),
            OpenApiExample(
                "Invalid: no title",
                value={"title": ["Say what you want to achieve."]},
                response_only=True,
                status_codes=["400"],
            ),
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def _reload(self, objective: Objective) -> Objective:
        return selectors.objectives_with_key_results(
            selectors.visible_objectives(actor=self.membership, access=self.access).filter(pk=objective.pk)
        ).prefetch_related("contributors")[0]

    def perform_create(self, serializer: serializers.BaseSerializer[Objective]) -> None:
        data = serializer.validated_data
        objective = services.objective_create(
            actor=self.membership,
            data=services.ObjectiveData(
                title=data["title"],
                cycle=data["cycle"],
                owner=data.get("owner") or self.membership,
                level=data.get("level", Level.INDIVIDUAL),
                kind=data.get("kind", "standard"),
                description=data.get("description", ""),
                team=data.get("team"),
                visibility=data.get("visibility", "organisation"),
                progress_source=data.get("progress_source", "key_results"),
                tags=data.get("tags"),
                contributors=data.get("contributors"),
            ),
        )
        serializer.instance = self._reload(objective)

    @extend_schema(
        examples=[OpenApiExample("Rename", value={"title": "Make onboarding effortless"}, request_only=True)]
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.BaseSerializer[Objective]) -> None:
        objective = serializer.instance
        assert objective is not None
        data = serializer.validated_data
        updated = services.objective_update(
            actor=self.membership,
            objective=objective,
            data=services.ObjectiveData(
                title=data.get("title", objective.title),
                cycle=data.get("cycle", objective.cycle),
                owner=data.get("owner", objective.owner),
                level=data.get("level", objective.level),
                kind=data.get("kind", objective.kind),
                description=data.get("description", objective.description),
                team=data.get("team", objective.team),
                visibility=data.get("visibility", objective.visibility),
                progress_source=data.get("progress_source", objective.progress_source),
                tags=data.get("tags", objective.tags),
                contributors=data.get("contributors"),  # None: unchanged
            ),
        )
        serializer.instance = self._reload(updated)

    def perform_destroy(self, instance: Objective) -> None:
        services.objective_delete(actor=self.membership, objective=instance)

    @extend_schema(
        summary="Write the objective's reflection (at the close of the cycle)",
        request=ReflectionSerializer,
        responses=ObjectiveSerializer,
        examples=[
            OpenApiExample(
                "Reflection", value={"reflection": "We shipped late but learned to cut scope."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def reflect(self, request: Request, org_slug: str, pk: str) -> Response:
        objective = self.get_object()
        payload = ReflectionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.objective_reflect(
            actor=self.membership, objective=objective, reflection=payload.validated_data["reflection"]
        )
        return Response(self.get_serializer(self._reload(objective)).data)


# ---------------------------------------------------------------- key results


@extend_schema(tags=["okrs"])
class KeyResultViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    OkrViewSet,
):
    """Key results of the objectives the caller may see (filter with ``?objective=``)."""

    serializer_class = KeyResultSerializer
    queryset = KeyResult.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[KeyResult]:
        queryset = selectors.key_result_list(actor=self.membership, access=self.access)
        objective_id = _int_param(self.request, "objective")
        if self.action == "list" and objective_id is not None:
            queryset = queryset.filter(objective_id=objective_id)
        return queryset.order_by("objective_id", "position", "id")

    @extend_schema(parameters=[OpenApiParameter("objective", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        examples=[
            OpenApiExample(
                "A number",
                value={"objective": 12, "title": "Activated customers", "start_value": 40, "target_value": 100},
                request_only=True,
            ),
            OpenApiExample(
                "Milestones",
                value={
                    "objective": 12,
                    "title": "Launch",
                    "kind": "milestones",
                    "milestone_titles": ["Beta", "Pricing", "GA"],
                },
                request_only=True,
            ),
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def _reload(self, kr: KeyResult) -> KeyResult:
        return selectors.key_result_list(actor=self.membership, access=self.access).get(pk=kr.pk)

    def perform_create(self, serializer: serializers.BaseSerializer[KeyResult]) -> None:
        data = serializer.validated_data
        objective: Objective = data["objective"]
        kr = services.key_result_create(
            actor=self.membership,
            objective=objective,
            data=services.KeyResultData(
                title=data["title"],
                owner=data.get("owner") or objective.owner,
                kind=data.get("kind", KeyResultKind.NUMBER),
                start_value=data.get("start_value", 0),
                target_value=data.get("target_value", 1),
                unit=data.get("unit", ""),
                currency=data.get("currency", ""),
                weight=data.get("weight", 1),
                progress_source=data.get("progress_source", "manual"),
                milestones=data.get("milestone_titles"),
            ),
        )
        serializer.instance = self._reload(kr)

    @extend_schema(examples=[OpenApiExample("New target", value={"target_value": 120}, request_only=True)])
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.BaseSerializer[KeyResult]) -> None:
        kr = serializer.instance
        assert kr is not None
        data = serializer.validated_data
        kr = services.key_result_update(
            actor=self.membership,
            key_result=kr,
            data=services.KeyResultData(
                title=data.get("title", kr.title),
                owner=data.get("owner", kr.owner),
                kind=data.get("kind", kr.kind),
                start_value=data.get("start_value", kr.start_value),
                target_value=data.get("target_value", kr.target_value),
                unit=data.get("unit", kr.unit),
                currency=data.get("currency", kr.currency),
                weight=data.get("weight", kr.weight),
                progress_source=data.get("progress_source", kr.progress_source),
                # Unchanged milestones are passed as they are (the service wants them for this kind).
                milestones=data.get("milestone_titles", [m.title for m in kr.milestones.all()]),
            ),
        )
        serializer.instance = self._reload(kr)

    def perform_destroy(self, instance: KeyResult) -> None:
        services.key_result_delete(actor=self.membership, key_result=instance)

    @extend_schema(
        summary="Score the key result at the close of the cycle (0.0–1.0, defaults to its progress)",
        request=ScoreSerializer,
        responses=KeyResultSerializer,
        examples=[
            OpenApiExample(
                "Adjusted", value={"score": "0.7", "note": "The last deal signed a day late."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def score(self, request: Request, org_slug: str, pk: str) -> Response:
        kr = self.get_object()
        payload = ScoreSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.key_result_score(
            actor=self.membership,
            key_result=kr,
            score=payload.validated_data["score"],
            note=payload.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(self._reload(kr)).data)


# ---------------------------------------------------------------- alignments


@extend_schema(tags=["okrs"])
class AlignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, OkrViewSet
):
    """Links from a child objective to a parent objective or key result (a DAG, never a loop)."""

    serializer_class = AlignmentSerializer
    queryset = Alignment.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Alignment]:
        queryset = selectors.alignment_list(actor=self.membership, access=self.access)
        if self.action == "list":
            for name in ("child", "parent_objective", "parent_key_result"):
                value = _int_param(self.request, name)
                if value is not None:
                    queryset = queryset.filter(**{f"{name}_id": value})
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("child", int),
            OpenApiParameter("parent_objective", int),
            OpenApiParameter("parent_key_result", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses={201: AlignmentSerializer, 409: OpenApiResponse(description="Already aligned to that.")},
        examples=[
            OpenApiExample("To a key result", value={"child": 12, "parent_key_result": 21}, request_only=True),
            OpenApiExample(
                "To an objective, not counted",
                value={"child": 13, "parent_objective": 12, "weight": 2, "counts_toward_progress": False},
                request_only=True,
            ),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Alignment]) -> None:
        data = serializer.validated_data
        with conflict_on_duplicate():
            serializer.instance = services.alignment_create(
                actor=self.membership,
                child=data["child"],
                parent_objective=data.get("parent_objective"),
                parent_key_result=data.get("parent_key_result"),
                weight=data.get("weight", Decimal(1)),
                counts_toward_progress=data.get("counts_toward_progress", True),
            )

    def perform_destroy(self, instance: Alignment) -> None:
        services.alignment_delete(actor=self.membership, alignment=instance)


# ---------------------------------------------------------------- progress updates


@extend_schema(tags=["okrs"])
class ProgressUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OkrViewSet):
    """The append-only history of key results: updates are created, never changed or deleted."""

    serializer_class = ProgressUpdateSerializer
    queryset = ProgressUpdate.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "head", "options"]

    def get_base_queryset(self) -> QuerySet[ProgressUpdate]:
        queryset = selectors.progress_update_list(actor=self.membership, access=self.access)
        key_result_id = _int_param(self.request, "key_result")
        if self.action == "list" and key_result_id is not None:
            queryset = queryset.filter(key_result_id=key_result_id)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("key_result", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        examples=[
            OpenApiExample(
                "A value with confidence",
                value={"key_result": 21, "value": "64", "confidence": "at_risk", "note": "Two deals slipped."},
                request_only=True,
            ),
            OpenApiExample("Milestones done", value={"key_result": 22, "milestones_done": [5, 6]}, request_only=True),
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[ProgressUpdate]) -> None:
        data = serializer.validated_data
        update = services.progress_update_create(
            actor=self.membership,
            key_result=data["key_result"],
            value=data.get("value"),
            milestones_done=data.get("milestones_done"),
            confidence=data.get("confidence", ""),
            note=data.get("note", ""),
        )
        update.author = self.membership
        serializer.instance = update
