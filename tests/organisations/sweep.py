"""The isolation sweep's cases for tenancy and people (discovered by tests.kit.isolation)."""

from __future__ import annotations

from typing import Any

from organisations.models import Invitation, Membership, Organisation, Team
from tests.conftest import World
from tests.factories import InvitationFactory
from tests.kit.sweep_types import ApiBodyCase, BodyCase, Case, Ids, no_ids

HTML_CASES: list[Case] = [
    Case("organisations:my_work"),
    Case("organisations:team"),
    Case("organisations:person", lambda w: {"membership_id": w.employee.pk}),
    Case("organisations:people_search"),
    Case("organisations:admin_home"),
    Case("organisations:people"),
    Case("organisations:people_import", methods=("get", "post")),
    Case("organisations:person_edit", lambda w: {"membership_id": w.employee.pk}, ("get", "post")),
    Case("organisations:person_deactivate", lambda w: {"membership_id": w.employee.pk}, ("post",)),
    Case("organisations:person_reactivate", lambda w: {"membership_id": w.employee.pk}, ("post",)),
    Case("organisations:invitations", methods=("get", "post")),
    Case("organisations:invitation_revoke", lambda w: {"invitation_id": w.invitation.pk}, ("post",)),
    Case("organisations:invitation_resend", lambda w: {"invitation_id": w.invitation.pk}, ("post",)),
    Case("organisations:teams", methods=("get", "post")),
    Case("organisations:team_edit", lambda w: {"team_id": w.team.pk}, ("get", "post")),
    Case("organisations:team_delete", lambda w: {"team_id": w.team.pk}, ("post",)),
    Case("organisations:organisation_settings", methods=("get", "post")),
]

#: Routes outside /o/<slug>/, with why they need no tenant. Each has its own tests.
NON_TENANT_ROUTES: dict[str, str] = {
    "home": "redirects to one of the user's own organisations",
    "login": "public",
    "logout": "ends the user's own session",
    "signup": "public: creates a new organisation",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public, signed token",
    "password_reset_complete": "public",
    "profile": "the user's own account",
    "api_token_revoke": "the user's own tokens (test_tokens: another user's token answers 404)",
    "organisation_list": "the user's own memberships",
    "organisation_create": "creates a new organisation",
    "invitation_accept": "unguessable token inside the named organisation (test_invitations)",
    "api_schema": "public description of the API",
    "api_docs": "public description of the API",
    "api_token_create": "exchanges the user's own credentials",
    "api_organisation_list": "the user's own memberships",
}

