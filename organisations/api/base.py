"""Base classes for tenant APIs under /api/v1/orgs/<org_slug>/ (the tenancy kit, API half).

``TenantViewSet`` resolves the organisation after DRF has authenticated the caller, sets the
RLS tenant for the request's transaction, checks the role, and scopes *every* queryset to the
organisation, so a subclass cannot forget. Related ids in request bodies go through
``TenantPrimaryKeyField``, which only accepts objects of the same organisation: a foreign id is
answered exactly like an id that does not exist. Query parameters go through a serializer
(``query``), so a malformed one is a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from organisations.models import Membership, Organisation, Role
from organisations.selectors import enter_organisation, require_role


class TenantViewSet(viewsets.GenericViewSet):
    resolves_tenant_itself: ClassVar[bool] = True
    #: Minimal role for reads; ``write_role`` for unsafe methods.
    read_role: ClassVar[Role] = Role.EMPLOYEE
    write_role: ClassVar[Role] = Role.ADMIN
    #: A serializer for the list's query parameters (validated in ``initial``).
    query_serializer: ClassVar[type[serializers.Serializer[Any]] | None] = None

    _organisation: Organisation
    _membership: Membership
    _query: dict[str, Any]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates first
        self._organisation, self._membership = enter_organisation(request.user, self.kwargs["org_slug"])
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        require_role(self._membership, self.read_role if safe else self.write_role)
        self._query = {}
        if self.query_serializer is not None and self.action == "list":
            self._query = self.query(self.query_serializer)

    @property
    def membership(self) -> Membership:
        return self._membership

    @property
    def organisation(self) -> Organisation:
        return self._organisation

    @property
    def filters(self) -> dict[str, Any]:
        """The list's validated query parameters (absent ones are absent)."""
        return getattr(self, "_query", {})

    def query(self, serializer_class: type[serializers.Serializer[Any]]) -> dict[str, Any]:
        """Validate the query string with ``serializer_class``; a malformed value is a 400."""
        serializer = serializer_class(data=self.request.query_params, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": getattr(self, "_membership", None)}

    def get_base_queryset(self) -> QuerySet[Any]:
        queryset = type(self).queryset
        assert queryset is not None, f"{type(self).__name__} needs a queryset"
        return queryset.all()

    def get_queryset(self) -> QuerySet[Any]:
        # Final: subclasses customise get_base_queryset(); the organisation filter always applies.
        base = self.get_base_queryset()
        if getattr(self, "swagger_fake_view", False):
            return base.none()
        return base.filter(organisation_id=self.membership.organisation_id)


class TenantPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the caller's organisation."""

    default_error_messages = {
        "does_not_exist": "No such object in this organisation (id {pk_value}).",
        "incorrect_type": "Expected an id (a number), got {data_type}.",
    }

    def get_queryset(self) -> QuerySet[Model] | None:
        queryset = super().get_queryset()
        membership: Membership | None = self.context.get("membership")
        if queryset is None:
            return None
        if membership is None:
            return queryset.none()
        return queryset.filter(organisation_id=membership.organisation_id)


def with_current(data: Mapping[str, Any], instance: Model, *fields: str) -> dict[str, Any]:
    """A partial update's values: what the request sent, else what ``instance`` has now."""
    return {name: data.get(name, getattr(instance, name)) for name in fields}


class IdParam(serializers.IntegerField):
    """An id in a query string: a positive integer that fits the database's bigint."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class SearchParam(serializers.CharField):
    """Free text in a query string: trimmed and cut at 100 characters (a NUL character, which
    PostgreSQL cannot store, is refused with a message)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data))[:100]
