"""The demo organisations: Acme (about 40 people in five departments) and Globex (the other
tenant). Idempotent: running it again leaves the same people, teams and reporting lines."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from organisations import rls
from organisations.models import Membership, Organisation, Role, Team, TeamKind, User

DEMO_PASSWORD = "ascent-demo"

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kai",
    "Lena",
    "Milo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Viktor",
    "Wren",
    "Yara",
    "Zane",
    "Ines",
    "Leo",
    "Maya",
    "Noah",
    "Sofia",
]
LAST = [
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Patel",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
]


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: Role
    team: str  # team path under the company, "" for the company itself
    manager: str | None
    title: str


def _acme_people() -> list[Person]:
    people = [
        Person("owner@acme.test", "Olivia Owens", Role.OWNER, "", None, "Chief Executive"),
        Person("hr@acme.test", "Hana Reyes", Role.ADMIN, "People", "owner@acme.test", "Head of People"),
        Person("product.lead@acme.test", "Pablo Navarro", Role.MANAGER, "Product", "owner@acme.test", "VP Product"),
        Person("eng.lead@acme.test", "Erin Walsh", Role.MANAGER, "Engineering", "owner@acme.test", "VP Engineering"),
        Person("sales.lead@acme.test", "Sean Murphy", Role.MANAGER, "Sales", "owner@acme.test", "VP Sales"),
        Person(
            "cs.lead@acme.test",
            "Carla Mendes",
            Role.MANAGER,
            "Customer Success",
            "owner@acme.test",
            "Head of Customer Success",
        ),
        Person(
            "manager@acme.test",
            "Marco Bianchi",
            Role.MANAGER,
            "Engineering/Platform",
            "eng.lead@acme.test",
            "Platform Team Lead",
        ),
        Person(
            "employee@acme.test",
            "Emma Clarke",
            Role.EMPLOYEE,
            "Engineering/Platform",
            "manager@acme.test",
            "Software Engineer",
        ),
        Person(
            "mobile.lead@acme.test",
            "Mei Chen",
            Role.MANAGER,
            "Engineering/Mobile",
            "eng.lead@acme.test",
            "Mobile Team Lead",
        ),
        Person(
            "emea.lead@acme.test",
            "Lars Nilsen",
            Role.MANAGER,
            "Sales/EMEA",
            "sales.lead@acme.test",
            "EMEA Sales Manager",
        ),
    ]
    plan = [  # (team path, manager, title, how many)
        ("Engineering/Platform", "manager@acme.test", "Software Engineer", 5),
        ("Engineering/Mobile", "mobile.lead@acme.test", "Mobile Engineer", 5),
        ("Product", "product.lead@acme.test", "Product Manager", 4),
        ("Sales/EMEA", "emea.lead@acme.test", "Account Executive", 5),
        ("Sales", "sales.lead@acme.test", "Sales Operations Analyst", 3),
        ("Customer Success", "cs.lead@acme.test", "Customer Success Manager", 5),
        ("People", "hr@acme.test", "People Partner", 3),
    ]
    n = 0
    for team, manager, title, count in plan:
        for _ in range(count):
            first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
            people.append(
                Person(f"{first}.{last}{n}@acme.test".lower(), f"{first} {last}", Role.EMPLOYEE, team, manager, title)
            )
            n += 1
    return people


def _globex_people() -> list[Person]:
    return [
        Person("owner@globex.test", "Gloria Hart", Role.OWNER, "", None, "Managing Director"),
        Person(
            "ops.lead@globex.test", "Otto Krause", Role.MANAGER, "Operations", "owner@globex.test", "Head of Operations"
        ),
        Person("analyst@globex.test", "Anya Petrova", Role.EMPLOYEE, "Operations", "ops.lead@globex.test", "Analyst"),
        Person("designer@globex.test", "Diego Ruiz", Role.EMPLOYEE, "Design", "owner@globex.test", "Designer"),
        # Olivia of Acme advises Globex too: a person in two organisations, for the switcher.
        Person("owner@acme.test", "Olivia Owens", Role.EMPLOYEE, "Operations", "owner@globex.test", "Adviser"),
    ]


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, time_zone="Europe/London")
    return user


def _team(organisation: Organisation, company: Team, path: str, cache: dict[str, Team]) -> Team:
    if not path:
        return company
    if path in cache:
        return cache[path]
    parent_path, _, name = path.rpartition("/")
    parent = _team(organisation, company, parent_path, cache)
    kind = TeamKind.DEPARTMENT if parent.kind == TeamKind.COMPANY else TeamKind.TEAM
    team, _ = Team.objects.get_or_create(organisation=organisation, parent=parent, name=name, defaults={"kind": kind})
    cache[path] = team
    return team


def _organisation(slug: str, name: str, people: list[Person], fiscal_month: int) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": "Europe/London", "fiscal_year_start_month": fiscal_month}
    )
    with rls.tenant_context(organisation.pk):
        company, _ = Team.objects.get_or_create(
            organisation=organisation, kind=TeamKind.COMPANY, defaults={"name": organisation.name}
        )
        teams: dict[str, Team] = {}
        members: dict[str, Membership] = {}
        for person in people:
            user = _user(person.email, person.name)
            membership, _ = Membership.objects.update_or_create(
                organisation=organisation,
                user=user,
                defaults={
                    "role": person.role,
                    "team": _team(organisation, company, person.team, teams),
                    "job_title": person.title,
                    "is_active": True,
                },
            )
            members[person.email] = membership
        for person in people:
            manager = members[person.manager] if person.manager else None
            Membership.objects.filter(pk=members[person.email].pk).update(manager=manager)
    return organisation


@transaction.atomic
def seed_demo() -> list[Organisation]:
    return [
        _organisation("acme", "Acme", _acme_people(), fiscal_month=1),
        _organisation("globex", "Globex", _globex_people(), fiscal_month=4),
    ]


def seed() -> list[str]:
    """The demo seed's first step (``demo_seed`` in apps.py): the people of both organisations."""
    return [f"seeded {organisation.name} (/o/{organisation.slug}/)" for organisation in seed_demo()]