#: API operations under /api/v1/orgs/{org_slug}/: (path template, method) → ids of world a.
API_CASES: dict[tuple[str, str], Ids] = {
    ("/api/v1/orgs/{org_slug}/settings/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/settings/", "patch"): no_ids,
    ("/api/v1/orgs/{org_slug}/members/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/members/{id}/", "get"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/", "patch"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/deactivate/", "post"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/members/{id}/reactivate/", "post"): lambda w: {"id": w.employee.pk},
    ("/api/v1/orgs/{org_slug}/teams/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/teams/", "post"): no_ids,
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "get"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "patch"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/teams/{id}/", "delete"): lambda w: {"id": w.team.pk},
    ("/api/v1/orgs/{org_slug}/invitations/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/invitations/", "post"): no_ids,
    ("/api/v1/orgs/{org_slug}/invitations/{id}/", "get"): lambda w: {"id": w.invitation.pk},
    ("/api/v1/orgs/{org_slug}/invitations/{id}/revoke/", "post"): lambda w: {"id": w.invitation.pk},
    ("/api/v1/orgs/{org_slug}/invitations/{id}/resend/", "post"): lambda w: {"id": w.invitation.pk},
    ("/api/v1/orgs/{org_slug}/me/", "get"): no_ids,
}


def _member_state(w: World, membership: Membership) -> tuple[Any, ...]:
    with w.tenant():
        m = Membership.objects.get(pk=membership.pk)
        return (m.role, m.team_id, m.manager_id, m.job_title, m.is_active)


def _team_state(w: World, team: Team) -> tuple[Any, ...]:
    with w.tenant():
        t = Team.objects.get(pk=team.pk)
        return (t.name, t.parent_id)


def _counts(w: World) -> tuple[int, int, int]:
    with w.tenant():
        return (Team.objects.count(), Invitation.objects.count(), Membership.objects.count())


MEMBER_BODY_UNCHANGED = lambda a, b: _member_state(b, b.employee)  # noqa: E731
TEAM_BODY_UNCHANGED = lambda a, b: (_team_state(b, b.team), _counts(b))  # noqa: E731

HTML_BODY_CASES: list[BodyCase] = [
    BodyCase(
        "organisations:person_edit",
        lambda w: {"membership_id": w.employee.pk},
        lambda a, b: {"role": "employee", "team": a.team.pk, "manager": b.manager.pk, "job_title": "x"},
        MEMBER_BODY_UNCHANGED,
    ),
    BodyCase(
        "organisations:person_edit",
        lambda w: {"membership_id": w.employee.pk},
        lambda a, b: {"role": "employee", "team": b.team.pk, "manager": a.manager.pk, "job_title": "x"},
        MEMBER_BODY_UNCHANGED,
    ),
    BodyCase(
        "organisations:invitations",
        no_ids,
        lambda a, b: {"email": "new@example.test", "role": "employee", "team": a.team.pk},
        lambda a, b: _counts(b),
    ),
    BodyCase(
        "organisations:invitations",
        no_ids,
        lambda a, b: {"email": "new@example.test", "role": "employee", "manager": a.manager.pk},
        lambda a, b: _counts(b),
    ),
    BodyCase(
        "organisations:teams",
        no_ids,
        lambda a, b: {"name": "X", "kind": "team", "parent": a.department.pk},
        TEAM_BODY_UNCHANGED,
    ),
    BodyCase(
        "organisations:team_edit",
        lambda w: {"team_id": w.team.pk},
        lambda a, b: {"name": "X", "parent": a.department.pk},
        TEAM_BODY_UNCHANGED,
    ),
]

API_BODY_CASES: list[ApiBodyCase] = [
    # (path template, method, ids of b's own object, body with a's ids, field that must carry the error)
    (
        "/api/v1/orgs/{org_slug}/members/{id}/",
        "patch",
        lambda w: {"id": w.employee.pk},
        lambda a, b: {"team": a.team.pk},
        "team",
    ),
    (
        "/api/v1/orgs/{org_slug}/members/{id}/",
        "patch",
        lambda w: {"id": w.employee.pk},
        lambda a, b: {"manager": a.manager.pk},
        "manager",
    ),
    (
        "/api/v1/orgs/{org_slug}/teams/",
        "post",
        no_ids,
        lambda a, b: {"name": "X", "kind": "team", "parent": a.department.pk},
        "parent",
    ),
    (
        "/api/v1/orgs/{org_slug}/teams/{id}/",
        "patch",
        lambda w: {"id": w.team.pk},
        lambda a, b: {"parent": a.department.pk},
        "parent",
    ),
    (
        "/api/v1/orgs/{org_slug}/invitations/",
        "post",
        no_ids,
        lambda a, b: {"email": "n@example.test", "team": a.team.pk},
        "team",
    ),
    (
        "/api/v1/orgs/{org_slug}/invitations/",
        "post",
        no_ids,
        lambda a, b: {"email": "n@example.test", "manager": a.manager.pk},
        "manager",
    ),
]


def build(w: World) -> None:
    """A pending invitation (``w.invitation``), for the routes that act on one."""
    w.invitation = InvitationFactory(organisation=w.org, email=f"pending@{w.org.slug}.test", invited_by=w.admin)


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(Membership.objects.values_list("id", "role", "team_id", "manager_id", "job_title", "is_active")),
            sorted(Team.objects.values_list("id", "name", "parent_id")),
            sorted(Invitation.objects.values_list("id", "revoked_at", "accepted_at")),
            list(Organisation.objects.filter(pk=w.org.pk).values()),
        )
