"""The one place where the errors services raise become HTTP answers for the API (see
``organisations.errors``): JSON with a message per field."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from organisations.errors import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


def validation_detail(exc: DjangoValidationError) -> dict[str, Any]:
    """A Django ValidationError as DRF's body: messages per field, ``non_field_errors`` for the rest."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):  # before ValidationError: a Conflict is one
        exc = ConflictError(validation_detail(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        # A unique constraint raced a concurrent write: a conflict, not a server error.
        exc = ConflictError("This conflicts with a change made at the same time; please retry.")
    return drf_exception_handler(exc, context)
