"""Key results: a flat resource (``?objective=``), with scoring at the close."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from okrs import selectors, services
from okrs.api.common import OkrViewSet
from okrs.api.serializers import (
    AskToAlignResultSerializer,
    AskToAlignSerializer,
    KeyResultQuery,
    KeyResultSerializer,
    ScoreSerializer,
)
from okrs.models import KeyResult, KeyResultKind, Objective
from organisations.api.base import with_current
from organisations.models import Role

#: What a partial update of a key result may change (milestones apart: their titles).
KEY_RESULT_FIELDS = (
    "title",
    "owner",
    "kind",
    "start_value",
    "target_value",
    "unit",
    "currency",
    "weight",
    "progress_source",
)


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
    query_serializer = KeyResultQuery
    queryset = KeyResult.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[KeyResult]:
        queryset = selectors.key_result_list(actor=self.membership, access=self.access)
        objective_id = self.filters.get("objective")
        if objective_id is not None:
            queryset = queryset.filter(objective_id=objective_id)
        return queryset.order_by("objective_id", "position", "id")

    @extend_schema(parameters=[KeyResultQuery])
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
                **with_current(data, kr, *KEY_RESULT_FIELDS),
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

    @extend_schema(
        summary="Ask a report to align an objective to this key result (an in-app notification and e-mail)",
        request=AskToAlignSerializer,
        responses=AskToAlignResultSerializer,
        examples=[OpenApiExample("Ask", value={"member": 42}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="ask-to-align")
    def ask_to_align(self, request: Request, org_slug: str, pk: str) -> Response:
        kr = self.get_object()
        payload = AskToAlignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        notification = services.key_result_ask_to_align(
            actor=self.membership, key_result=kr, member=payload.validated_data["member"]
        )
        return Response(AskToAlignResultSerializer({"notified": notification is not None}).data)
