"""The goals pages: My goals with its filters and empty states, the form that keeps what was
typed, the detail page and its log, inline ticking and manual progress over htmx (announced),
state buttons, comments, the manager's shared view and the *My work* card."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from goals.models import Goal, GoalState, GoalVisibility, Milestone, UpdateKind
from tests.conftest import World, login
from tests.goals.conftest import GoalWorld, make_goal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(w: World, name: str, **kwargs: int) -> str:
    return reverse(f"goals:{name}", kwargs={"org_slug": w.org.slug, **kwargs})


def test_my_goals_shows_only_my_goals_with_filters(a: World, g: GoalWorld) -> None:
    make_goal(a.employee, title="Run 10 km", category="wellbeing", milestones=["5 km"])
    done = make_goal(a.employee, title="Learn SQL", category="professional_development")
    make_goal(a.report, title="Someone else's", visibility=GoalVisibility.ORGANISATION)
    with a.tenant():
        from goals.services import goal_complete

        goal_complete(actor=a.employee, goal=done)
    client = login(Client(), a.employee)
    page = client.get(url(a, "home")).content.decode()
    assert "Run 10 km" in page
    assert "Learn SQL" in page
    assert "Someone else" not in page
    wellbeing = client.get(url(a, "home"), {"category": "wellbeing"}).content.decode()
    assert "Run 10 km" in wellbeing
    assert "Learn SQL" not in wellbeing
    completed = client.get(url(a, "home"), {"state": "completed"}, **HTMX).content.decode()
    assert "Learn SQL" in completed
    assert "Run 10 km" not in completed
    assert "<html" not in completed  # the region only
    nothing = client.get(url(a, "home"), {"category": "action_plan"}).content.decode()
    assert "No goals match these filters" in nothing
    assert client.get(url(a, "home"), {"state": "sleeping"}).status_code == 400


def test_empty_my_goals_says_what_to_do(a: World, g: GoalWorld) -> None:
    page = login(Client(), a.employee).get(url(a, "home")).content.decode()
    assert "No goals yet" in page
    assert url(a, "create") in page


def test_create_keeps_what_was_typed_on_error_then_creates(a: World, g: GoalWorld) -> None:
    client = login(Client(), a.employee)
    body = {
        "title": "Write a blog post",
        "description": "About our migration",
        "category": "professional_development",
        "visibility": "manager",
        "due_date": "2026-01-01",  # in the past (frozen today: 15 Nov 2026)
        "progress_mode": "",
        "milestones": "Outline\nDraft\nPublish",
    }
    refused = client.post(url(a, "create"), body)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "The due date is in the past" in html
    assert 'value="Write a blog post"' in html
    assert "Outline\nDraft\nPublish" in html
    body["due_date"] = "2027-01-31"
    created = client.post(url(a, "create"), body)
    with a.tenant():
        goal = Goal.objects.get(title="Write a blog post")
    assert created.status_code == 302
    assert created["Location"] == url(a, "detail", goal_id=goal.pk)
    assert (goal.owner_id, goal.milestone_count, goal.due_date) == (a.employee.pk, 3, date(2027, 1, 31))


def test_edit_is_the_owners_alone(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.ORGANISATION)
    assert login(Client(), a.manager).get(url(a, "edit", goal_id=goal.pk)).status_code == 403
    client = login(Client(), a.employee)
    form = client.get(url(a, "edit", goal_id=goal.pk)).content.decode()
    assert "Learn to give a conference talk" in form
    saved = client.post(
        url(a, "edit", goal_id=goal.pk),
        {"title": "Give two talks", "category": "wellbeing", "visibility": "private", "progress_mode": "manual"},
    )
    assert saved.status_code == 302
    with a.tenant():
        goal.refresh_from_db()
    assert (goal.title, goal.visibility) == ("Give two talks", "private")


@pytest.mark.parametrize("role", ["owner", "admin", "manager", "report"])
def test_a_private_goal_is_404_for_everyone_else(a: World, g: GoalWorld, role: str) -> None:
    goal = make_goal(a.employee, title="Secret", milestones=["One"])
    with a.tenant():
        milestone = Milestone.objects.get(goal=goal)
    client = login(Client(), getattr(a, role))
    assert client.get(url(a, "detail", goal_id=goal.pk)).status_code == 404
    assert client.post(url(a, "comment", goal_id=goal.pk), {"text": "hi"}).status_code == 404
    assert client.post(url(a, "milestone_toggle", milestone_id=milestone.pk), {"done": "1"}).status_code == 404
    assert "Secret" not in client.get(url(a, "shared")).content.decode()


def test_ticking_a_milestone_over_htmx_updates_progress_and_announces(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, milestones=["Abstract", "Slides"])
    with a.tenant():
        first = Milestone.objects.filter(goal=goal).order_by("position").first()
    assert first is not None
    client = login(Client(), a.employee)
    response = client.post(url(a, "milestone_toggle", milestone_id=first.pk), {"done": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="goal-{goal.pk}-body"' in html
    assert f'id="milestone-{first.pk}"' in html  # same id: htmx keeps the focus on it
    assert "50 %" in html
    assert "1 of 2 milestones done, 50 %" in response["HX-Trigger"]
    # Without JavaScript: a plain post, then back to the page.
    plain = client.post(url(a, "milestone_toggle", milestone_id=first.pk), {})
    assert plain.status_code == 302
    with a.tenant():
        goal.refresh_from_db()
    assert goal.milestones_done == 0


def test_manual_progress_over_htmx_and_its_errors(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee)
    client = login(Client(), a.employee)
    ok = client.post(url(a, "progress", goal_id=goal.pk), {f"g{goal.pk}-percent": "40"}, **HTMX)
    assert "40 %" in ok.content.decode()
    assert "Progress 40 %" in ok["HX-Trigger"]
    bad = client.post(url(a, "progress", goal_id=goal.pk), {f"g{goal.pk}-percent": "140"}, **HTMX)
    assert bad.status_code == 200
    assert "Progress not saved" in bad["HX-Trigger"]
    assert 'value="140"' in bad.content.decode()
    with a.tenant():
        goal.refresh_from_db()
    assert goal.percent == 40


def test_detail_shows_the_log_and_managers_comment(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, title="Mentor a junior", visibility=GoalVisibility.MANAGER)
    manager = login(Client(), a.manager)
    page = manager.get(url(a, "detail", goal_id=goal.pk)).content.decode()
    assert "Mentor a junior" in page
    assert "Add a comment" in page
    assert url(a, "edit", goal_id=goal.pk) not in page  # not the manager's to edit
    posted = manager.post(url(a, "comment", goal_id=goal.pk), {"text": "Happy to help"})
    assert posted.status_code == 302
    assert "Happy to help" in login(Client(), a.employee).get(url(a, "detail", goal_id=goal.pk)).content.decode()
    empty = manager.post(url(a, "comment", goal_id=goal.pk), {"text": ""})
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()


def test_a_colleague_reads_an_organisation_goal_but_may_not_comment(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.ORGANISATION)
    colleague = login(Client(), a.report)
    page = colleague.get(url(a, "detail", goal_id=goal.pk)).content.decode()
    assert "Add a comment" not in page
    assert colleague.post(url(a, "comment", goal_id=goal.pk), {"text": "hi"}).status_code == 403


def test_state_buttons(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee)
    client = login(Client(), a.employee)
    client.post(url(a, "state", goal_id=goal.pk), {"action": "complete"})
    with a.tenant():
        goal.refresh_from_db()
    assert goal.state == GoalState.COMPLETED
    page = client.get(url(a, "detail", goal_id=goal.pk)).content.decode()
    assert "Reopen" in page
    client.post(url(a, "state", goal_id=goal.pk), {"action": "complete"})  # already completed: an error message
    client.post(url(a, "state", goal_id=goal.pk), {"action": "reopen"})
    client.post(url(a, "state", goal_id=goal.pk), {"action": "abandon", "note": "Not for me"})
    with a.tenant():
        goal.refresh_from_db()
        texts = list(goal.updates.filter(kind=UpdateKind.STATE).order_by("id").values_list("text", flat=True))
    assert goal.state == GoalState.ABANDONED
    assert texts == ["Completed.", "Reopened.", "Abandoned. Not for me"]
    assert login(Client(), a.manager).post(url(a, "state", goal_id=goal.pk), {"action": "reopen"}).status_code == 404


def test_shared_with_me_and_its_tab(a: World, g: GoalWorld) -> None:
    make_goal(g.junior, title="Junior's shared", visibility=GoalVisibility.MANAGER)
    make_goal(g.junior, title="Junior's private")
    make_goal(a.employee, title="Employee's public", visibility=GoalVisibility.ORGANISATION)
    manager = login(Client(), a.manager)
    page = manager.get(url(a, "shared")).content.decode()
    assert "Junior&#x27;s shared" in page or "Junior's shared" in page
    assert "Employee&#x27;s public" in page or "Employee's public" in page
    assert "Junior&#x27;s private" not in page
    assert "Junior's private" not in page
    assert "reports to Alpha Lead" in page
    assert url(a, "shared") in manager.get(url(a, "home")).content.decode()  # the tab
    only = manager.get(url(a, "shared"), {"person": g.junior.pk}).content.decode()
    assert "Employee&#x27;s public" not in only
    assert manager.get(url(a, "shared"), {"person": a.admin.pk}).status_code == 400  # not a report
    employee = login(Client(), a.employee)
    assert url(a, "shared") not in employee.get(url(a, "home")).content.decode()
    assert "Nobody reports to you" in employee.get(url(a, "shared")).content.decode()


def test_my_work_card_lists_active_goals_due_soon_first(a: World, g: GoalWorld) -> None:
    make_goal(a.employee, title="Later", due_date=date(2027, 6, 1))
    make_goal(a.employee, title="Undated")
    make_goal(a.employee, title="Sooner", due_date=date(2026, 12, 1))
    page = login(Client(), a.employee).get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug}))
    html = page.content.decode()
    assert "Your goals" in html
    assert html.index("Sooner") < html.index("Later") < html.index("Undated")


def test_delete_is_the_owners_alone(a: World, g: GoalWorld) -> None:
    goal = make_goal(a.employee, visibility=GoalVisibility.ORGANISATION)
    assert login(Client(), a.manager).post(url(a, "delete", goal_id=goal.pk)).status_code == 403
    assert login(Client(), a.admin).post(url(a, "delete", goal_id=goal.pk)).status_code == 403
    client = login(Client(), a.employee)
    assert "Delete goal" in client.get(url(a, "edit", goal_id=goal.pk)).content.decode()
    deleted = client.post(url(a, "delete", goal_id=goal.pk))
    assert deleted["Location"] == url(a, "home")
    with a.tenant():
        assert not Goal.objects.filter(pk=goal.pk).exists()
