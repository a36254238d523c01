"""CSV import of people: preview, per-row errors, all-or-nothing, teams and managers, the view."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from organisations.importer import ImportResult, people_import
from organisations.models import Invitation, Membership, Role, Team, TeamKind, User
from tests.conftest import World, login

HEADER = "email,name,team path,manager email,role,title"


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _run(world: World, text: str, *, dry_run: bool, actor: Membership | None = None) -> ImportResult:
    with world.tenant():
        return people_import(actor=actor or world.admin, csv_text=text, dry_run=dry_run)


def _snapshot(world: World) -> tuple[Any, ...]:
    with world.tenant():
        return (
            User.objects.count(),
            sorted(
                Membership.objects.filter(organisation=world.org).values_list(
                    "pk", "user_id", "role", "team_id", "manager_id", "job_title"
                )
            ),
            sorted(Team.objects.filter(organisation=world.org).values_list("pk", "name", "parent_id")),
        )


def _member(world: World, email: str) -> Membership:
    with world.tenant():
        return Membership.objects.select_related("user", "team", "team__parent", "manager__user").get(
            organisation=world.org, user__email=email
        )


def _good_file(world: World) -> str:
    return _csv(
        f"new.lead@example.test,New Lead,Engineering / Platform,{world.manager.user.email},manager,Lead",
        "new.dev@example.test,New Dev,Engineering / Platform,new.lead@example.test,,Developer",
        "other.dev@example.test,Other Dev,Alpha / Alpha Engineering / Alpha Platform,NEW.LEAD@example.test,employee,",
        f"{world.employee.user.email},,Alpha Engineering,{world.admin.user.email},,Senior Engineer",
    )


# ---------------------------------------------------------------- dry run


def test_dry_run_previews_rows_and_writes_nothing(a: World) -> None:
    before = _snapshot(a)
    result = _run(a, _good_file(a), dry_run=True)
    assert result.ok, [(r.line, r.errors) for r in result.rows] + result.errors
    assert result.dry_run
    assert [(r.line, r.email, r.action) for r in result.rows] == [
        (2, "new.lead@example.test", "create"),
        (3, "new.dev@example.test", "create"),
        (4, "other.dev@example.test", "create"),
        (5, a.employee.user.email, "update"),
    ]
    assert result.created == 3
    assert result.updated == 1
    assert result.new_teams == ["Engineering", "Engineering / Platform"]
    changes = " ".join(result.rows[3].changes)
    assert "title → Senior Engineer" in changes
    assert "team → Alpha Engineering" in changes
    assert f"manager → {a.admin.user.email}" in changes
    assert _snapshot(a) == before


# ---------------------------------------------------------------- a good import


def test_good_file_creates_people_teams_managers_and_updates_members(a: World) -> None:
    users_before = User.objects.count()
    result = _run(a, _good_file(a), dry_run=False)
    assert result.ok, [(r.line, r.errors) for r in result.rows]
    assert not result.dry_run
    assert User.objects.count() == users_before + 3

    lead = _member(a, "new.lead@example.test")
    assert lead.user.full_name == "New Lead"
    assert not lead.user.has_usable_password()  # they choose it from the welcome e-mail
    assert lead.role == Role.MANAGER
    assert lead.job_title == "Lead"
    assert lead.manager_id == a.manager.pk
    assert lead.team is not None
    assert lead.team.name == "Platform"
    assert lead.team.kind == TeamKind.TEAM
    assert lead.team.parent is not None
    assert lead.team.parent.name == "Engineering"
    assert lead.team.parent.kind == TeamKind.DEPARTMENT
    assert lead.team.parent.parent_id == a.company.pk

    dev = _member(a, "new.dev@example.test")
    assert dev.role == Role.EMPLOYEE
    assert dev.team_id == lead.team_id  # the path is created once
    assert dev.manager_id == lead.pk  # a manager who is new in the same file

    other = _member(a, "other.dev@example.test")
    assert other.team_id == a.team.pk  # the company prefix is optional; existing teams are reused
    assert other.manager_id == lead.pk  # manager e-mail is case-insensitive

    employee = _member(a, a.employee.user.email)
    assert employee.job_title == "Senior Engineer"
    assert employee.team_id == a.department.pk
    assert employee.manager_id == a.admin.pk
    assert employee.role == Role.EMPLOYEE
    assert employee.user.full_name == a.employee.user.full_name

    with a.tenant():
        assert Team.objects.filter(organisation=a.org, name__in=["Engineering", "Platform"]).count() == 2


def test_importing_the_same_file_twice_changes_nothing_the_second_time(a: World) -> None:
    assert _run(a, _good_file(a), dry_run=False).ok
    before = _snapshot(a)
    again = _run(a, _good_file(a), dry_run=True)
    assert again.ok
    assert {r.action for r in again.rows} == {"unchanged"}
    assert again.new_teams == []
    assert _run(a, _good_file(a), dry_run=False).ok
    assert _snapshot(a) == before


def test_person_with_an_account_elsewhere_is_invited_not_added(
    a: World, b: World, eager_celery: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Issue 7 item 15: an account holder joins only by accepting an invitation (consent + e-mail)."""
    outsider = b.employee.user
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result = _run(a, _csv(f"{outsider.email.upper()},Their Name,Alpha Engineering,,manager,Lead"), dry_run=False)
    assert result.ok, [(r.line, r.errors) for r in result.rows]
    assert User.objects.count() == users_before
    with a.tenant():
        assert not Membership.objects.filter(organisation=a.org, user=outsider).exists()
        invitation = Invitation.objects.get(organisation=a.org, email=outsider.email.lower())
    assert invitation.is_pending
    assert (invitation.role, invitation.team_id, invitation.job_title) == (Role.MANAGER, a.department.pk, "Lead")
    assert [m.to for m in mail.outbox] == [[outsider.email.lower()]]
    assert "invited" in mail.outbox[0].subject


