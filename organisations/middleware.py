"""Tenant resolution for HTML pages (``/o/<org_slug>/…``).

Each request runs in one transaction so the transaction-local RLS settings hold for the
view and its template. The API resolves its tenant in ``organisations.api.base`` after
DRF has authenticated the caller (a Bearer token is not visible to middleware).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection, transaction
from django.http import HttpResponseBase

from organisations import rls
from organisations.selectors import enter_organisation
from organisations.web import AscentRequest


def _is_api_view(view_func: Callable[..., Any]) -> bool:
    return hasattr(view_func, "cls") and getattr(view_func.cls, "resolves_tenant_itself", False)


class TenantMiddleware:
    def __init__(self, get_response: Callable[[AscentRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: AscentRequest) -> HttpResponseBase:
        request.organisation = None
        request.membership = None
        nested = connection.in_atomic_block
        with transaction.atomic():
            user_id = request.user.pk if request.user.is_authenticated else None
            previous = rls.begin_request(user_id, nested=nested)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            rls.end_request(previous)
        return response

    def process_view(
        self,
        request: AscentRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        slug = view_kwargs.get("org_slug")
        if slug is None or _is_api_view(view_func):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # Raises Http404 for an unknown slug and for a non-member alike (no existence oracle).
        request.organisation, request.membership = enter_organisation(request.user, slug)
        return None
