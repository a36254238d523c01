"""System check: the application's database role must be subject to row-level security."""

from collections.abc import Sequence
from typing import Any, Protocol

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

ROLE_QUERY = "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"


class Cursor(Protocol):
    def execute(self, query: str, params: Any = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...


def role_bypasses_rls(cursor: Cursor) -> str | None:
    """Why the connected role would skip row-level security, or None if it cannot."""
    cursor.execute(ROLE_QUERY)
    row = cursor.fetchone()
    if row is None:
        return None
    role, is_super, bypasses = row
    if is_super:
        return f"Database role {role!r} is a superuser: row-level security would not apply."
    if bypasses:
        return f"Database role {role!r} has BYPASSRLS: row-level security would not apply."
    return None


@register(Tags.database)
def check_role_cannot_bypass_rls(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in kwargs.get("databases") or []:
        with connections[alias].cursor() as cursor:
            problem = role_bypasses_rls(cursor)
        if problem:
            errors.append(
                Error(
                    problem,
                    hint="Connect as the application role (scripts/stack.py creates ascent_app; see README).",
                    id="organisations.E001",
                )
            )
    return errors
