"""The scale seed (``manage.py seed_demo --size large``): one organisation of 10,000 people and 20
small ones beside it, written with COPY so it takes a minute or two instead of hours.

This module is the orchestrator and the people part (users, teams, memberships); every other app
seeds its own tables in its ``demo_large.py`` from the ``SeededOrg`` built here, in the order of
``APP_SEEDS``. Everything an organisation owns is written inside that organisation's tenant context
(``rls.tenant_context``), exactly as a request would: the app's role is no superuser, so
row-level security checks every row we COPY. One transaction per organisation: an organisation is
either all there or not there, so a run that fails half-way leaves nothing to clean up, and a run
over existing data skips the organisations that exist (idempotent).

Why COPY and not the services: the services write one object at a time (tens of queries per key
result); at this size that is hours. The rows written here are the ones the services would write;
the derived values that the services keep (stored roll-up progress, survey results) are computed
by the same code the services call (``okrs.rollup``, ``surveys.aggregation``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.module_loading import import_string
from psycopg.types.json import Jsonb

from organisations import rls
from organisations.demo import DEMO_PASSWORD, FIRST, LAST
from organisations.models import Membership, Organisation, Role, Team, TeamKind

LARGE_SLUG = "large"
SMALL_COUNT = 20

#: Each app's part, in dependency order (people first): ``seed(org: SeededOrg) -> str``.
APP_SEEDS = [
    "okrs.demo_large.seed",
    "goals.demo_large.seed",
    "surveys.demo_large.seed",
    "checkins.demo_large.seed",
]

DEPARTMENTS = [
    "People",
    "Engineering",
    "Sales",
    "Marketing",
    "Customer Success",
    "Product",
    "Finance",
    "Operations",
    "Data",
    "Legal",
]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]


@dataclass(frozen=True)
class Sizes:
    """How much one organisation gets. ``large(1.0)`` is the figure of issue 10."""

    members: int
    departments: int
    leaf_teams: int
    objectives: int
    key_results: int
    progress_updates: int
    goals: int
    survey_responses: int

    @classmethod
    def large(cls, scale: float = 1.0) -> Sizes:
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        departments = n(10, 2)
        return cls(
            members=n(10_000, 40),
            departments=departments,
            # 200 teams in all: the company, its departments and their teams.
            leaf_teams=n(189, departments),
            objectives=n(3_000, 12),
            key_results=n(12_000, 48),
            progress_updates=n(150_000, 400),
            goals=n(5_000, 20),
            survey_responses=n(8_000, 30),
        )

    @classmethod
    def small(cls) -> Sizes:
        return cls(
            members=20,
            departments=2,
            leaf_teams=2,
            objectives=12,
            key_results=36,
            progress_updates=200,
            goals=10,
            survey_responses=15,
        )

    @property
    def teams(self) -> int:
        return 1 + self.departments + self.leaf_teams


@dataclass(frozen=True)
class Person:
    membership_id: int
    user_id: int
    team_id: int
    manager_id: int | None
    email: str


@dataclass
class SeededOrg:
    """What the people seed made, for the apps' parts: ids, not model instances (there are
    10,000 of them, and the apps write rows by id)."""

    organisation: Organisation
    sizes: Sizes
    today: date
    rng: random.Random
    company_team_id: int
    ceo: Person
    hr: Person
    heads: list[Person]  # one per department, HR's first
    department_team_ids: list[int]
    leaf_team_ids: list[int]
    department_of_team: dict[int, int]  # leaf team → its department's index
    managers: list[Person]  # one per leaf team, same order as leaf_team_ids
    members_by_team: dict[int, list[Person]] = field(default_factory=dict)  # leaf team → its employees

    @property
    def everyone(self) -> list[Person]:
        return [self.ceo, *self.heads, *self.managers, *(p for ps in self.members_by_team.values() for p in ps)]

    @property
    def employees(self) -> list[Person]:
        return [p for ps in self.members_by_team.values() for p in ps]

    def membership(self, person: Person) -> Membership:
        """A model instance, for the few service calls an app's part makes as someone."""
        return Membership.objects.select_related("user", "organisation").get(pk=person.membership_id)


# ---------------------------------------------------------------- bulk writing


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids from the table's own sequence, so rows can name each other before COPY."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


