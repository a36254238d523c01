"""What every OKR viewset shares: the caller's reach and "today", computed once per request."""

from __future__ import annotations

import json
from typing import Any

from rest_framework import renderers

from okrs.permissions import Access
from organisations.api.base import TenantViewSet


class OkrViewSet(TenantViewSet):
    """Adds to the serializer context what the status and the visibility checks need."""

    _access: Access | None = None

    @property
    def access(self) -> Access:
        if self._access is None:
            self._access = Access(self.membership)
        return self._access

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "_membership", None) is not None:
            context["access"] = self.access
            context["organisation"] = self.organisation
            context["today"] = self.organisation.today()
        return context


class CsvRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: text/csv``; the export returns its own response, so this
    only renders errors (as JSON text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()
