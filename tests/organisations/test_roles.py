"""Roles: who may use the HR admin, who may change whom, the owner floor and reporting lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, reverse

from organisations import services
from organisations.models import Invitation, Membership, Role, Team
from organisations.urls import tenant_patterns
from tests.conftest import World, login
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory

ADMIN_ROUTES: list[URLPattern] = [p for p in tenant_patterns if str(p.pattern).startswith("admin/")]  # type: ignore[misc]
POST_ONLY = {"person_deactivate", "person_reactivate", "invitation_revoke", "invitation_resend", "team_delete"}


def test_admin_routes_are_known() -> None:
    # A new admin route must be added to the sweep below (and so to the role checks).
    assert {p.name for p in ADMIN_ROUTES} == {
        "admin_home",
        "people",
        "people_import",
        "person_edit",
        "person_deactivate",
        "person_reactivate",
        "invitations",
        "invitation_revoke",
        "invitation_resend",
        "teams",
        "team_edit",
        "team_delete",
        "organisation_settings",
    }


def _admin_urls(world: World) -> list[tuple[str, str]]:
    """(route name, url) for every admin route, with ids of real objects of ``world``."""
    spare_team = TeamFactory(organisation=world.org, name="Spare", parent=world.department)
    invitation = InvitationFactory(organisation=world.org)
    ids = {"membership_id": world.report.pk, "team_id": spare_team.pk, "invitation_id": invitation.pk}
    urls = []
    for pattern in ADMIN_ROUTES:
        kwargs: dict[str, Any] = {"org_slug": world.org.slug}
        kwargs.update({key: ids[key] for key in pattern.pattern.converters})
        urls.append((str(pattern.name), reverse(f"organisations:{pattern.name}", kwargs=kwargs)))
    return urls


def _state(world: World) -> tuple[Any, ...]:
    with world.tenant():
        return (
            sorted(Membership.objects.filter(organisation=world.org).values_list("pk", "is_active", "role")),
            Team.objects.filter(organisation=world.org).count(),
            sorted(Invitation.objects.filter(organisation=world.org).values_list("pk", "revoked_at")),
        )


@pytest.mark.parametrize("who", ["employee", "manager"])
def test_employee_and_manager_get_403_on_every_admin_page(client: Client, a: World, who: str) -> None:
    urls = _admin_urls(a)
    login(client, getattr(a, who))
    before = _state(a)
    for name, url in urls:
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"name": "x", "role": "owner"}).status_code == 403, name
    assert _state(a) == before  # nothing changed behind the 403s


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_admin_and_owner_open_every_admin_page(client: Client, a: World, who: str) -> None:
    urls = _admin_urls(a)
    login(client, getattr(a, who))
    for name, url in urls:
        if name in POST_ONLY:
            assert client.get(url).status_code == 405, name
            continue
        response = client.get(url)
        if name == "admin_home":
            assert response.status_code == 302
            assert response.url == reverse("organisations:people", kwargs={"org_slug": a.org.slug})
        else:
            assert response.status_code == 200, name


def test_admin_nav_link_only_for_admins(client: Client, a: World) -> None:
    people = reverse("organisations:people", kwargs={"org_slug": a.org.slug})
    login(client, a.manager)
    assert (
        f'href="{people}"'
        not in client.get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})).content.decode()
    )
    login(client, a.admin)
    assert (
        f'href="{people}"'
        in client.get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})).content.decode()
    )


# ---------------------------------------------------------------- who may change whom


def _member_url(world: World, membership: Membership) -> str:
    return f"/api/v1/orgs/{world.org.slug}/members/{membership.pk}/"


def _role_of(world: World, membership: Membership) -> str:
    with world.tenant():
        return Membership.objects.get(pk=membership.pk).role


def test_admin_cannot_grant_owner(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.patch(_member_url(a, a.employee), {"role": "owner"}, content_type="application/json")
    assert response.status_code == 403
    assert "role above your own" in response.json()["detail"]
    assert _role_of(a, a.employee) == Role.EMPLOYEE

    # The HTML form does not even offer the owner role to an admin.
    page = client.get(
        reverse("organisations:person_edit", kwargs={"org_slug": a.org.slug, "membership_id": a.employee.pk})
    )
    assert 'value="owner"' not in page.content.decode()
    posted = client.post(
        reverse("organisations:person_edit", kwargs={"org_slug": a.org.slug, "membership_id": a.employee.pk}),
        {"role": "owner", "team": a.team.pk, "manager": a.manager.pk, "job_title": "Engineer"},
    )
    assert posted.status_code == 200
    assert "role" in posted.context["form"].errors
    assert _role_of(a, a.employee) == Role.EMPLOYEE


def test_owner_can_grant_owner(client: Client, a: World) -> None:
    login(client, a.owner)
    response = client.patch(_member_url(a, a.admin), {"role": "owner"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["role"] == "owner"
    assert _role_of(a, a.admin) == Role.OWNER


def test_admin_can_promote_to_admin(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.patch(_member_url(a, a.employee), {"role": "admin"}, content_type="application/json")
    assert response.status_code == 200
    assert _role_of(a, a.employee) == Role.ADMIN


@pytest.mark.parametrize(
    "body",
    [{"role": "employee"}, {"role": "admin"}, {"job_title": "Figurehead"}, {"team": None}, {"manager": "admin"}],
)
def test_admin_cannot_change_an_owner(client: Client, a: World, body: dict[str, Any]) -> None:
    if body.get("manager") == "admin":
        body = {"manager": a.admin.pk}
        with a.tenant():
            Membership.objects.filter(pk=a.admin.pk).update(manager=None)
    with a.tenant():
        before = Membership.objects.filter(pk=a.owner.pk).values("role", "team_id", "manager_id", "job_title").get()
    login(client, a.admin)
    response = client.patch(_member_url(a, a.owner), body, content_type="application/json")
    assert response.status_code == 403
    with a.tenant():
        after = Membership.objects.filter(pk=a.owner.pk).values("role", "team_id", "manager_id", "job_title").get()
    assert after == before


def test_admin_cannot_deactivate_an_owner(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.post(
        reverse("organisations:person_deactivate", kwargs={"org_slug": a.org.slug, "membership_id": a.owner.pk})
    )
    assert response.status_code == 403
    api = client.post(_member_url(a, a.owner) + "deactivate/")
    assert api.status_code == 403
    with a.tenant():
        assert Membership.objects.get(pk=a.owner.pk).is_active


def test_admin_cannot_reactivate_an_owner(client: Client, a: World) -> None:
    second = MembershipFactory(organisation=a.org, role=Role.OWNER, team=a.company, is_active=False)
    login(client, a.admin)
    assert client.post(_member_url(a, second) + "reactivate/").status_code == 403
    url = reverse("organisations:person_reactivate", kwargs={"org_slug": a.org.slug, "membership_id": second.pk})
    assert client.post(url).status_code == 403
    with a.tenant():
        assert not Membership.objects.get(pk=second.pk).is_active
    login(client, a.owner)
    assert client.post(url).status_code == 302
    with a.tenant():
        assert Membership.objects.get(pk=second.pk).is_active


# ---------------------------------------------------------------- the owner floor


def test_last_owner_cannot_be_demoted(client: Client, a: World) -> None:
    login(client, a.owner)
    response = client.patch(_member_url(a, a.owner), {"role": "admin"}, content_type="application/json")
    assert response.status_code == 400
    assert "at least one owner" in response.json()["role"][0]
    assert _role_of(a, a.owner) == Role.OWNER

    page = client.post(
        reverse("organisations:person_edit", kwargs={"org_slug": a.org.slug, "membership_id": a.owner.pk}),
        {"role": "admin", "team": a.company.pk, "manager": "", "job_title": "Boss"},
    )
    assert page.status_code == 200
    assert any("at least one owner" in e for e in page.context["form"].errors["role"])
    assert "at least one owner" in page.content.decode()
    assert _role_of(a, a.owner) == Role.OWNER


def test_owner_can_step_down_when_another_owner_exists(client: Client, a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.admin.pk).update(role=Role.OWNER)
    login(client, a.owner)
    response = client.patch(_member_url(a, a.owner), {"role": "admin"}, content_type="application/json")
    assert response.status_code == 200
    assert _role_of(a, a.owner) == Role.ADMIN


def test_an_inactive_owner_does_not_count_as_the_other_owner(client: Client, a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.admin.pk).update(role=Role.OWNER, is_active=False)
    login(client, a.owner)
    response = client.patch(_member_url(a, a.owner), {"role": "employee"}, content_type="application/json")
    assert response.status_code == 400
    assert "owner" in response.json()["role"][0]


def test_last_owner_cannot_be_deactivated(client: Client, a: World) -> None:
    second = MembershipFactory(organisation=a.org, role=Role.OWNER, team=a.company)
    login(client, a.owner)
    # With two owners, one may deactivate the other ...
    response = client.post(_member_url(a, second) + "deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    # ... but the remaining (last) owner can be neither deactivated nor demoted.
    own = client.post(_member_url(a, a.owner) + "deactivate/")
    assert own.status_code == 400
    assert own.json()["non_field_errors"]
    demote = client.patch(_member_url(a, a.owner), {"role": "manager"}, content_type="application/json")
    assert demote.status_code == 400
    assert "at least one owner" in demote.json()["role"][0]
    with a.tenant():
        assert Membership.objects.get(pk=a.owner.pk).is_active
        with pytest.raises(ValidationError, match="at least one owner"):
            services.membership_deactivate(actor=Membership.objects.get(pk=second.pk), membership=a.owner)


def test_admin_cannot_deactivate_themselves(client: Client, a: World) -> None:
    login(client, a.admin)
    url = reverse("organisations:person_deactivate", kwargs={"org_slug": a.org.slug, "membership_id": a.admin.pk})
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in response.content.decode()
    api = client.post(_member_url(a, a.admin) + "deactivate/")
    assert api.status_code == 400
    assert "You cannot deactivate yourself." in api.json()["non_field_errors"][0]
    with a.tenant():
        assert Membership.objects.get(pk=a.admin.pk).is_active


def test_deactivating_someone_moves_their_reports_to_their_manager(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.post(
        reverse("organisations:person_deactivate", kwargs={"org_slug": a.org.slug, "membership_id": a.manager.pk}),
        follow=True,
    )
    assert response.status_code == 200
    assert "is deactivated" in response.content.decode()
    with a.tenant():
        manager = Membership.objects.get(pk=a.manager.pk)
        assert not manager.is_active
        assert manager.deactivated_at is not None
        assert Membership.objects.get(pk=a.employee.pk).manager_id == a.owner.pk
        assert Membership.objects.get(pk=a.report.pk).manager_id == a.owner.pk


def test_reactivate_via_api_and_html(client: Client, a: World) -> None:
    login(client, a.admin)
    assert client.post(_member_url(a, a.report) + "deactivate/").status_code == 200
    response = client.post(_member_url(a, a.report) + "reactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    client.post(
        reverse("organisations:person_deactivate", kwargs={"org_slug": a.org.slug, "membership_id": a.report.pk})
    )
    page = client.post(
        reverse("organisations:person_reactivate", kwargs={"org_slug": a.org.slug, "membership_id": a.report.pk})
    )
    assert page.status_code == 302
    with a.tenant():
        assert Membership.objects.get(pk=a.report.pk).is_active


# ---------------------------------------------------------------- reporting lines


def _edit(client: Client, world: World, person: Membership, **changes: Any) -> Any:
    with world.tenant():
        person = Membership.objects.get(pk=person.pk)
    data = {
        "role": person.role,
        "team": person.team_id or "",
        "manager": person.manager_id or "",
        "job_title": person.job_title,
        **changes,
    }
    return client.post(
        reverse("organisations:person_edit", kwargs={"org_slug": world.org.slug, "membership_id": person.pk}), data
    )


def _manager_of(world: World, membership: Membership) -> int | None:
    with world.tenant():
        return Membership.objects.get(pk=membership.pk).manager_id


def test_direct_reporting_loop_refused_in_form(client: Client, a: World) -> None:
    # employee reports to manager: manager cannot report to employee.
    login(client, a.admin)
    response = _edit(client, a, a.manager, manager=a.employee.pk)
    assert response.status_code == 200
    errors = response.context["form"].errors["manager"]
    assert any("reporting loop" in e for e in errors)
    assert "reporting loop" in response.content.decode()
    assert _manager_of(a, a.manager) == a.owner.pk


def test_indirect_reporting_loop_refused_in_form_and_api(client: Client, a: World) -> None:
    # employee → manager → admin → owner; the admin cannot then report to the employee.
    with a.tenant():
        Membership.objects.filter(pk=a.manager.pk).update(manager=a.admin)
    login(client, a.owner)
    response = _edit(client, a, a.admin, manager=a.employee.pk)
    assert response.status_code == 200
    assert any("reporting loop" in e for e in response.context["form"].errors["manager"])

    api = client.patch(_member_url(a, a.admin), {"manager": a.employee.pk}, content_type="application/json")
    assert api.status_code == 400
    body = api.json()
    assert "manager" in body
    assert "reporting loop" in body["manager"][0]
    assert _manager_of(a, a.admin) == a.owner.pk


def test_direct_reporting_loop_refused_via_api(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.patch(_member_url(a, a.manager), {"manager": a.report.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "reporting loop" in response.json()["manager"][0]
    assert _manager_of(a, a.manager) == a.owner.pk


def test_own_manager_refused(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.patch(_member_url(a, a.employee), {"manager": a.employee.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "own manager" in response.json()["manager"][0]


def test_valid_manager_change_is_saved(client: Client, a: World) -> None:
    login(client, a.admin)
    response = _edit(client, a, a.employee, manager=a.admin.pk)
    assert response.status_code == 302
    assert _manager_of(a, a.employee) == a.admin.pk
    api = client.patch(_member_url(a, a.report), {"manager": a.admin.pk}, content_type="application/json")
    assert api.status_code == 200
    assert api.json()["manager"] == a.admin.pk
    assert _manager_of(a, a.report) == a.admin.pk


def test_manager_from_another_organisation_refused(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    api = client.patch(_member_url(a, a.employee), {"manager": b.manager.pk}, content_type="application/json")
    assert api.status_code == 400
    assert "No such object" in api.json()["manager"][0]

    page = _edit(client, a, a.employee, manager=b.manager.pk)
    assert page.status_code == 200
    assert "manager" in page.context["form"].errors
    assert _manager_of(a, a.employee) == a.manager.pk

    with a.tenant():
        with pytest.raises(ValidationError) as excinfo:
            services.membership_update(
                actor=a.admin, membership=a.employee, role=Role.EMPLOYEE, team=a.team, manager=b.manager, job_title=""
            )
        assert "this organisation" in excinfo.value.message_dict["manager"][0]
    assert _manager_of(a, a.employee) == a.manager.pk


def test_deactivated_manager_refused(client: Client, a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.admin.pk).update(is_active=False)
    login(client, a.owner)
    response = client.patch(_member_url(a, a.employee), {"manager": a.admin.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "manager" in response.json()
