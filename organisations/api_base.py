"""Base classes for tenant APIs under /api/v1/orgs/<org_slug>/.

``TenantViewSet`` resolves the organisation after DRF has authenticated the caller, sets the
RLS tenant for the request's transaction, checks the role, and scopes *every* queryset to the
organisation, so a subclass cannot forget. Related ids in request bodies go through
``TenantPrimaryKeyField``, which only accepts objects of the same organisation: a foreign id is
answered exactly like an id that does not exist.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from rest_framework import serializers, viewsets
from rest_framework.request import Request

from organisations.models import Membership, Role
from organisations.selectors import enter_organisation, require_role


class TenantViewSet(viewsets.GenericViewSet):
    resolves_tenant_itself: ClassVar[bool] = True
    #: Minimal role for reads; ``write_role`` for unsafe methods.
    read_role: ClassVar[Role] = Role.EMPLOYEE
    write_role: ClassVar[Role] = Role.ADMIN

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates first
        organisation, membership = enter_organisation(request.user, self.kwargs["org_slug"])
        request.organisation = organisation  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        require_role(membership, self.read_role if safe else self.write_role)

    @property
    def membership(self) -> Membership:
        membership: Membership = getattr(self.request, "membership")  # noqa: B009  (set in initial())
        return membership

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "membership": getattr(self.request, "membership", None)}

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
