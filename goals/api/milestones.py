"""Milestones of visible goals, one at a time: read, tick or untick (``done``), remove. They are
listed and added under their goal (``/goals/{id}/milestones/``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from goals import selectors, services
from goals.api.serializers import GoalMilestoneSerializer, GoalMilestoneUpdateSerializer
from goals.models import Milestone
from organisations.api.base import TenantViewSet
from organisations.models import Role


@extend_schema(tags=["goals"])
class MilestoneViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = GoalMilestoneSerializer
    queryset = Milestone.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Milestone]:
        return selectors.visible_milestones(actor=self.membership)

    @extend_schema(request=GoalMilestoneUpdateSerializer, responses=GoalMilestoneSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tick (``{"done": true}``) or untick a milestone; the goal's progress follows."""
        milestone = self.get_object()
        body = GoalMilestoneUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = services.milestone_toggle(
            actor=self.membership, milestone=milestone, done=body.validated_data["done"]
        )
        return Response(GoalMilestoneSerializer(milestone).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.milestone_remove(actor=self.membership, milestone=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