#: Every table ``copy_rows`` wrote to, for ``analyze_written`` after the load.
WRITTEN: set[str] = set()


def analyze_written() -> None:
    """ANALYZE the tables the seed filled. A bulk load leaves the planner's statistics saying the
    tables are (nearly) empty, and it then picks nested loops over 10,000-row scans: a team view
    took 30 s instead of milliseconds where autovacuum is off or has not come round yet."""
    with connection.cursor() as cursor:
        for table in sorted(WRITTEN):
            cursor.execute(f'ANALYZE "{table}"')
    WRITTEN.clear()


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY ``rows`` (attname → value) into ``model``'s table. A concrete field a row leaves out
    gets its model default (``now`` for auto_now fields), so a column added later with a default
    does not break the seed. Runs on the current connection, inside the caller's tenant context."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    with_id = "id" in first
    columns = (["id"] if with_id else []) + [f.column for f in fields]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for a blank text field, None when nullable
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]
    count = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    table = model._meta.db_table
    WRITTEN.add(table)
    # PostgreSQL refuses COPY FROM into a table with row-level security, so the rows go into a
    # temporary table (no policy) and from there through one INSERT … SELECT, which the tenant
    # policy checks row by row like any insert of the app.
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE "_seed_rows" ON COMMIT DROP AS SELECT {quoted} FROM "{table}" WITH NO DATA')  # noqa: S608  (model metadata, no input)
        with cursor.copy(f'COPY "_seed_rows" ({quoted}) FROM STDIN') as copy:
            row: dict[str, Any] | None = first
            while row is not None:
                values = [row["id"]] if with_id else []
                for name in names:
                    value = row[name] if name in row else defaults[name]
                    values.append(Jsonb(value) if name in json_fields else value)
                copy.write_row(values)
                count += 1
                row = next(iterator, None)
        cursor.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM "_seed_rows"')  # noqa: S608  (model metadata, no input)
        cursor.execute('DROP TABLE "_seed_rows"')
    return count


def spread(items: Sequence[Any], count: int) -> list[Any]:
    """``count`` picks cycling through ``items`` (round robin)."""
    return [items[i % len(items)] for i in range(count)] if items else []


