"""Check-ins over the API: list (``?state=``, ``?mine=true``), read one, save a draft, submit,
complete. Only the pair and the managers above see one (another's private one is a 403, another
organisation's a 404, like the pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from checkins import selectors, services
from checkins.api import serializers as s
from checkins.models import Checkin
from organisations.api.base import TenantViewSet
from organisations.models import Role


@extend_schema(tags=["checkins"])
class CheckinViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = s.CheckinSerializer
    query_serializer = s.CheckinQuery
    queryset = Checkin.objects.all()
    write_role = Role.EMPLOYEE

    def get_base_queryset(self) -> QuerySet[Checkin]:
        qs = selectors.checkins_visible(self.membership).order_by("-due_date", "-id")
        if self.filters.get("state"):
            qs = qs.filter(state=self.filters["state"])
        if self.filters.get("mine"):
            qs = qs.filter(employee=self.membership)
        return qs

    def get_object(self) -> Checkin:
        try:
            checkin_id = int(self.kwargs["pk"])
        except ValueError:
            checkin_id = 0
        return selectors.access_checkin(self.membership, checkin_id)

    @extend_schema(parameters=[s.CheckinQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _answers(self) -> dict[str, str]:
        serializer = s.AnswersSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data["answers"])

    @extend_schema(request=s.AnswersSerializer, responses=s.CheckinSerializer)
    @action(detail=True, methods=["post"])
    def draft(self, request: Request, org_slug: str, pk: str) -> Response:
        checkin = self.get_object()
        services.checkin_save_draft(actor=self.membership, checkin=checkin, answers=self._answers())
        return Response(self.get_serializer(checkin).data)

    @extend_schema(request=s.AnswersSerializer, responses=s.CheckinSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, org_slug: str, pk: str) -> Response:
        checkin = self.get_object()
        services.checkin_submit(actor=self.membership, checkin=checkin, answers=self._answers())
        return Response(self.get_serializer(checkin).data)

    @extend_schema(request=s.CompleteSerializer, responses=s.CheckinSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, org_slug: str, pk: str) -> Response:
        checkin = self.get_object()
        serializer = s.CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.checkin_complete(
            actor=self.membership, checkin=checkin, manager_notes=serializer.validated_data["manager_notes"]
        )
        return Response(self.get_serializer(checkin).data)
