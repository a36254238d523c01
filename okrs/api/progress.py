"""Progress updates: the append-only history of key results (created, never changed or deleted)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from okrs import selectors, services
from okrs.api.common import OkrViewSet
from okrs.api.serializers import ProgressUpdateQuery, ProgressUpdateSerializer
from okrs.models import ProgressUpdate
from organisations.models import Role


@extend_schema(tags=["okrs"])
class ProgressUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OkrViewSet):
    """The append-only history of key results: updates are created, never changed or deleted."""

    serializer_class = ProgressUpdateSerializer
    query_serializer = ProgressUpdateQuery
    queryset = ProgressUpdate.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "head", "options"]

    def get_base_queryset(self) -> QuerySet[ProgressUpdate]:
        queryset = selectors.progress_update_list(actor=self.membership, access=self.access)
        key_result_id = self.filters.get("key_result")
        if key_result_id is not None:
            queryset = queryset.filter(key_result_id=key_result_id)
        return queryset

    @extend_schema(parameters=[ProgressUpdateQuery])
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
