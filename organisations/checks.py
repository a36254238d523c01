"""System check: the application's database role must be subject to row-level security."""

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections


@register(Tags.database)
def check_role_cannot_bypass_rls(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    databases = kwargs.get("databases") or []
    errors: list[CheckMessage] = []
    for alias in databases:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        if row is None:
            continue
        role, is_super, bypasses = row
        if is_super or bypasses:
            errors.append(
                Error(
                    f"Database role {role!r} {'is a superuser' if is_super else 'has BYPASSRLS'}: "
                    "row-level security would not apply.",
                    hint="Connect as the application role created by scripts/stack.py (see README).",
                    id="organisations.E001",
                )
            )
    return errors
