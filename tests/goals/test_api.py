"""The goals API: create / read / edit / delete, actions, milestones, the log and comments, the
shared list; 400 per field, 403 for a visible goal that is not yours, 404 for one you may not see
(a private goal, for admins too), and the schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from goals.models import Goal, GoalVisibility, Milestone
from tests.conftest import World, login
from tests.goals.conftest import GoalWorld, make_goal

pytestmark = pytest.mark.django_db


def api(w: World, path: str) -> str:
    return f"/api/v1/orgs/{w.org.slug}/{path}"


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_create_read_edit_delete(a: World, g: GoalWorld) -> None:
    client = login(Client(), a.employee)
    created = send(
        client,
        "post",
        api(a, "goals/"),
        {
            "title": "Give a talk",
            "category": "professional_development",
            "visibility": "manager",
            "due_date": "2027-03-31",
            "milestone_titles": ["Abstract", "Slides", "Talk"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"]["id"] == a.employee.pk
    assert body["progress_mode"] == "milestones"
    assert [m["title"] for m in body["milestones"]] == ["Abstract", "Slides", "Talk"]
    assert body["can_edit"] is True
    goal_id = body["id"]
    patched = send(client, "patch", api(a, f"goals/{goal_id}/"), {"title": "Give two talks"})
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["visibility"]) == ("Give two talks", "manager")
    listed = send(client, "get", api(a, "goals/")).json()
    assert [item["id"] for item in listed["results"]] == [goal_id]
    manager = login(Client(), a.manager)
    assert send(manager, "get", api(a, f"goals/{goal_id}/")).json()["can_edit"] is False
    assert send(manager, "patch", api(a, f"goals/{goal_id}/"), {"title": "Mine"}).status_code == 403
    assert send(manager, "delete", api(a, f"goals/{goal_id}/")).status_code == 403
    assert send(client, "delete", api(a, f"goals/{goal_id}/")).status_code == 204
    with a.tenant():
        assert not Goal.objects.filter(pk=goal_id).exists()


def test_400_per_field(a: World, g: GoalWorld) -> None:
    client = login(Client(), a.employee)
    bad = send(
        client,
        "post",
        api(a, "goals/"),
        {"title": "", "category": "hobby", "visibility": "public", "due_date": "soon", "milestone_titles": ["x" * 201]},
    )
    assert bad.status_code == 400
    assert {"title", "category", "visibility", "due_date", "milestone_titles"} <= set(bad.json())
    past = send(client, "post", api(a, "goals/"), {"title": "Ok", "due_date": "2020-01-01"})
    assert past.status_code == 400
    assert "due_date" in past.json()
    long = send(client, "post", api(a, "goals/"), {"title": "t" * 201})
    assert "title" in long.json()
    goal = make_goal(a.employee)
    progress = send(client, "post", api(a, f"goals/{goal.pk}/progress/"), {"progress": "1.5"})
    assert progress.status_code == 400
    assert "progress" in progress.json()
    comment = send(client, "post", api(a, f"goals/{goal.pk}/updates/"), {"text": ""})
    assert "text" in comment.json()
    milestone = send(client, "post", api(a, f"goals/{goal.pk}/milestones/"), {"title": ""})
    assert "title" in milestone.json()
    assert send(client, "get", api(a, "goals/"), {"state": "asleep"}).status_code == 400
    assert send(client, "get", api(a, "goals/shared/"), {"person": "me"}).status_code == 400


def test_actions_and_progress(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee)
    client = login(Client(), a.employee)
    progressed = send(client, "post", api(a, f"goals/{goal.pk}/progress/"), {"progress": "0.4", "note": "Half"})
    assert progressed.json()["progress"] == "0.400"
    completed = send(client, "post", api(a, f"goals/{goal.pk}/complete/"), {"note": "Done"})
    assert completed.json()["state"] == "completed"
    again = send(client, "post", api(a, f"goals/{goal.pk}/complete/"))
    assert again.status_code == 409
    assert "state" in again.json()
    assert send(client, "post", api(a, f"goals/{goal.pk}/reopen/")).json()["state"] == "active"
    assert send(client, "post", api(a, f"goals/{goal.pk}/abandon/")).json()["state"] == "abandoned"
    assert send(login(Client(), a.manager), "post", api(a, f"goals/{goal.pk}/reopen/")).status_code == 404


def test_milestones(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["One"], visibility=GoalVisibility.ORGANISATION)
    client = login(Client(), a.employee)
    added = send(client, "post", api(a, f"goals/{goal.pk}/milestones/"), {"title": "Two"})
    assert added.status_code == 201
    listed = send(client, "get", api(a, f"goals/{goal.pk}/milestones/")).json()
    assert [m["title"] for m in listed] == ["One", "Two"]
    ticked = send(client, "patch", api(a, f"goal-milestones/{listed[0]['id']}/"), {"done": True})
    assert ticked.json()["done"] is True
    assert send(client, "get", api(a, f"goals/{goal.pk}/")).json()["progress"] == "0.500"
    colleague = login(Client(), a.report)
    assert send(colleague, "get", api(a, f"goal-milestones/{listed[0]['id']}/")).status_code == 200
    assert send(colleague, "patch", api(a, f"goal-milestones/{listed[0]['id']}/"), {"done": False}).status_code == 403
    assert send(client, "patch", api(a, f"goal-milestones/{listed[0]['id']}/"), {"done": "perhaps"}).status_code == 400
    assert send(client, "delete", api(a, f"goal-milestones/{added.json()['id']}/")).status_code == 204
    with a.tenant():
        assert list(Milestone.objects.filter(goal=goal).values_list("title", flat=True)) == ["One"]


def test_updates_and_comments(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.MANAGER)
    manager = login(Client(), a.manager)
    posted = send(manager, "post", api(a, f"goals/{goal.pk}/updates/"), {"text": "Nice"})
    assert posted.status_code == 201
    assert posted.json()["author"]["id"] == a.manager.pk
    log = send(login(Client(), a.employee), "get", api(a, f"goals/{goal.pk}/updates/")).json()
    assert [u["kind"] for u in log["results"]] == ["comment", "created"]
    assert send(login(Client(), a.admin), "post", api(a, f"goals/{goal.pk}/updates/"), {"text": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["owner", "admin", "manager", "report"])
def test_a_private_goal_is_404_in_the_api(a: World, g: GoalWorld, role: str) -> None:
    goal = make_goal(a.employee, milestones=["One"])
    with a.tenant():
        milestone = Milestone.objects.get(goal=goal)
    client = login(Client(), getattr(a, role))
    for method, path in [
        ("get", f"goals/{goal.pk}/"),
        ("get", f"goals/{goal.pk}/updates/"),
        ("get", f"goals/{goal.pk}/milestones/"),
        ("get", f"goal-milestones/{milestone.pk}/"),
        ("patch", f"goals/{goal.pk}/"),
    ]:
        assert send(client, method, api(a, path)).status_code == 404, (method, path)
    shared = send(client, "get", api(a, "goals/shared/")).json()
    assert goal.pk not in {item["id"] for item in shared["results"]}


def test_shared_list(a: World, g: GoalWorld) -> None:
    shared = make_goal(g.junior, visibility=GoalVisibility.MANAGER)
    make_goal(g.junior)
    direct = make_goal(a.employee, visibility=GoalVisibility.ORGANISATION)
    body = send(login(Client(), a.manager), "get", api(a, "goals/shared/")).json()
    assert {item["id"] for item in body["results"]} == {shared.pk, direct.pk}
    only = send(login(Client(), a.manager), "get", api(a, "goals/shared/"), {"person": g.junior.pk}).json()
    assert {item["id"] for item in only["results"]} == {shared.pk}


def test_schema_documents_the_goals_api(client: Client, db: None, capsys: pytest.CaptureFixture[str]) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    warnings = [line for line in capsys.readouterr().err.splitlines() if "goals" in line]
    assert warnings == []  # drf-spectacular warns of name clashes and fields it cannot type
    paths = schema["paths"]
    p = "/api/v1/orgs/{org_slug}/goals"
    assert {"get", "post"} <= set(paths[f"{p}/"])
    assert {"get", "patch", "delete"} <= set(paths[f"{p}/{{id}}/"])
    for name in ("complete", "abandon", "reopen", "progress"):
        assert "post" in paths[f"{p}/{{id}}/{name}/"]
    assert "examples" in paths[f"{p}/"]["post"]["requestBody"]["content"]["application/json"]
    params = {param["name"] for param in paths[f"{p}/shared/"]["get"]["parameters"]}
    assert {"category", "state", "person", "limit", "offset"} <= params
    milestone_post = paths[f"{p}/{{id}}/milestones/"]["post"]
    assert milestone_post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "GoalMilestoneCreateRequest"
    )
    assert "patch" in paths["/api/v1/orgs/{org_slug}/goal-milestones/{id}/"]
