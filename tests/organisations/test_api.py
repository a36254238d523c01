"""The people API: members, teams, foreign ids in bodies, my organisations, schema and docs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from organisations.models import Membership, Role, Team, TeamKind
from tests.conftest import World, login
from tests.factories import MembershipFactory, TeamFactory


def _api(world: World, path: str = "") -> str:
    return f"/api/v1/orgs/{world.org.slug}/{path}"


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


def _emails(response: Any) -> set[str]:
    return {m["user"]["email"] for m in response.json()["results"]}


# ---------------------------------------------------------------- members


def test_members_list_shows_only_this_organisation(client: Client, a: World, b: World) -> None:
    login(client, a.employee)
    response = client.get(_api(a, "members/"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert _emails(response) == {m.user.email for m in a.members}
    assert not _emails(response) & {m.user.email for m in b.members}
    employee = next(m for m in body["results"] if m["id"] == a.employee.pk)
    assert employee["role"] == "employee"
    assert employee["team"] == a.team.pk
    assert employee["manager"] == a.manager.pk


def test_members_search_and_filters(client: Client, a: World) -> None:
    login(client, a.employee)
    assert _emails(client.get(_api(a, "members/"), {"search": "alpha manager"})) == {a.manager.user.email}
    assert _emails(client.get(_api(a, "members/"), {"search": a.report.user.email.upper()})) == {a.report.user.email}
    assert _emails(client.get(_api(a, "members/"), {"role": "owner"})) == {a.owner.user.email}
    assert _emails(client.get(_api(a, "members/"), {"team": a.team.pk})) == {
        a.manager.user.email,
        a.employee.user.email,
        a.report.user.email,
    }
    assert _emails(client.get(_api(a, "members/"), {"search": "nobody-at-all"})) == set()
    # A nonsense filter value is a 400 that names the parameter (issue 6, item 3), never a 500.
    team = client.get(_api(a, "members/"), {"team": "abc"})
    assert team.status_code == 400
    assert "team" in team.json()
    role = client.get(_api(a, "members/"), {"role": "emperor"})
    assert role.status_code == 400
    assert "role" in role.json()


def test_members_status_filter(client: Client, a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.report.pk).update(is_active=False)
    login(client, a.employee)
    assert a.report.user.email not in _emails(client.get(_api(a, "members/")))
    assert _emails(client.get(_api(a, "members/"), {"status": "inactive"})) == {a.report.user.email}
    assert client.get(_api(a, "members/"), {"status": "all"}).json()["count"] == 5


def test_members_list_is_paginated(client: Client, a: World) -> None:
    login(client, a.employee)
    body = client.get(_api(a, "members/"), {"limit": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"]


def test_member_patch_by_admin(client: Client, a: World) -> None:
    login(client, a.admin)
    response = _patch(
        client, _api(a, f"members/{a.employee.pk}/"), {"job_title": "Staff engineer", "team": a.department.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["job_title"] == "Staff engineer"
    assert response.json()["team"] == a.department.pk
    with a.tenant():
        employee = Membership.objects.get(pk=a.employee.pk)
    assert employee.job_title == "Staff engineer"
    assert employee.team_id == a.department.pk
    assert employee.manager_id == a.manager.pk  # untouched fields stay


def test_member_read_only_fields_are_ignored(client: Client, a: World) -> None:
    login(client, a.admin)
    response = _patch(client, _api(a, f"members/{a.employee.pk}/"), {"is_active": False, "time_zone": "Asia/Tokyo"})
    assert response.status_code == 200
    with a.tenant():
        employee = Membership.objects.get(pk=a.employee.pk)
    assert employee.is_active
    assert employee.time_zone == ""


@pytest.mark.parametrize("who", ["employee", "manager"])
def test_member_patch_by_non_admin_is_403(client: Client, a: World, who: str) -> None:
    login(client, getattr(a, who))
    response = _patch(client, _api(a, f"members/{a.employee.pk}/"), {"job_title": "CEO", "role": "owner"})
    assert response.status_code == 403
    assert response.json()["detail"]
    with a.tenant():
        employee = Membership.objects.get(pk=a.employee.pk)
    assert employee.job_title == "Engineer"
    assert employee.role == Role.EMPLOYEE
    assert client.post(_api(a, f"members/{a.report.pk}/deactivate/")).status_code == 403


def test_member_patch_bad_values_are_400(client: Client, a: World) -> None:
    login(client, a.admin)
    url = _api(a, f"members/{a.employee.pk}/")
    role = _patch(client, url, {"role": "emperor"})
    assert role.status_code == 400
    assert "role" in role.json()
    team = _patch(client, url, {"team": "abc"})
    assert team.status_code == 400
    assert "Expected an id" in team.json()["team"][0]
    missing = _patch(client, url, {"manager": 987654321})
    assert missing.status_code == 400
    assert "No such object" in missing.json()["manager"][0]
    long_title = _patch(client, url, {"job_title": "x" * 121})
    assert long_title.status_code == 400
    assert "job_title" in long_title.json()


def test_member_of_another_organisation_is_404(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    assert client.get(_api(a, f"members/{b.employee.pk}/")).status_code == 404
    assert _patch(client, _api(a, f"members/{b.employee.pk}/"), {"job_title": "x"}).status_code == 404
    assert client.post(_api(a, f"members/{b.employee.pk}/deactivate/")).status_code == 404
    with b.tenant():
        assert Membership.objects.get(pk=b.employee.pk).is_active


# ---------------------------------------------------------------- foreign ids in bodies


@pytest.mark.parametrize("field", ["team", "manager"])
def test_foreign_id_in_member_patch_is_400(client: Client, a: World, b: World, field: str) -> None:
    foreign = b.team.pk if field == "team" else b.manager.pk
    login(client, a.admin)
    response = _patch(client, _api(a, f"members/{a.employee.pk}/"), {field: foreign})
    assert response.status_code == 400
    message = response.json()[field][0]
    assert message == f"No such object in this organisation (id {foreign})."
    with a.tenant():
        employee = Membership.objects.get(pk=a.employee.pk)
    assert (employee.team_id, employee.manager_id) == (a.team.pk, a.manager.pk)


def test_foreign_parent_in_team_body_is_400(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    created = client.post(
        _api(a, "teams/"),
        {"name": "Sneaky", "kind": "team", "parent": b.department.pk},
        content_type="application/json",
    )
    assert created.status_code == 400
    assert "No such object" in created.json()["parent"][0]
    moved = _patch(client, _api(a, f"teams/{a.team.pk}/"), {"parent": b.department.pk})
    assert moved.status_code == 400
    assert "No such object" in moved.json()["parent"][0]
    with a.tenant():
        assert Team.objects.get(pk=a.team.pk).parent_id == a.department.pk
        assert not Team.objects.filter(name="Sneaky").exists()
    with b.tenant():
        assert not Team.objects.filter(name="Sneaky").exists()


# ---------------------------------------------------------------- teams


def test_teams_list(client: Client, a: World, b: World) -> None:
    login(client, a.employee)
    response = client.get(_api(a, "teams/"))
    assert response.status_code == 200
    teams = {t["id"]: t for t in response.json()["results"]}
    assert set(teams) == {a.company.pk, a.department.pk, a.team.pk}
    assert teams[a.team.pk]["member_count"] == 3
    assert teams[a.team.pk]["parent"] == a.department.pk


def test_team_create_update_delete(client: Client, a: World) -> None:
    login(client, a.admin)
    created = client.post(
        _api(a, "teams/"),
        {"name": " Quality ", "kind": "team", "parent": a.department.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Quality"
    assert body["kind"] == "team"
    assert body["parent"] == a.department.pk
    assert body["member_count"] == 0
    team_id = body["id"]

    updated = _patch(client, _api(a, f"teams/{team_id}/"), {"name": "QA", "parent": a.team.pk})
    assert updated.status_code == 200, updated.content
    assert updated.json()["name"] == "QA"
    with a.tenant():
        team = Team.objects.get(pk=team_id)
    assert (team.name, team.parent_id, team.organisation_id) == ("QA", a.team.pk, a.org.pk)

    deleted = client.delete(_api(a, f"teams/{team_id}/"))
    assert deleted.status_code == 204
    with a.tenant():
        assert not Team.objects.filter(pk=team_id).exists()


def test_department_create(client: Client, a: World) -> None:
    login(client, a.owner)
    response = client.post(
        _api(a, "teams/"),
        {"name": "Sales", "kind": "department", "parent": a.company.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    with a.tenant():
        assert Team.objects.get(pk=response.json()["id"]).kind == TeamKind.DEPARTMENT


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "", "kind": "team", "parent": "department"}, "name", "blank"),
        ({"kind": "team", "parent": "department"}, "name", "required"),
        ({"name": "X" * 121, "kind": "team", "parent": "department"}, "name", "120"),
        ({"name": "Orphan", "kind": "team"}, "parent", "Choose where this sits"),
        ({"name": "Second company", "kind": "company", "parent": "company"}, "kind", "comes with the organisation"),
        ({"name": "Deep dept", "kind": "department", "parent": "department"}, "parent", "directly under the company"),
        ({"name": "Flat team", "kind": "team", "parent": "company"}, "parent", "under a department"),
        ({"name": "alpha platform", "kind": "team", "parent": "department"}, "name", "already a team of that name"),
        ({"name": "X", "kind": "team", "parent": "abc"}, "parent", "Expected an id"),
    ],
)
def test_team_create_validation_errors(
    client: Client, a: World, body: dict[str, Any], field: str, message: str
) -> None:
    ids = {"company": a.company.pk, "department": a.department.pk}
    if "parent" in body:
        body = {**body, "parent": ids.get(body["parent"], body["parent"])}
    with a.tenant():
        before = Team.objects.filter(organisation=a.org).count()
    login(client, a.admin)
    response = client.post(_api(a, "teams/"), body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors
    with a.tenant():
        assert Team.objects.filter(organisation=a.org).count() == before


def test_team_update_validation_errors(client: Client, a: World) -> None:
    login(client, a.admin)
    under_itself = _patch(client, _api(a, f"teams/{a.department.pk}/"), {"parent": a.team.pk})
    assert under_itself.status_code == 400
    assert "parent" in under_itself.json()
    blank = _patch(client, _api(a, f"teams/{a.team.pk}/"), {"name": ""})
    assert blank.status_code == 400
    assert "name" in blank.json()
    sibling = TeamFactory(organisation=a.org, name="Mobile", parent=a.department)
    clash = _patch(client, _api(a, f"teams/{sibling.pk}/"), {"name": "ALPHA PLATFORM"})
    assert clash.status_code == 400
    assert "already a team of that name" in clash.json()["name"][0]
    company = _patch(client, _api(a, f"teams/{a.company.pk}/"), {"parent": a.department.pk})
    assert company.status_code == 400
    assert "root" in company.json()["parent"][0]
    with a.tenant():
        assert Team.objects.get(pk=a.department.pk).parent_id == a.company.pk
        assert Team.objects.get(pk=sibling.pk).name == "Mobile"


def test_team_delete_refusals(client: Client, a: World) -> None:
    login(client, a.admin)
    company = client.delete(_api(a, f"teams/{a.company.pk}/"))
    assert company.status_code == 400
    assert "company cannot be deleted" in company.json()["non_field_errors"][0]
    with_children = client.delete(_api(a, f"teams/{a.department.pk}/"))
    assert with_children.status_code == 400
    assert "teams under this one" in with_children.json()["non_field_errors"][0]
    with_people = client.delete(_api(a, f"teams/{a.team.pk}/"))
    assert with_people.status_code == 400
    assert "people" in with_people.json()["non_field_errors"][0]
    with a.tenant():
        assert Team.objects.filter(pk__in=[a.company.pk, a.department.pk, a.team.pk]).count() == 3


def test_team_writes_need_admin(client: Client, a: World) -> None:
    login(client, a.manager)
    created = client.post(
        _api(a, "teams/"), {"name": "Mine", "kind": "team", "parent": a.department.pk}, content_type="application/json"
    )
    assert created.status_code == 403
    assert _patch(client, _api(a, f"teams/{a.team.pk}/"), {"name": "Renamed"}).status_code == 403
    assert client.delete(_api(a, f"teams/{a.team.pk}/")).status_code == 403
    with a.tenant():
        assert Team.objects.get(pk=a.team.pk).name == "Alpha Platform"
        assert not Team.objects.filter(name="Mine").exists()


def test_team_of_another_organisation_is_404(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    assert client.get(_api(a, f"teams/{b.team.pk}/")).status_code == 404
    assert client.delete(_api(a, f"teams/{b.team.pk}/")).status_code == 404
    with b.tenant():
        assert Team.objects.filter(pk=b.team.pk).exists()


# ---------------------------------------------------------------- my organisations, me


def test_organisation_list_shows_only_mine(client: Client, a: World, b: World) -> None:
    other = TeamFactory(organisation=b.org, name="Other")
    MembershipFactory(organisation=b.org, user=a.employee.user, team=other, role=Role.MANAGER)
    login(client, a.employee)
    response = client.get("/api/v1/orgs/")
    assert response.status_code == 200
    assert sorted((o["slug"], o["role"]) for o in response.json()) == [("alpha", "employee"), ("beta", "manager")]

    login(client, a.report)
    assert [o["slug"] for o in client.get("/api/v1/orgs/").json()] == ["alpha"]


def test_organisation_list_hides_deactivated_memberships(client: Client, a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.report.pk).update(is_active=False)
    login(client, a.report)
    assert client.get("/api/v1/orgs/").json() == []
    assert client.get(_api(a, "members/")).status_code == 404


def test_organisation_list_needs_authentication(db: None) -> None:
    assert Client().get("/api/v1/orgs/").status_code in (401, 403)


def test_stranger_gets_404_for_an_organisation(client: Client, a: World, stranger: Any) -> None:
    login(client, stranger)
    assert client.get(_api(a, "members/")).status_code == 404
    assert client.get(_api(a, "me/")).status_code == 404
    assert client.get("/api/v1/orgs/").json() == []


def test_me(client: Client, a: World) -> None:
    login(client, a.manager)
    body = client.get(_api(a, "me/")).json()
    assert body["id"] == a.manager.pk
    assert body["role"] == "manager"
    assert body["user"]["email"] == a.manager.user.email


# ---------------------------------------------------------------- schema and docs


def test_schema_renders(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Ascent API"
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/tokens/",
        "/api/v1/orgs/",
        "/api/v1/orgs/{org_slug}/members/",
        "/api/v1/orgs/{org_slug}/members/{id}/",
        "/api/v1/orgs/{org_slug}/teams/",
        "/api/v1/orgs/{org_slug}/invitations/",
    ):
        assert path in paths, sorted(paths)
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_docs_render_with_local_assets(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    sources = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", html)
    assert sources
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), source
        assert "cdn" not in source.lower(), source
        assert source.startswith("/"), source
    # The Content-Security-Policy must let the page's own inline code run (nonce), or the
    # browser shows a blank page; no inline style either (style-src 'self').
    policy = response["Content-Security-Policy"]
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts
    for attributes in inline_scripts:
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert nonce, attributes
        assert f"'nonce-{nonce.group(1)}'" in policy
    assert "<style" not in html
    # Each asset is really served from our own static files.
    for source in sources:
        if source.startswith("/static/"):
            assert client.get(source).status_code == 200, source
