"""The question bank and themes (read), and the action library (HR edits)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from organisations.api.base import TenantViewSet
from organisations.models import Role
from surveys import selectors, services
from surveys.api.serializers import ActionSerializer, QuestionSerializer, ThemeSerializer
from surveys.models import Action, Question, Theme


@extend_schema(tags=["surveys"])
class ThemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The organisation's survey themes."""

    serializer_class = ThemeSerializer
    queryset = Theme.objects.all()


@extend_schema(tags=["surveys"])
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The question bank (Likert statements by theme; reverse-scored ones marked)."""

    serializer_class = QuestionSerializer
    queryset = Question.objects.all()
    read_role = Role.ADMIN


@extend_schema(tags=["surveys"])
class ActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, TenantViewSet
):
    """The action library: suggestions for a person or a manager's team, per theme (HR edits)."""

    serializer_class = ActionSerializer
    queryset = Action.objects.all()
    http_method_names = ["get", "post", "patch"]

    def get_base_queryset(self) -> QuerySet[Action]:
        return selectors.action_queryset(self.membership)

    def _data(self, data: dict[str, Any], instance: Action | None = None) -> services.ActionData:
        def pick(name: str) -> Any:
            if name in data:
                return data[name]
            return getattr(instance, name) if instance is not None else ""

        return services.ActionData(
            theme=pick("theme"), audience=pick("audience"), title=pick("title"), description=pick("description") or ""
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Action]) -> None:
        serializer.instance = services.action_create(actor=self.membership, data=self._data(serializer.validated_data))

    def perform_update(self, serializer: serializers.BaseSerializer[Action]) -> None:
        instance = serializer.instance
        assert isinstance(instance, Action)
        action = services.action_update(
            actor=self.membership, action=instance, data=self._data(serializer.validated_data, instance)
        )
        if "active" in serializer.validated_data:
            action = services.action_set_active(
                actor=self.membership, action=action, active=serializer.validated_data["active"]
            )
        serializer.instance = action