def test_preview_words_an_existing_account_and_a_new_address_alike(a: World, b: World) -> None:
    """Issue 7 item 15: the preview is no oracle of who has an Ascent account."""
    result = _run(
        a, _csv(f"{b.employee.user.email},Has Account,,,,", "nobody.yet@example.test,No Account,,,,"), dry_run=True
    )
    assert result.ok
    known, unknown = result.rows
    assert (known.action, known.changes) == (unknown.action, unknown.changes)
    assert "account" not in " ".join(known.changes)


def test_welcome_email_lets_new_people_set_a_password(
    a: World, eager_celery: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _run(a, _csv("welcome@example.test,Wel Come,,,,"), dry_run=False).ok
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["welcome@example.test"]
    match = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mail.outbox[0].body)
    assert match
    client = Client()
    page = client.get(match.group(1), follow=True)
    assert page.context["validlink"] is True
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": "my-own-passphrase", "new_password2": "my-own-passphrase"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="welcome@example.test").check_password("my-own-passphrase")


def test_dry_run_sends_no_email(
    a: World, eager_celery: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _run(a, _csv("quiet@example.test,Quiet One,,,,"), dry_run=True).ok
    assert mail.outbox == []


# ---------------------------------------------------------------- per-row errors


GOOD_ROW = "good@example.test,Good Person,Engineering,,employee,Engineer"


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        (["not-an-email,Bad Address,,,,"], 3, "is not an e-mail address"),
        (["dup@example.test,Dup One,,,,", "DUP@example.test,Dup Two,,,,"], 4, "also appears on line 3"),
        (["lost@example.test,Lost,,nobody@example.test,,"], 3, "neither a member nor in this file"),
        (
            ["x@example.test,X,,y@example.test,,", "y@example.test,Y,,x@example.test,,"],
            3,
            "Reporting loop",
        ),
        (["boss@example.test,Boss,,,boss,"], 3, "Unknown role “boss”"),
        (["king@example.test,King,,,owner,"], 3, "cannot give the Owner role"),
        (["self@example.test,Self,,self@example.test,,"], 3, "own manager"),
        (["nameless@example.test,,,,,"], 3, "needs a name"),
    ],
)
def test_row_errors_and_nothing_is_imported(a: World, rows: list[str], line: int, message: str) -> None:
    before = _snapshot(a)
    text = _csv(GOOD_ROW, *rows)
    for dry_run in (True, False):
        result = _run(a, text, dry_run=dry_run)
        assert not result.ok
        by_line = {r.line: r for r in result.rows}
        assert any(message in e for e in by_line[line].errors), [(r.line, r.errors) for r in result.rows]
        assert by_line[2].errors == []  # the good row is fine ...
        assert _snapshot(a) == before  # ... but nothing at all was imported


