"""Goals: the caller's own (list), one visible goal (read), create / edit / delete of their own,
complete / abandon / reopen, manual progress, milestones and the update log (with comments), and
the goals reports share with the caller (``shared``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from goals import selectors, services
from goals.api.serializers import (
    GoalCommentSerializer,
    GoalMilestoneCreateSerializer,
    GoalMilestoneSerializer,
    GoalNoteSerializer,
    GoalProgressSerializer,
    GoalQuery,
    GoalSerializer,
    GoalUpdateSerializer,
    SharedGoalQuery,
)
from goals.models import Goal, GoalUpdate
from organisations.api.base import TenantViewSet, with_current
from organisations.models import Role

GOAL_FIELDS = ("title", "description", "category", "visibility", "due_date", "progress_mode")


@extend_schema(tags=["goals"])
class GoalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """The list is the caller's own goals; one goal is readable by whoever may see it (a private
    goal by its owner alone — 404 for everyone else, admins included). Only the owner changes it."""

    serializer_class = GoalSerializer
    query_serializer = GoalQuery
    queryset = Goal.objects.all()
    write_role = Role.EMPLOYEE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_base_queryset(self) -> QuerySet[Goal]:
        if self.action == "list":
            return selectors.my_goals(
                actor=self.membership, category=self.filters.get("category", ""), state=self.filters.get("state", "")
            )
        return (
            selectors.visible_goals(actor=self.membership).select_related("owner__user").prefetch_related("milestones")
        )

    def _reload(self, goal: Goal) -> Goal:
        return self.get_base_queryset().get(pk=goal.pk)

    @extend_schema(parameters=[GoalQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        examples=[
            OpenApiExample(
                "With milestones",
                value={
                    "title": "Give a conference talk",
                    "category": "professional_development",
                    "visibility": "manager",
                    "due_date": "2027-03-31",
                    "milestone_titles": ["Pick a topic", "Submit the abstract", "Give the talk"],
                },
                request_only=True,
            )
        ]
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Goal]) -> None:
        data = serializer.validated_data
        goal = services.goal_create(
            actor=self.membership,
            data=services.GoalData(
                title=data["title"],
                description=data.get("description", ""),
                category=data["category"],
                visibility=data["visibility"],
                due_date=data.get("due_date"),
                milestones=data.get("milestone_titles", []),
                progress_mode=data.get("progress_mode", ""),
            ),
        )
        serializer.instance = self._reload(goal)

    def perform_update(self, serializer: serializers.BaseSerializer[Goal]) -> None:
        goal = serializer.instance
        assert goal is not None
        values = with_current(serializer.validated_data, goal, *GOAL_FIELDS)
        goal = services.goal_update(actor=self.membership, goal=goal, data=services.GoalData(**values))
        serializer.instance = self._reload(goal)

    def perform_destroy(self, instance: Goal) -> None:
        services.goal_delete(actor=self.membership, goal=instance)

    # ---------------------------------------------------------------- state and progress

    def _state(self, request: Request, service: Any) -> Response:
        goal = self.get_object()
        body = GoalNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goal = service(actor=self.membership, goal=goal, note=body.validated_data["note"])
        return Response(self.get_serializer(self._reload(goal)).data)

    @extend_schema(request=GoalNoteSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._state(request, services.goal_complete)

    @extend_schema(request=GoalNoteSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"])
    def abandon(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._state(request, services.goal_abandon)

    @extend_schema(request=GoalNoteSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, org_slug: str, pk: str) -> Response:
        return self._state(request, services.goal_reopen)

    @extend_schema(
        request=GoalProgressSerializer,
        responses=GoalSerializer,
        examples=[OpenApiExample("40 %", value={"progress": "0.4", "note": "Halfway"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, org_slug: str, pk: str) -> Response:
        """Set a manual goal's progress (0..1)."""
        goal = self.get_object()  # first: a goal the caller may not see is 404 whatever the body
        body = GoalProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goal = services.goal_progress_set(
            actor=self.membership,
            goal=goal,
            progress=body.validated_data["progress"],
            note=body.validated_data["note"],
        )
        return Response(self.get_serializer(self._reload(goal)).data)

    # ---------------------------------------------------------------- milestones and the log

    @extend_schema(methods=["GET"], request=None, responses=GoalMilestoneSerializer(many=True))
    @extend_schema(methods=["POST"], request=GoalMilestoneCreateSerializer, responses={201: GoalMilestoneSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def milestones(self, request: Request, org_slug: str, pk: str) -> Response:
        goal = self.get_object()
        if request.method == "POST":
            body = GoalMilestoneCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            milestone = services.milestone_add(actor=self.membership, goal=goal, title=body.validated_data["title"])
            return Response(GoalMilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)
        return Response(GoalMilestoneSerializer(selectors.goal_milestones(goal), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=GoalUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request=GoalCommentSerializer, responses={201: GoalUpdateSerializer})
    @action(detail=True, methods=["get", "post"])
    def updates(self, request: Request, org_slug: str, pk: str) -> Response:
        """The goal's log, newest first; POST adds a comment (the owner, or a manager who sees it)."""
        goal = self.get_object()
        if request.method == "POST":
            body = GoalCommentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            update = services.goal_comment(actor=self.membership, goal=goal, text=body.validated_data["text"])
            update = selectors.goal_updates(goal).get(pk=update.pk)
            return Response(GoalUpdateSerializer(update).data, status=status.HTTP_201_CREATED)
        updates: QuerySet[GoalUpdate] = selectors.goal_updates(goal)
        page = self.paginate_queryset(updates)
        return self.get_paginated_response(GoalUpdateSerializer(page, many=True).data)

    @extend_schema(parameters=[SharedGoalQuery], responses=GoalSerializer(many=True))
    @action(detail=False, methods=["get"])
    def shared(self, request: Request, org_slug: str) -> Response:
        """Goals the caller's direct and indirect reports share with their managers (never private)."""
        query = self.query(SharedGoalQuery)
        goals = selectors.shared_with_me(
            actor=self.membership,
            category=query.get("category", ""),
            state=query.get("state", ""),
            person_id=query.get("person"),
        )
        page = self.paginate_queryset(goals)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
