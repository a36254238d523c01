"""HR's check-in API: templates (read, edit = a new version), the cadence, reminder deliveries."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from checkins import selectors, services
from checkins.api import serializers as s
from checkins.models import CheckinTemplate, ReminderDelivery
from organisations.api.base import TenantViewSet
from organisations.models import Role


@extend_schema(tags=["checkins"])
class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = s.TemplateSerializer
    queryset = CheckinTemplate.objects.all()
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def get_base_queryset(self) -> QuerySet[CheckinTemplate]:
        services.templates_ensure(organisation_id=self.membership.organisation_id)
        return selectors.templates(self.membership)

    @extend_schema(request=s.TemplateEditSerializer, responses=s.TemplateSerializer)
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, org_slug: str, pk: str) -> Response:
        template = self.get_object()
        serializer = s.TemplateEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questions = [
            {"key": q.get("key", ""), "text": q["text"], "for": q["who"]}
            for q in serializer.validated_data["questions"]
        ]
        services.template_edit(actor=self.membership, template=template, questions=questions)
        return Response(self.get_serializer(template).data)


CADENCE_FIELDS = dataclasses.fields(services.CadenceData)


@extend_schema(tags=["checkins"])
class CadenceViewSet(TenantViewSet):
    """The organisation's cadence (one object): GET and PUT ``cadence/``."""

    serializer_class = s.CadenceSerializer
    read_role = Role.ADMIN
    write_role = Role.ADMIN

    def get_base_queryset(self) -> QuerySet[Any]:
        return selectors.cadence_settings(self.membership)

    @extend_schema(responses=s.CadenceSerializer)
    def retrieve(self, request: Request, org_slug: str) -> Response:
        return Response(self.get_serializer(selectors.cadence_for(self.membership.organisation_id)).data)

    @extend_schema(request=s.CadenceSerializer, responses=s.CadenceSerializer)
    def update(self, request: Request, org_slug: str) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A field left out keeps its current value (the serializer's fields have model defaults,
        # so a body may omit any of them).
        current = selectors.cadence_for(self.membership.organisation_id)
        fields = {f.name: serializer.validated_data.get(f.name, getattr(current, f.name)) for f in CADENCE_FIELDS}
        saved = services.cadence_update(actor=self.membership, data=services.CadenceData(**fields))
        return Response(self.get_serializer(saved).data)


@extend_schema(tags=["checkins"])
class DeliveryViewSet(mixins.ListModelMixin, TenantViewSet):
    """Reminder deliveries (HR): who, what, when, status; ``?kind=&status=&membership=``."""

    serializer_class = s.DeliverySerializer
    query_serializer = s.DeliveryQuery
    queryset = ReminderDelivery.objects.all()
    read_role = Role.ADMIN

    def get_base_queryset(self) -> QuerySet[ReminderDelivery]:
        return selectors.delivery_list(
            self.membership,
            kind=self.filters.get("kind", ""),
            status=self.filters.get("status", ""),
            membership_id=self.filters.get("membership"),
        )

    @extend_schema(parameters=[s.DeliveryQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
