"""The caller's own notifications: list (``?unread=true``), read one, mark read, mark all read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import Notification
from organisations.api.base import TenantViewSet
from organisations.models import Role


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationQuery(serializers.Serializer[Any]):
    unread = serializers.BooleanField(required=False, help_text="Only the unread ones")


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The caller's notifications, newest first. Nobody reads another member's."""

    serializer_class = NotificationSerializer
    query_serializer = NotificationQuery
    queryset = Notification.objects.all()
    write_role = Role.EMPLOYEE

    def get_base_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list(actor=self.membership, unread_only=bool(self.filters.get("unread")))

    @extend_schema(parameters=[NotificationQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, org_slug: str, pk: str) -> Response:
        notification = services.notification_mark_read(actor=self.membership, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None, responses=inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request, org_slug: str) -> Response:
        return Response({"marked": services.notifications_mark_all_read(actor=self.membership)})
