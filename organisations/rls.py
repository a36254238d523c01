"""PostgreSQL row-level security: the floor under explicit scoping.

Every tenant table carries a policy that admits only rows of the organisation named by
the transaction-local setting ``app.organisation_id``. With no tenant set, a query sees
zero rows and an insert is refused. The setting is made with ``set_config(..., true)``
inside the current transaction, so it cannot leak to the next user of a pooled connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, migrations, transaction

TENANT_SETTING = "app.organisation_id"
USER_SETTING = "app.user_id"
ALL_TENANTS_SETTING = "app.all_tenants"

_TENANT_PREDICATE = (
    f"(organisation_id = nullif(current_setting('{TENANT_SETTING}', true), '')::bigint"
    f" OR current_setting('{ALL_TENANTS_SETTING}', true) = 'on')"
)


def enable_rls(table: str) -> migrations.RunSQL:
    """Migration operation: ENABLE and FORCE row-level security on a tenant table, with the
    tenant policy for reads and writes. Use it in the migration that creates the table."""
    return migrations.RunSQL(
        sql=[
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
            f'CREATE POLICY tenant_isolation ON "{table}" USING {_TENANT_PREDICATE} WITH CHECK {_TENANT_PREDICATE}',
        ],
        reverse_sql=[
            f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
            f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
        ],
    )


def allow_own_rows(table: str, user_column: str = "user_id") -> migrations.RunSQL:
    """Migration operation: also let a user *read* their own rows in every organisation
    (their memberships, for the organisation switcher). Writes stay tenant-bound."""
    predicate = f"{user_column} = nullif(current_setting('{USER_SETTING}', true), '')::bigint"
    return migrations.RunSQL(
        sql=f'CREATE POLICY own_rows ON "{table}" FOR SELECT USING ({predicate})',
        reverse_sql=f'DROP POLICY IF EXISTS own_rows ON "{table}"',
    )


def _set(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _get(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [name])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def begin_request(user_id: int | None, *, nested: bool) -> tuple[str, str, str] | None:
    """Start a request's database context: its user, no tenant, never all tenants, no JIT.

    JIT compilation is off for the request's transaction: the visibility predicates (recursive
    reporting lines and team trees inside EXISTS) get inflated cost estimates, and PostgreSQL then
    spent 7–11 s JIT-compiling a query that runs in 0.1 s (the objective page's activity feed at
    10,000 people, measured by ``make bench``). Requests are short OLTP work; JIT never pays there.

    Returns the previous settings when the request runs inside an enclosing transaction (the
    test client does), so ``end_request`` can put them back; in production the request's
    transaction is the outermost one and the settings die with it.
    """
    previous = None
    with connection.cursor() as cursor:
        if nested:
            cursor.execute(
                "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), ''),"
                " coalesce(current_setting(%s, true), '')",
                [TENANT_SETTING, USER_SETTING, ALL_TENANTS_SETTING],
            )
            previous = cursor.fetchone()
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, '', true), set_config(%s, '', true),"
            " set_config('jit', 'off', true)",
            [USER_SETTING, "" if user_id is None else str(int(user_id)), TENANT_SETTING, ALL_TENANTS_SETTING],
        )
    if not nested or previous is None:
        return None
    return (str(previous[0]), str(previous[1]), str(previous[2]))


def end_request(previous: tuple[str, str, str] | None) -> None:
    if previous is None or connection.needs_rollback:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
            [TENANT_SETTING, previous[0], USER_SETTING, previous[1], ALL_TENANTS_SETTING, previous[2]],
        )


def set_tenant(organisation_id: int | None, *, user_id: int | None = None) -> None:
    """Set the tenant for the rest of the current transaction (must be inside one), and with
    ``user_id`` the user too, in the same statement (a request enters its organisation once)."""
    if not connection.in_atomic_block:
        raise RuntimeError("set_tenant() outside a transaction would not last past this statement")
    tenant = "" if organisation_id is None else str(int(organisation_id))
    if user_id is None:
        _set(TENANT_SETTING, tenant)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [TENANT_SETTING, tenant, USER_SETTING, str(int(user_id))],
        )


def set_current_user(user_id: int | None) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("set_current_user() outside a transaction would not last past this statement")
    _set(USER_SETTING, "" if user_id is None else str(int(user_id)))


def current_tenant() -> int | None:
    value = _get(TENANT_SETTING)
    return int(value) if value else None


@contextmanager
def tenant_context(organisation_id: int) -> Iterator[None]:
    """Run a block (a task, a command, a test fixture) as one organisation, in a transaction."""
    with transaction.atomic():
        previous = _get(TENANT_SETTING)
        set_tenant(organisation_id)
        try:
            yield
        finally:
            if connection.in_atomic_block and not connection.needs_rollback:
                _set(TENANT_SETTING, previous)


@contextmanager
def stream_batch_context(organisation_id: int) -> Iterator[None]:
    """One batch of a streamed response body, as one organisation, in a transaction of its own.

    A ``StreamingHttpResponse`` produces its body after the view has returned and the request's
    transaction (with its tenant setting) has ended: every read of the body must therefore set the
    tenant again, and does so batch by batch, so no transaction stays open while a slow client
    reads. Like ``begin_request`` it turns JIT off, in the same statement (one query a batch);
    inside an enclosing transaction (the test client) the previous tenant is put back.
    """
    nested = connection.in_atomic_block
    with transaction.atomic():
        previous = _get(TENANT_SETTING) if nested else None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, true), set_config('jit', 'off', true)",
                [TENANT_SETTING, str(int(organisation_id))],
            )
        try:
            yield
        finally:
            if previous is not None and connection.in_atomic_block and not connection.needs_rollback:
                _set(TENANT_SETTING, previous)


@contextmanager
def dangerously_all_tenants(reason: str) -> Iterator[None]:
    """Lift row-level security for a block that truly spans organisations.

    Only the jobs listed in ``tests/organisations/test_rls.py::CROSS_TENANT_CALLERS`` may
    use it (the reminder dispatcher, platform administration, the demo seed). ``reason`` is
    required so every call site says why it needs every tenant.
    """
    if not reason:
        raise ValueError("dangerously_all_tenants() needs a reason")
    with transaction.atomic():
        previous = _get(ALL_TENANTS_SETTING)
        _set(ALL_TENANTS_SETTING, "on")
        try:
            yield
        finally:
            if connection.in_atomic_block and not connection.needs_rollback:
                _set(ALL_TENANTS_SETTING, previous)