def test_loop_inside_the_file_flags_both_rows(a: World) -> None:
    result = _run(a, _csv("x@example.test,X,,y@example.test,,", "y@example.test,Y,,x@example.test,,"), dry_run=True)
    assert all(any("Reporting loop" in e for e in row.errors) for row in result.rows)


def test_loop_with_existing_members_is_refused(a: World) -> None:
    # employee reports to manager, who reports to owner: owner → employee would close a loop.
    before = _snapshot(a)
    result = _run(a, _csv(GOOD_ROW, f"{a.owner.user.email},,,{a.employee.user.email},,"), dry_run=False, actor=a.owner)
    assert not result.ok
    errors = result.rows[1].errors
    assert any("Reporting loop" in e for e in errors), errors
    assert _snapshot(a) == before


def test_loop_through_a_new_person_and_existing_members_is_refused(a: World) -> None:
    # new person reports to employee; the manager (employee's manager) would report to the new person.
    before = _snapshot(a)
    result = _run(
        a,
        _csv(
            f"new@example.test,New,,{a.employee.user.email},,",
            f"{a.manager.user.email},,,new@example.test,,",
        ),
        dry_run=False,
    )
    assert not result.ok
    assert any("Reporting loop" in e for e in result.rows[1].errors)
    assert _snapshot(a) == before


def test_deactivated_manager_is_refused(a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.report.pk).update(is_active=False)
    result = _run(a, _csv(f"new@example.test,New,,{a.report.user.email},,"), dry_run=True)
    assert any("deactivated" in e for e in result.rows[0].errors)


def test_admin_cannot_change_an_owner_by_import(a: World) -> None:
    before = _snapshot(a)
    for row in (f"{a.owner.user.email},,,,employee,", f"{a.owner.user.email},,,,,Figurehead"):
        result = _run(a, _csv(GOOD_ROW, row), dry_run=False)
        assert not result.ok
        assert result.rows[1].errors
        assert _snapshot(a) == before


def test_import_cannot_demote_the_last_owner(a: World) -> None:
    before = _snapshot(a)
    result = _run(a, _csv(f"{a.owner.user.email},,,,admin,"), dry_run=False, actor=a.owner)
    assert not result.ok
    assert any("at least one owner" in e for e in result.rows[0].errors), result.rows[0].errors
    assert _snapshot(a) == before
    # With a second owner in the same file, the first may step down.
    ok = _run(
        a, _csv(f"{a.owner.user.email},,,,admin,", f"{a.admin.user.email},,,,owner,"), dry_run=False, actor=a.owner
    )
    assert ok.ok, [(r.line, r.errors) for r in ok.rows]
    assert _member(a, a.owner.user.email).role == Role.ADMIN
    assert _member(a, a.admin.user.email).role == Role.OWNER


def test_too_long_values_are_row_errors_not_server_errors(a: World) -> None:
    before = _snapshot(a)
    long_title = "T" * 121
    long_team = "Engineering / " + "P" * 121
    for row in (f"long@example.test,Long,,,,{long_title}", f"long@example.test,Long,{long_team},,,"):
        result = _run(a, _csv(GOOD_ROW, row), dry_run=False)
        assert not result.ok
        assert result.rows[1].errors
        assert _snapshot(a) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,title\nx@example.test,Boss\n", "needs a “name” column"),
        ("name,title\nX,Boss\n", "needs an “email” column"),
        ("email,name,shoe size\nx@example.test,X,42\n", "Unknown column(s): shoe size"),
        (HEADER + "\n", "no people"),
    ],
)
def test_file_level_errors(a: World, text: str, message: str) -> None:
    before = _snapshot(a)
    result = _run(a, text, dry_run=False)
    assert not result.ok
    assert any(message in e for e in result.errors), result.errors
    assert _snapshot(a) == before