# ---------------------------------------------------------------- people


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def seed_people(slug: str, name: str, sizes: Sizes, password_hash: str) -> SeededOrg:
    """Organisation, users, teams and memberships (CEO → department heads → team managers →
    employees). Must run inside the organisation's tenant context; returns what the apps need."""
    from organisations.models import User

    organisation = Organisation.objects.get(slug=slug)
    rng = random.Random(slug)
    company_id, *department_ids = reserve_ids(Team, 1 + sizes.departments)
    leaf_ids = reserve_ids(Team, sizes.leaf_teams)
    department_of_team = {team: i % sizes.departments for i, team in enumerate(leaf_ids)}
    team_rows: list[dict[str, Any]] = [
        {
            "id": company_id,
            "organisation_id": organisation.pk,
            "name": name,
            "kind": TeamKind.COMPANY,
            "parent_id": None,
        }
    ]
    for i, team in enumerate(department_ids):
        title = DEPARTMENTS[i] if i < len(DEPARTMENTS) else f"Department {i + 1}"
        team_rows.append(
            {
                "id": team,
                "organisation_id": organisation.pk,
                "name": title,
                "kind": TeamKind.DEPARTMENT,
                "parent_id": company_id,
            }
        )
    for i, team in enumerate(leaf_ids):
        department = department_of_team[team]
        team_rows.append(
            {
                "id": team,
                "organisation_id": organisation.pk,
                "name": f"{team_rows[1 + department]['name']} {i // sizes.departments + 1:02d}",
                "kind": TeamKind.TEAM,
                "parent_id": department_ids[department],
            }
        )
    copy_rows(Team, team_rows)

    # Who is who, in membership order: the CEO, the department heads (HR's first: an HR admin),
    # one manager per leaf team, then the employees spread over the leaf teams.
    plan: list[tuple[str, str, int, int | None, str]] = [("ceo", Role.OWNER, company_id, None, "Chief Executive")]
    for i, team in enumerate(department_ids):
        email = "hr" if i == 0 else f"head{i}"
        plan.append((email, Role.ADMIN if i == 0 else Role.MANAGER, team, 0, f"Head of {team_rows[1 + i]['name']}"))
    for i, team in enumerate(leaf_ids):
        department = department_of_team[team]
        plan.append((f"manager{i + 1}", Role.MANAGER, team, 1 + department, "Team Manager"))
    first_employee = len(plan)
    employees = sizes.members - first_employee
    if employees < sizes.leaf_teams:
        raise ValueError(f"{sizes.members} members are too few for {sizes.leaf_teams} teams with managers")
    for i in range(employees):
        team_index = i % sizes.leaf_teams
        plan.append((f"person{i + 1}", Role.EMPLOYEE, leaf_ids[team_index], 1 + sizes.departments + team_index, ""))

    user_ids = reserve_ids(User, len(plan))
    membership_ids = reserve_ids(Membership, len(plan))
    domain = f"{slug}.test"
    joined = timezone.now() - timedelta(days=400)
    copy_rows(
        User,
        (
            {
                "id": user_ids[i],
                "email": f"{local}@{domain}",
                "full_name": _name(rng),
                "time_zone": ZONES[i % len(ZONES)],
                "password": password_hash,
                "date_joined": joined,
                "is_superuser": False,
            }
            for i, (local, *_rest) in enumerate(plan)
        ),
    )
    copy_rows(
        Membership,
        (
            {
                "id": membership_ids[i],
                "organisation_id": organisation.pk,
                "user_id": user_ids[i],
                "role": role,
                "team_id": team,
                "manager_id": None if manager is None else membership_ids[manager],
                "job_title": title or rng.choice(["Engineer", "Analyst", "Specialist", "Associate", "Designer"]),
                "created_at": joined,
            }
            for i, (_local, role, team, manager, title) in enumerate(plan)
        ),
    )
    people = [
        Person(
            membership_ids[i], user_ids[i], team, None if boss is None else membership_ids[boss], f"{local}@{domain}"
        )
        for i, (local, _role, team, boss, _title) in enumerate(plan)
    ]
    seeded = SeededOrg(
        organisation=organisation,
        sizes=sizes,
        today=organisation.today(),
        rng=rng,
        company_team_id=company_id,
        ceo=people[0],
        hr=people[1],
        heads=people[1 : 1 + sizes.departments],
        department_team_ids=department_ids,
        leaf_team_ids=leaf_ids,
        department_of_team=department_of_team,
        managers=people[1 + sizes.departments : first_employee],
    )
    for person in people[first_employee:]:
        seeded.members_by_team.setdefault(person.team_id, []).append(person)
    return seeded


# ---------------------------------------------------------------- orchestration


def _seed_organisation(slug: str, name: str, sizes: Sizes, password_hash: str, say: Callable[[str], None]) -> list[str]:
    started = time.monotonic()
    with transaction.atomic():
        organisation = Organisation.objects.create(slug=slug, name=name, time_zone="Europe/London")
        with rls.tenant_context(organisation.pk):
            seeded = seed_people(slug, name, sizes, password_hash)
            lines = [f"{name}: {sizes.members} members in {sizes.teams} teams"]
            for path in APP_SEEDS:
                step = time.monotonic()
                line = import_string(path)(seeded)
                lines.append(f"{name}: {line}")
                if sizes.members >= 1000:
                    say(f"  {line} ({time.monotonic() - step:.1f}s)")
    lines.append(f"{name}: seeded in {time.monotonic() - started:.1f}s")
    return lines


def seed_scale(scale: float = 1.0, *, small: int = SMALL_COUNT, say: Callable[[str], None] = print) -> list[str]:
    """Seed the large organisation (``Sizes.large(scale)``) and ``small`` small ones. An
    organisation that exists already is left alone and reported as such (idempotent)."""
    password_hash = make_password(DEMO_PASSWORD)  # once: hashing 10,000 times would take minutes
    lines: list[str] = []
    plans = [(LARGE_SLUG, "Large Co", Sizes.large(scale))]
    plans += [(f"small-{i:02d}", f"Small {i:02d}", Sizes.small()) for i in range(1, small + 1)]
    for slug, name, sizes in plans:
        if Organisation.objects.filter(slug=slug).exists():
            lines.append(f"{name} (/o/{slug}/): already there, left alone")
            continue
        lines += _seed_organisation(slug, name, sizes, password_hash, say)
    analyze_written()
    return lines
