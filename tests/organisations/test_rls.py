"""Layer 3 of tenancy: PostgreSQL row-level security, proven as the application's own role."""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from organisations import rls
from organisations.checks import check_role_cannot_bypass_rls, role_bypasses_rls
from organisations.models import Membership, Team, TenantModel
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]

#: The only code allowed to lift RLS, with the reason. A new caller must be added here on purpose.
CROSS_TENANT_CALLERS: dict[str, str] = {
    "outbox/services.py": "the relay publishes every organisation's pending jobs; the operator's command retries them",
    "outbox/management/commands/outbox.py": "the operator's command lists the jobs of every organisation",
}


def tenant_tables() -> dict[str, tuple[bool, bool]]:
    """Every table with an organisation_id column → (RLS enabled, RLS forced)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
              FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE a.attname = 'organisation_id' AND NOT a.attisdropped
               AND c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace
            """
        )
        return {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}


def policies() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")
        found: dict[str, set[str]] = {}
        for table, policy in cursor.fetchall():
            found.setdefault(table, set()).add(policy)
        return found


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_every_tenant_table_has_rls_enabled_forced_and_a_tenant_policy() -> None:
    tables = tenant_tables()
    assert tables, "no tenant tables found: the query is wrong"
    found = policies()
    for table, (enabled, forced) in tables.items():
        assert enabled, f"{table}: ROW LEVEL SECURITY is not enabled"
        assert forced, f"{table}: ROW LEVEL SECURITY is not forced (the owner would bypass it)"
        assert "tenant_isolation" in found.get(table, set()), f"{table}: no tenant_isolation policy"


@pytest.mark.django_db
def test_every_tenant_model_is_a_protected_table() -> None:
    tables = tenant_tables()
    for model in apps.get_models():
        has_org = any(f.name == "organisation" for f in model._meta.concrete_fields)
        if has_org:
            assert issubclass(model, TenantModel), f"{model.__name__} has an organisation but is not a TenantModel"
            assert model._meta.db_table in tables, f"{model._meta.db_table} is missing from the RLS check"
            field = model._meta.get_field("organisation")
            assert not field.null, f"{model.__name__}.organisation must be non-null"


@pytest.mark.django_db
def test_organisation_leads_every_composite_unique_constraint_and_index() -> None:
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        for constraint in [*model._meta.constraints, *model._meta.indexes]:
            fields = list(getattr(constraint, "fields", []) or [])
            expressions = [str(e) for e in getattr(constraint, "expressions", [])]
            first = fields[0] if fields else (expressions[0] if expressions else "")
            if len(fields) + len(expressions) > 1 or (fields and fields != ["organisation"]):
                assert "organisation" in first, f"{model.__name__}.{constraint.name} does not start with organisation"


@pytest.mark.django_db
def test_application_role_is_neither_superuser_nor_bypassrls() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        is_super, bypasses = cursor.fetchone()
    assert (is_super, bypasses) == (False, False)
    assert check_role_cannot_bypass_rls(databases=["default"]) == []


def test_system_check_reports_a_superuser_connection() -> None:
    """The check's query, run on a real superuser connection, names the problem."""
    admin_url = os.environ.get("DATABASE_ADMIN_URL")
    assert admin_url, "DATABASE_ADMIN_URL must be set for the suite (scripts/stack.py sets it)"
    with psycopg.connect(admin_url) as conn, conn.cursor() as cursor:
        problem = role_bypasses_rls(cursor)  # type: ignore[arg-type]
    assert problem is not None
    assert "superuser" in problem


@pytest.mark.django_db
def test_without_a_tenant_every_tenant_table_reads_zero_rows(a: World, b: World) -> None:
    with a.tenant():
        assert Membership.objects.count() == 5  # the data exists
    assert rls.current_tenant() is None
    for table in tenant_tables():
        assert count(table) == 0, f"{table} leaks rows with no tenant set"


@pytest.mark.django_db
def test_with_tenant_a_raw_sql_sees_only_a(a: World, b: World) -> None:
    with a.tenant():
        assert count("organisations_membership") == 5
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT organisation_id FROM organisations_team")
            assert [row[0] for row in cursor.fetchall()] == [a.org.pk]
    with b.tenant():
        assert count("organisations_team") == 3


@pytest.mark.django_db
def test_insert_with_another_tenants_id_is_refused(a: World, b: World) -> None:
    with a.tenant():
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Team.objects.create(organisation=b.org, name="Smuggled", kind="team", parent=None)
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE organisations_team SET organisation_id = %s WHERE id = %s", [b.org.pk, a.team.pk])
    with b.tenant():
        assert not Team.objects.filter(name="Smuggled").exists()


@pytest.mark.django_db
def test_update_and_delete_cannot_reach_another_tenant(a: World, b: World) -> None:
    with a.tenant(), connection.cursor() as cursor:
        cursor.execute("UPDATE organisations_team SET name = 'Hacked' WHERE id = %s", [b.team.pk])
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM organisations_membership WHERE id = %s", [b.employee.pk])
        assert cursor.rowcount == 0
    with b.tenant():
        assert Team.objects.get(pk=b.team.pk).name != "Hacked"
        assert Membership.objects.filter(pk=b.employee.pk).exists()


@pytest.mark.django_db
def test_a_user_reads_their_own_memberships_across_tenants_and_nothing_else(a: World, b: World) -> None:
    with a.tenant():
        shared = a.employee.user
    from tests.factories import MembershipFactory

    MembershipFactory(organisation=b.org, user=shared)
    with transaction.atomic():
        rls.set_current_user(shared.pk)
        rows = list(Membership.objects.values_list("organisation_id", "user_id"))
        rls.set_current_user(None)
    assert sorted(rows) == sorted([(a.org.pk, shared.pk), (b.org.pk, shared.pk)])


@pytest.mark.django_db
def test_tenant_context_restores_the_previous_tenant(a: World, b: World) -> None:
    with a.tenant():
        with b.tenant():
            assert rls.current_tenant() == b.org.pk
        assert rls.current_tenant() == a.org.pk
    assert rls.current_tenant() is None


@pytest.mark.django_db
def test_all_tenants_helper_lifts_rls_only_inside_its_block(a: World, b: World) -> None:
    with rls.dangerously_all_tenants("test: proves the helper's scope"):
        assert count("organisations_membership") == 10
    assert count("organisations_membership") == 0


def test_only_listed_code_lifts_row_level_security() -> None:
    callers: set[str] = set()
    pattern = re.compile(r"dangerously_all_tenants\(")
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", ".local/", "tests/")) or relative == "organisations/rls.py":
            continue
        if pattern.search(path.read_text()):
            callers.add(relative)
    assert callers == set(CROSS_TENANT_CALLERS), (
        "A module lifts row-level security without being listed in CROSS_TENANT_CALLERS (or a listed one "
        f"stopped): {sorted(callers ^ set(CROSS_TENANT_CALLERS))}"
    )
