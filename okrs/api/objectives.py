"""Objectives: list (filtered), read, create, edit, delete, and the reflection at the close."""

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
from okrs.api.examples import OBJECTIVE_EXAMPLE
from okrs.api.serializers import (
    ObjectiveQuery,
    ObjectiveSerializer,
    ReflectionSerializer,
    ReviewSerializer,
    objective_filters,
)
from okrs.models import Level, Objective
from organisations.api.base import with_current
from organisations.models import Role

#: What a partial update of an objective may change (the rest of services.ObjectiveData).
OBJECTIVE_FIELDS = (
    "title",
    "cycle",
    "owner",
    "level",
    "kind",
    "description",
    "team",
    "visibility",
    "progress_source",
    "tags",
)


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
    query_serializer = ObjectiveQuery
    queryset = Objective.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Objective]:
        queryset = selectors.objectives_with_key_results(
            selectors.visible_objectives(actor=self.membership, access=self.access)
        ).prefetch_related("contributors")  # one query for every objective's contributors
        if self.action == "list":
            queryset = selectors.objective_search(
                queryset,
                actor=self.membership,
                filters=objective_filters(self.filters, actor=self.membership),
                today=self.organisation.today(),
            )
        return queryset.order_by("cycle__start_date", "level", "title", "id")

    @extend_schema(parameters=[ObjectiveQuery])
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
                **with_current(data, objective, *OBJECTIVE_FIELDS),
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

    def _review(self, request: Request, *, approve: bool) -> Response:
        objective = self.get_object()
        payload = ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = payload.validated_data.get("comment", "")
        if approve:
            services.objective_approve(actor=self.membership, objective=objective, comment=comment)
        else:
            services.objective_request_changes(actor=self.membership, objective=objective, comment=comment)
        return Response(self.get_serializer(self._reload(objective)).data)

    @extend_schema(
        summary="Approve a report's objective (its owner's managers and HR admins)",
        request=ReviewSerializer,
        responses=ObjectiveSerializer,
        examples=[OpenApiExample("Approve", value={"comment": "Ambitious and clear."}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._review(request, approve=True)

    @extend_schema(
        summary="Send a report's objective back with a comment saying what to change",
        request=ReviewSerializer,
        responses=ObjectiveSerializer,
        examples=[
            OpenApiExample(
                "Send back", value={"comment": "Align it to the team's activation key result."}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._review(request, approve=False)
