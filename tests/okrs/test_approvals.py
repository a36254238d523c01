"""Approve / request changes (issue 14, item 4): who may review, the send-back comment seen by the
owner on the objective and in My work, the return to "pending" after a material edit, the
activity, and HR's rule that a cycle becomes active only once its objectives are approved."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from okrs import services
from okrs.models import Activity, ApprovalState, Cycle, CycleState, Objective
from organisations.errors import NotAllowed
from organisations.models import Organisation
from tests.conftest import World, login
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def planning(a: World) -> Cycle:
    return CycleFactory(
        organisation=a.org,
        name="Q1 next",
        state=CycleState.PLANNING,
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
    )


@pytest.fixture
def objective(a: World, planning: Cycle) -> Objective:
    return ObjectiveFactory(cycle=planning, owner=a.employee, title="Ship the onboarding flow")


def _review(a: World, who: Any, objective: Objective, decision: str, comment: str = "") -> Any:
    url = reverse("okrs:objective_review", kwargs={"org_slug": a.org.slug, "objective_id": objective.pk})
    return login(Client(), who).post(url, {"decision": decision, "comment": comment})


def _fresh(a: World, objective: Objective) -> Objective:
    with a.tenant():
        return Objective.objects.get(pk=objective.pk)


def _verbs(a: World, objective: Objective) -> list[str]:
    with a.tenant():
        return list(
            Activity.objects.filter(objective=objective).order_by("created_at", "id").values_list("verb", flat=True)
        )


def test_a_new_objective_awaits_approval_and_its_manager_approves_it(a: World, objective: Objective) -> None:
    assert objective.approval_state == ApprovalState.PENDING
    response = _review(a, a.manager, objective, "approve", "Clear and ambitious.")
    assert response.status_code == 302
    fresh = _fresh(a, objective)
    assert fresh.approval_state == ApprovalState.APPROVED
    assert fresh.approval_by_id == a.manager.pk
    assert fresh.approval_comment == "Clear and ambitious."
    assert _verbs(a, objective)[-1] == "approved"
    with a.tenant():
        assert Notification.objects.filter(recipient=a.employee, kind="okrs.approval").count() == 1
    page = login(Client(), a.employee).get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": objective.pk})
    )
    html = page.content.decode()
    assert "Approved by" in html
    assert "approved it: “Clear and ambitious.”" in html  # the activity


def test_sending_back_needs_a_comment_which_the_owner_sees_on_the_objective_and_in_my_work(
    a: World, objective: Objective
) -> None:
    refused = _review(a, a.manager, objective, "request_changes", "  ")
    assert refused.status_code == 200
    assert "Say what should change" in refused.content.decode()
    assert _fresh(a, objective).approval_state == ApprovalState.PENDING
    _review(a, a.manager, objective, "request_changes", "Align it to the team's activation key result.")
    assert _fresh(a, objective).approval_state == ApprovalState.CHANGES_REQUESTED
    with a.tenant():
        note = Notification.objects.get(recipient=a.employee, kind="okrs.approval")
    assert note.email_requested
    detail = login(Client(), a.employee).get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": objective.pk})
    )
    assert "Changes requested" in detail.content.decode()
    assert "Align it to the team&#x27;s activation key result." in detail.content.decode()
    my_work = login(Client(), a.employee).get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug}))
    assert my_work.status_code == 200
    # My work shows the default cycle; the planning cycle is the only one here, so it is the default.
    html = my_work.content.decode()
    assert "Sent back to you" in html
    assert "Align it to the team&#x27;s activation key result." in html


def test_a_material_edit_after_a_send_back_makes_it_pending_again(a: World, objective: Objective) -> None:
    with a.tenant():
        services.objective_request_changes(actor=a.manager, objective=objective, comment="Needs a key result")
        KeyResultFactory(objective=objective, title="Placeholder")  # a factory is not the service: no change
        assert Objective.objects.get(pk=objective.pk).approval_state == ApprovalState.CHANGES_REQUESTED
        services.key_result_create(
            actor=a.employee,
            objective=objective,
            data=services.KeyResultData(title="Activated accounts", owner=a.employee, target_value=100),
        )
        fresh = Objective.objects.get(pk=objective.pk)
    assert fresh.approval_state == ApprovalState.PENDING
    assert fresh.approval_comment == "Needs a key result"  # kept: what was asked stays readable
    assert _verbs(a, objective)[-2:] == ["key result added", "approval pending"]


def test_an_alignment_makes_a_sent_back_objective_pending_and_tags_do_not(a: World, objective: Objective) -> None:
    parent = ObjectiveFactory(cycle=objective.cycle, owner=a.manager, level="team", team=a.team, title="Team")
    with a.tenant():
        services.objective_request_changes(actor=a.manager, objective=objective, comment="Align it")
        fresh = Objective.objects.select_related("cycle").get(pk=objective.pk)
        services.objective_update(
            actor=a.employee,
            objective=fresh,
            data=services.ObjectiveData(
                title=fresh.title, cycle=fresh.cycle, owner=a.employee, tags=["growth"], team=fresh.team
            ),
        )
        assert Objective.objects.get(pk=objective.pk).approval_state == ApprovalState.CHANGES_REQUESTED
        services.alignment_create(actor=a.employee, child=fresh, parent_objective=parent)
        assert Objective.objects.get(pk=objective.pk).approval_state == ApprovalState.PENDING
        # An approved objective stays approved when it changes (the edit is in its activity).
        services.objective_approve(actor=a.manager, objective=fresh)
        fresh.refresh_from_db()
        services.objective_update(
            actor=a.employee,
            objective=fresh,
            data=services.ObjectiveData(title="Renamed", cycle=fresh.cycle, owner=a.employee, team=fresh.team),
        )
        assert Objective.objects.get(pk=objective.pk).approval_state == ApprovalState.APPROVED


def test_who_may_review(a: World, objective: Objective) -> None:
    assert _review(a, a.employee, objective, "approve").status_code == 403  # its owner
    assert _review(a, a.report, objective, "approve").status_code == 403  # a colleague
    with a.tenant(), pytest.raises(NotAllowed):
        services.objective_approve(actor=a.report, objective=objective)
    assert _review(a, a.owner, objective, "approve").status_code == 302  # the manager's manager
    assert _review(a, a.admin, objective, "request_changes", "HR can too").status_code == 302
    page = login(Client(), a.manager).get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": objective.pk})
    )
    assert "Send back with the comment" in page.content.decode()
    own = login(Client(), a.employee).get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": objective.pk})
    )
    assert "Send back with the comment" not in own.content.decode()


def test_objectives_of_people_without_a_manager_need_no_approval(a: World, planning: Cycle) -> None:
    top = ObjectiveFactory(cycle=planning, owner=a.owner, level="company", title="Company")
    page = login(Client(), a.owner).get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": top.pk})
    )
    assert 'id="approval"' not in page.content.decode()
    Organisation.objects.filter(pk=a.org.pk).update(objectives_need_approval=True)
    a.admin.organisation.refresh_from_db()
    with a.tenant():
        services.cycle_set_state(actor=a.admin, cycle=planning, state=CycleState.ACTIVE)


def test_hr_requires_approval_before_a_cycle_becomes_active(a: World, objective: Objective, planning: Cycle) -> None:
    settings_url = reverse("organisations:organisation_settings", kwargs={"org_slug": a.org.slug})
    admin = login(Client(), a.admin)
    form = admin.get(settings_url).content.decode()
    assert "Objectives need their manager&#x27;s approval before a cycle becomes active" in form
    body = {
        "name": a.org.name,
        "time_zone": a.org.time_zone,
        "fiscal_year_start_month": a.org.fiscal_year_start_month,
        "review_window_days": 7,
        "pace_on_track_percent": 10,
        "pace_at_risk_percent": 30,
        "stale_after_days": 14,
        "number_format": "dot",
        "objectives_need_approval": "on",
    }
    assert admin.post(settings_url, body).status_code == 302
    a.org.refresh_from_db()
    assert a.org.objectives_need_approval
    cycles_url = reverse("okrs:cycles", kwargs={"org_slug": a.org.slug})
    state_url = reverse("okrs:cycle_state", kwargs={"org_slug": a.org.slug, "cycle_id": planning.pk})
    refused = admin.post(state_url, {"state": "active"}, follow=True).content.decode()
    assert "Q1 next cannot become active yet: 1 objective is not approved" in refused
    assert "Ship the onboarding flow" in admin.get(cycles_url).content.decode()  # listed on the cycles page
    with a.tenant():
        assert Cycle.objects.get(pk=planning.pk).state == CycleState.PLANNING
        # The daily move by dates waits too.
        assert services.cycles_advance(organisation_id=a.org.pk, today=date(2027, 1, 5)) >= 0
        assert Cycle.objects.get(pk=planning.pk).state == CycleState.PLANNING
    _review(a, a.manager, objective, "approve")
    with a.tenant():
        services.cycles_advance(organisation_id=a.org.pk, today=date(2027, 1, 5))
        assert Cycle.objects.get(pk=planning.pk).state == CycleState.ACTIVE
        Cycle.objects.filter(pk=planning.pk).update(state=CycleState.PLANNING)
    assert "is now active" in admin.post(state_url, {"state": "active"}, follow=True).content.decode()


def test_without_the_setting_a_cycle_activates_with_unapproved_objectives(
    a: World, objective: Objective, planning: Cycle
) -> None:
    with a.tenant():
        services.cycle_set_state(actor=a.admin, cycle=planning, state=CycleState.ACTIVE)
        assert Cycle.objects.get(pk=planning.pk).state == CycleState.ACTIVE


def test_the_service_refuses_activation_with_a_field_error(a: World, objective: Objective, planning: Cycle) -> None:
    Organisation.objects.filter(pk=a.org.pk).update(objectives_need_approval=True)
    a.admin.organisation.refresh_from_db()
    with a.tenant(), pytest.raises(ValidationError) as caught:
        services.cycle_set_state(actor=a.admin, cycle=planning, state=CycleState.ACTIVE)
    assert "state" in caught.value.error_dict


# ---------------------------------------------------------------- the API


def _api(a: World, path: str) -> str:
    return f"/api/v1/orgs/{a.org.slug}/{path}"


def test_api_approve_request_changes_and_the_lists(a: World, objective: Objective, planning: Cycle) -> None:
    manager = login(Client(), a.manager)
    missing = manager.post(_api(a, f"objectives/{objective.pk}/request-changes/"), {}, content_type="application/json")
    assert missing.status_code == 400
    assert "comment" in missing.json()
    sent = manager.post(
        _api(a, f"objectives/{objective.pk}/request-changes/"),
        {"comment": "Smaller, please"},
        content_type="application/json",
    )
    assert sent.status_code == 200
    assert sent.json()["approval_state"] == "changes_requested"
    assert sent.json()["approval_comment"] == "Smaller, please"
    own = login(Client(), a.employee).post(
        _api(a, f"objectives/{objective.pk}/approve/"), {}, content_type="application/json"
    )
    assert own.status_code == 403
    listed = manager.get(
        _api(a, "team-alignment/approvals/"), {"cycle": planning.pk, "approval_state": "changes_requested"}
    )
    assert [o["id"] for o in listed.json()] == [objective.pk]
    assert (
        manager.post(_api(a, f"objectives/{objective.pk}/approve/"), {}, content_type="application/json").status_code
        == 200
    )
    assert (
        manager.get(
            _api(a, "team-alignment/approvals/"), {"cycle": planning.pk, "approval_state": "changes_requested"}
        ).json()
        == []
    )
    admin = login(Client(), a.admin)
    assert admin.get(_api(a, f"cycles/{planning.pk}/unapproved/")).json() == []
    assert manager.get(_api(a, f"cycles/{planning.pk}/unapproved/")).status_code == 403
    patched = admin.patch(_api(a, "settings/"), {"objectives_need_approval": True}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["objectives_need_approval"] is True
