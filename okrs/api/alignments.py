"""Alignments: links from a child objective to a parent objective or key result."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from okrs import selectors, services
from okrs.api.common import OkrViewSet
from okrs.api.serializers import AlignmentQuery, AlignmentSerializer, AlignmentWeightSerializer
from okrs.models import Alignment
from organisations.models import Role


@extend_schema(tags=["okrs"])
class AlignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, OkrViewSet
):
    """Links from a child objective to a parent objective or key result (a DAG, never a loop)."""

    serializer_class = AlignmentSerializer
    query_serializer = AlignmentQuery
    queryset = Alignment.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Alignment]:
        queryset = selectors.alignment_list(actor=self.membership, access=self.access)
        for name, value in self.filters.items():
            if value is not None:
                queryset = queryset.filter(**{f"{name}_id": value})
        return queryset

    @extend_schema(parameters=[AlignmentQuery])
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
        serializer.instance = services.alignment_create(
            actor=self.membership,
            child=data["child"],
            parent_objective=data.get("parent_objective"),
            parent_key_result=data.get("parent_key_result"),
            weight=data.get("weight", Decimal(1)),
            counts_toward_progress=data.get("counts_toward_progress", True),
        )

    @extend_schema(
        summary="Set the weight and whether it counts (whoever may edit the parent)",
        request=AlignmentWeightSerializer,
        responses=AlignmentSerializer,
        examples=[OpenApiExample("Heavier", value={"weight": "2"}, request_only=True)],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alignment = self.get_object()
        payload = AlignmentWeightSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.alignment_update(
            actor=self.membership,
            alignment=alignment,
            weight=data.get("weight", alignment.weight),
            counts_toward_progress=data.get("counts_toward_progress", alignment.counts_toward_progress),
        )
        return Response(self.get_serializer(alignment).data)

    def perform_destroy(self, instance: Alignment) -> None:
        services.alignment_delete(actor=self.membership, alignment=instance)
