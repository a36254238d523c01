"""The API's one pagination: ``?limit=&offset=`` with documented bounds. DRF's own silently
ignored a malformed limit and passed any offset to the database, so ``?offset=`` past a bigint
was a 500; here a value out of bounds is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 200
MAX_OFFSET = 10_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def _bounded(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: [f"Expected a whole number from {low} to {high}."]}) from None
        if not low <= value <= high:
            raise ValidationError({name: [f"Expected a whole number from {low} to {high}, got {raw[:30]}."]})
        return value

    def get_limit(self, request: Request) -> int:
        return self._bounded(request, self.limit_query_param, self.default_limit or 50, 1, MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        return self._bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {"type": "integer", "minimum": low, "maximum": high}
        return parameters
