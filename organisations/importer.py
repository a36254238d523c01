"""CSV import of people: a dry run that previews every row, then an all-or-nothing import.

Columns (header names are case-insensitive): ``email``, ``name``, ``team path`` (e.g.
``Engineering / Platform``; missing teams are created), ``manager email`` (an existing member
or someone else in the file), ``role`` (default employee), ``title``.
New people get an account and a membership at once, and an e-mail to set their password. Someone
who already has an Ascent account (in another organisation) is never added without consent: they
get an invitation to accept. The preview words both cases alike, so it does not reveal who has an
account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from organisations.csv_files import read_table
from organisations.models import ROLE_RANK, Membership, Role, Team, TeamKind, User
from organisations.selectors import require_role

MAX_ROWS = 5000
_EMAIL_MAX = User._meta.get_field("email").max_length or 254
_NAME_MAX = User._meta.get_field("full_name").max_length or 150
_TITLE_MAX = Membership._meta.get_field("job_title").max_length or 120
_TEAM_MAX = Team._meta.get_field("name").max_length or 120
HEADER_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "name": "name",
    "full name": "name",
    "team path": "team_path",
    "team": "team_path",
    "manager email": "manager_email",
    "manager": "manager_email",
    "role": "role",
    "title": "title",
    "job title": "title",
}
ROLE_NAMES = {value: value for value in Role.values} | {"hr admin": Role.ADMIN, "hr": Role.ADMIN}


@dataclass
class RowResult:
    line: int
    email: str
    name: str
    action: str = ""  # create | update | unchanged
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for row in self.rows if row.errors)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for row in self.rows if row.action == "update")

    @property
    def invited(self) -> int:
        return self.created


@dataclass
class _Plan:
    row: RowResult
    role: str
    team_path: tuple[str, ...]
    manager_email: str
    title: str


def _parse(csv_text: str, result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    table = read_table(
        csv_text,
        headers=HEADER_ALIASES,
        required=[("email", "email"), ("name", "name")],
        expected="email, name, team path, manager email, role, title",
        max_rows=MAX_ROWS,
        empty_message="The file has a header but no people.",
    )
    result.errors += table.errors
    return table.rows


def people_import(*, actor: Membership, csv_text: str, dry_run: bool) -> ImportResult:
    require_role(actor, Role.ADMIN)
    result = ImportResult(dry_run=dry_run)
    raw_rows = _parse(csv_text, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _plan_and_apply(actor=actor, raw_rows=raw_rows, result=result, dry_run=dry_run)
            if not result.ok or dry_run:
                transaction.set_rollback(True)
    except _ImportRefusedError:
        pass
    return result


class _ImportRefusedError(Exception):
    """Raised after changes were made, to roll the whole import back."""


def _plan_and_apply(
    *, actor: Membership, raw_rows: list[tuple[int, dict[str, str]]], result: ImportResult, dry_run: bool
) -> None:
    org_id = actor.organisation_id
    # Lock the organisation's memberships: a concurrent import or edit waits, so the loop check holds.
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.select_for_update(of=("self",))
        .filter(organisation_id=org_id)
        .select_related("user")
    }
    # Ranks as they are before the import: nobody changes someone above them, whatever the file says.
    above_actor = {email for email, m in members.items() if m.rank > actor.rank}
    owners_before = {email for email, m in members.items() if m.is_active and m.role == Role.OWNER}
    teams = list(Team.objects.filter(organisation_id=org_id))
    company = next((t for t in teams if t.kind == TeamKind.COMPANY), None)
    by_id = {t.pk: t for t in teams}

    def path_of(team: Team) -> tuple[str, ...]:
        parts: list[str] = []
        node: Team | None = team
        while node is not None and node.kind != TeamKind.COMPANY:
            parts.append(node.name.lower())
            node = by_id.get(node.parent_id) if node.parent_id else None
        return tuple(reversed(parts))

    team_by_path = {path_of(t): t for t in teams if t.kind != TeamKind.COMPANY}
    seen: dict[str, int] = {}
    plans: list[_Plan] = []

    for index, raw in raw_rows:
        email = raw.get("email", "").lower()
        row = RowResult(line=index, email=email, name=raw.get("name", ""))
        result.rows.append(row)
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(f"“{email or '(empty)'}” is not an e-mail address.")
        if len(email) > _EMAIL_MAX:
            row.errors.append(f"The e-mail address is longer than {_EMAIL_MAX} characters.")
        if len(row.name) > _NAME_MAX:
            row.errors.append(f"The name is longer than {_NAME_MAX} characters.")
        if len(raw.get("title", "")) > _TITLE_MAX:
            row.errors.append(f"The title is longer than {_TITLE_MAX} characters.")
        if email in seen:
            row.errors.append(f"This e-mail also appears on line {seen[email]}.")
        seen.setdefault(email, index)
        if not row.name and email not in members:
            row.errors.append("A new person needs a name.")
        role_raw = raw.get("role", "").lower()
        role = ROLE_NAMES.get(role_raw, "") if role_raw else ""
        if role_raw and not role:
            row.errors.append(f"Unknown role “{raw.get('role')}”: use employee, manager, admin or owner.")
        elif role and ROLE_RANK[Role(role)] > actor.rank:
            row.errors.append(f"You cannot give the {Role(role).label} role.")
        path = tuple(p.strip() for p in raw.get("team_path", "").replace(">", "/").split("/") if p.strip())
        if any(len(part) > _TEAM_MAX for part in path):
            row.errors.append(f"A team name is longer than {_TEAM_MAX} characters.")
        if path and company is not None and path[0].lower() == company.name.lower():
            path = path[1:]
        plans.append(
            _Plan(
                row=row,
                role=role,
                team_path=path,
                manager_email=raw.get("manager_email", "").lower(),
                title=raw.get("title", ""),
            )
        )

    # Managers: an existing member or a person in this file; the resulting graph must have no loop.
    file_emails = {p.row.email for p in plans}
    ids_to_email = {m.pk: email for email, m in members.items()}
    manager_of: dict[str, str | None] = {
        email: ids_to_email.get(m.manager_id) if m.manager_id else None for email, m in members.items()
    }
    for plan in plans:
        if plan.manager_email:
            if plan.manager_email == plan.row.email:
                plan.row.errors.append("Nobody can be their own manager.")
            elif plan.manager_email not in members and plan.manager_email not in file_emails:
                plan.row.errors.append(f"Manager {plan.manager_email} is neither a member nor in this file.")
            elif plan.manager_email in members and not members[plan.manager_email].is_active:
                plan.row.errors.append(f"Manager {plan.manager_email} is deactivated.")
            manager_of[plan.row.email] = plan.manager_email
    for plan in plans:
        walked = [plan.row.email]
        node = manager_of.get(plan.row.email)
        while node is not None and node not in walked:
            walked.append(node)
            node = manager_of.get(node)
        if node == plan.row.email and plan.manager_email:
            plan.row.errors.append("Reporting loop: " + " → ".join([*walked, node]) + ".")

    # Teams: create missing path segments (depth 1 = department, deeper = team).
    for plan in plans:
        for depth in range(1, len(plan.team_path) + 1):
            key = tuple(p.lower() for p in plan.team_path[:depth])
            if key not in team_by_path:
                label = " / ".join(plan.team_path[:depth])
                if label not in result.new_teams:
                    result.new_teams.append(label)
                if company is None:
                    plan.row.errors.append("The organisation has no company team to build under.")
                    break
                parent = team_by_path.get(key[:-1]) if depth > 1 else company
                team = Team(
                    organisation_id=org_id,
                    name=plan.team_path[depth - 1],
                    parent=parent,
                    kind=TeamKind.DEPARTMENT if depth == 1 else TeamKind.TEAM,
                )
                if not dry_run and result.ok:  # with errors nothing is written (and all is rolled back)
                    team.save()
                team_by_path[key] = team

    if not result.ok:
        return

    # Describe (and, for a real import, make) each change.
    users = {
        u.email.lower(): u
        for u in User.objects.filter(email__in=[p.row.email for p in plans if p.row.email not in members])
    }
    new_users: list[User] = []
    to_invite: list[tuple[_Plan, Team | None]] = []
    for plan in plans:
        existing = members.get(plan.row.email)
        target_team = team_by_path.get(tuple(p.lower() for p in plan.team_path)) if plan.team_path else None
        if existing is None:
            plan.row.action = "create"
            # The same words whether or not the address has an account (no account oracle).
            plan.row.changes.append("new member, e-mailed to join")
            if dry_run:
                continue
            if plan.row.email in users:
                to_invite.append((plan, target_team))
                continue
            user = User.objects.create_user(plan.row.email, None, full_name=plan.row.name)
            new_users.append(user)
            members[plan.row.email] = Membership.objects.create(
                organisation_id=org_id,
                user=user,
                role=plan.role or Role.EMPLOYEE,
                team=target_team,
                job_title=plan.title,
            )
        else:
            if plan.role and plan.role != existing.role:
                plan.row.changes.append(f"role {existing.role} → {plan.role}")
                existing.role = plan.role
            if plan.team_path and (
                existing.team_id is None or target_team is None or existing.team_id != target_team.pk
            ):
                plan.row.changes.append(f"team → {' / '.join(plan.team_path)}")
                existing.team = target_team
            if plan.title and plan.title != existing.job_title:
                plan.row.changes.append(f"title → {plan.title}")
                existing.job_title = plan.title
            plan.row.action = "update" if plan.row.changes else "unchanged"
    for plan in plans:
        if not plan.manager_email:
            continue
        existing = members.get(plan.row.email)
        unchanged = (
            existing is not None
            and existing.manager_id is not None
            and ids_to_email.get(existing.manager_id) == plan.manager_email
        )
        if not unchanged and plan.row.action != "create":
            plan.row.changes.append(f"manager → {plan.manager_email}")
            plan.row.action = "update"
        # Someone invited (not yet a member) neither has nor is a manager until they accept.
        if not dry_run and plan.row.email in members and plan.manager_email in members:
            members[plan.row.email].manager = members[plan.manager_email]
    for plan in plans:
        if plan.row.email in above_actor and plan.row.changes:
            plan.row.errors.append("You cannot change someone with a higher role than yours.")
    owners_after = {e for e, m in members.items() if m.is_active and m.role == Role.OWNER} | {
        p.row.email for p in plans if p.row.action == "create" and p.role == Role.OWNER
    }
    if not owners_after:
        for plan in plans:
            if plan.row.email in owners_before:
                plan.row.errors.append("An organisation needs at least one owner; make someone else owner first.")
    if not result.ok:
        raise _ImportRefusedError
    if dry_run:
        return
    for plan in plans:
        member = members.get(plan.row.email)
        if plan.row.action in ("create", "update") and member is not None:
            member.save()
    for plan, invite_team in to_invite:
        _invite_existing_account(actor=actor, plan=plan, team=invite_team, manager=members.get(plan.manager_email))
    from organisations.tasks import WELCOME_EMAIL_TASK
    from outbox.services import enqueue

    for user in new_users:
        enqueue(
            WELCOME_EMAIL_TASK,
            organisation_id=org_id,
            kwargs={"user_id": user.pk, "organisation_id": org_id},
            key=f"welcome:{user.pk}",
        )


def _invite_existing_account(*, actor: Membership, plan: _Plan, team: Team | None, manager: Membership | None) -> None:
    """An account holder joins only by accepting; an invitation already pending stands as it is."""
    from organisations.services import invitation_create

    try:
        with transaction.atomic():
            invitation_create(
                actor=actor,
                email=plan.row.email,
                role=plan.role or Role.EMPLOYEE,
                team=team,
                manager=manager,
                job_title=plan.title,
            )
    except ValidationError:
        pass