def test_header_aliases_and_bom(a: World) -> None:
    text = "\ufeffE-mail,Full name,Team,Manager,Role,Job title\nalias@example.test,Al Ias,Sales,,HR admin,Recruiter\n"
    result = _run(a, text.lstrip("\ufeff"), dry_run=False)
    assert result.ok, result.errors
    member = _member(a, "alias@example.test")
    assert member.role == Role.ADMIN
    assert member.job_title == "Recruiter"
    assert member.team is not None
    assert member.team.name == "Sales"


def test_import_needs_admin(a: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _run(a, _csv(GOOD_ROW), dry_run=True, actor=a.manager)


# ---------------------------------------------------------------- the view


def _upload(client: Client, world: World, content: bytes, name: str = "people.csv") -> Any:
    return client.post(
        reverse("organisations:people_import", kwargs={"org_slug": world.org.slug}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_view_preview_then_confirm_imports(client: Client, a: World) -> None:
    login(client, a.admin)
    before = _snapshot(a)
    preview = _upload(client, a, ("\ufeff" + _good_file(a)).encode())
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Preview: 3 new, 1 updated" in html
    assert "new.lead@example.test" in html
    assert "Engineering / Platform" in html
    assert 'name="action" value="confirm"' in html
    assert _snapshot(a) == before  # nothing yet

    confirm = client.post(
        reverse("organisations:people_import", kwargs={"org_slug": a.org.slug}), {"action": "confirm"}
    )
    assert confirm.status_code == 302
    assert confirm.url == reverse("organisations:people", kwargs={"org_slug": a.org.slug})
    assert _member(a, "new.dev@example.test").manager_id == _member(a, "new.lead@example.test").pk
    people = client.get(confirm.url).content.decode()
    assert "Imported 3 new and updated 1 people" in people
    assert "New Lead" in people
    # The preview is used once.
    again = client.post(
        reverse("organisations:people_import", kwargs={"org_slug": a.org.slug}), {"action": "confirm"}, follow=True
    )
    assert "preview expired" in again.content.decode()


def test_view_shows_row_errors_and_offers_no_confirm(client: Client, a: World) -> None:
    login(client, a.admin)
    before = _snapshot(a)
    response = _upload(client, a, _csv(GOOD_ROW, "not-an-email,Bad,,,,").encode())
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html
    assert "is not an e-mail address" in html
    assert 'value="confirm"' not in html
    confirm = client.post(
        reverse("organisations:people_import", kwargs={"org_slug": a.org.slug}), {"action": "confirm"}
    )
    assert confirm.status_code == 302
    assert confirm.url == reverse("organisations:people_import", kwargs={"org_slug": a.org.slug})
    assert _snapshot(a) == before


def test_view_refuses_a_non_utf8_file(client: Client, a: World) -> None:
    login(client, a.admin)
    response = _upload(client, a, _csv("jose@example.test,José Núñez,,,,").encode("latin-1"))
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert "UTF-8" in response.content.decode()
    assert response.context["result"] is None
    assert not User.objects.filter(email="jose@example.test").exists()


def test_view_accepts_utf8_names(client: Client, a: World) -> None:
    login(client, a.admin)
    preview = _upload(client, a, _csv("jose@example.test,José Núñez,,,,").encode("utf-8"))
    assert "José Núñez" in preview.content.decode()
    client.post(reverse("organisations:people_import", kwargs={"org_slug": a.org.slug}), {"action": "confirm"})
    assert User.objects.get(email="jose@example.test").full_name == "José Núñez"


def test_view_without_a_file_is_a_form_error(client: Client, a: World) -> None:
    login(client, a.admin)
    # A browser posts the form's other fields (here: the CSRF token) even with no file chosen.
    response = client.post(
        reverse("organisations:people_import", kwargs={"org_slug": a.org.slug}), {"csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
