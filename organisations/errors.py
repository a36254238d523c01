"""The errors services raise, one type per answer (HackSoft's ``ApplicationError``, in Django's terms).

- ``ValidationError`` (Django's own): the input is wrong → 400 with a message per field; forms show it
  on the field it names.
- ``Conflict``: the input is fine but clashes with what exists ("already exists", "already aligned")
  → 409 in the API; a form shows it like any validation error.
- ``NotAllowed``: the actor may not do this → 403.

Objects outside the actor's reach are ``Http404`` (selectors' ``access_*``), never 403, so ids of
other tenants cannot be probed. One exception handler maps these for the API
(``organisations.api.errors``) and one wrapper for pages (``organisations.web.tenant_view``);
nobody decides an answer by reading a message's text.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["Conflict", "NotAllowed", "ValidationError"]


class Conflict(ValidationError):  # noqa: N818  (the name the issue and the API use: 409 Conflict)
    """The request clashes with the current state: a duplicate, or a change made at the same time."""


class NotAllowed(PermissionDenied):
    """The actor's role or relationship does not allow this change."""
