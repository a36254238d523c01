"""checkins.services and permissions: versioned templates, drafts, submission, completion, the
permission matrix (pair, manager chain, HR sees completion only, other employee, other
organisation), cadence validation and concurrent writes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from checkins import permissions, selectors, services
from checkins.models import Checkin, CheckinKind, CheckinState, CheckinTemplate, TemplateVersion
from checkins.questions import DEFAULT_QUESTIONS
from notifications.models import Notification
from organisations import rls
from organisations.errors import Conflict
from outbox.models import JobState, OutboxJob
from tests.checkins.conftest import ANSWERS, CheckinWorld, build_checkins
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_templates_are_seeded_from_the_reference_questions(a: World) -> None:
    with a.tenant():
        templates = services.templates_ensure(organisation_id=a.org.pk)
        assert set(templates) == set(CheckinKind.values)
        texts = [q["text"] for q in templates[CheckinKind.QUARTERLY_PLANNING].current_version.questions]
        assert "What will you focus on in the next 90 days?" in texts
        assert len(DEFAULT_QUESTIONS[CheckinKind.BIWEEKLY]) == 5
        # ensuring again creates nothing
        services.templates_ensure(organisation_id=a.org.pk)
        assert TemplateVersion.objects.in_organisation(a.org.pk).count() == 3


def test_editing_a_template_makes_a_version_and_never_changes_a_check_in(a: World, c: CheckinWorld) -> None:
    with a.tenant():
        template = CheckinTemplate.objects.get(organisation=a.org, kind=CheckinKind.BIWEEKLY)
        old_version = template.current_version_id
        version = services.template_edit(
            actor=a.admin, template=template, questions=[{"key": "one", "text": "One thing?", "for": "employee"}]
        )
        assert version.number == 2
        template.refresh_from_db()
        assert template.current_version_id == version.pk
        c.employee_checkin.refresh_from_db()
        assert c.employee_checkin.template_version_id == old_version
        # The same questions again: no new version.
        again = services.template_edit(
            actor=a.admin, template=template, questions=[{"key": "one", "text": "One thing?", "for": "employee"}]
        )
        assert again.pk == version.pk
        with pytest.raises(ValidationError) as exc:
            services.template_edit(actor=a.admin, template=template, questions=[{"text": "", "for": "employee"}])
        assert "questions" in exc.value.error_dict
        with pytest.raises(PermissionDenied):
            services.template_edit(actor=a.manager, template=template, questions=[{"text": "x"}])


def test_draft_submit_complete(a: World, c: CheckinWorld) -> None:
    checkin = c.employee_checkin
    with a.tenant():
        services.checkin_save_draft(actor=a.employee, checkin=checkin, answers={"progress": "half", "forged": "x"})
        checkin.refresh_from_db()
        assert checkin.state == CheckinState.DRAFT
        assert checkin.answers == {"progress": "half"}
        with pytest.raises(ValidationError) as exc:
            services.checkin_submit(actor=a.employee, checkin=checkin, answers={"achievements": "x"})
        assert set(exc.value.error_dict) == {"obstacles", "alignment", "help"}
        with pytest.raises(ValidationError):
            services.checkin_complete(actor=a.manager, checkin=checkin, manager_notes="early")
        services.checkin_submit(actor=a.employee, checkin=checkin, answers=ANSWERS)
        assert checkin.state == CheckinState.SUBMITTED
        assert checkin.submitted_at is not None
        with pytest.raises(Conflict):
            services.checkin_save_draft(actor=a.employee, checkin=checkin, answers={"progress": "late edit"})
        with pytest.raises(PermissionDenied):
            services.checkin_complete(actor=a.employee, checkin=checkin, manager_notes="self")
        services.checkin_complete(actor=a.manager, checkin=checkin, manager_notes="Good quarter so far.")
        checkin.refresh_from_db()
        assert checkin.state == CheckinState.COMPLETED
        assert checkin.manager_notes == "Good quarter so far."
        with pytest.raises(Conflict):
            services.checkin_complete(actor=a.manager, checkin=checkin, manager_notes="twice")


def test_submitting_tells_the_pairs_manager_once_in_app_and_by_an_outbox_email_job(a: World, c: CheckinWorld) -> None:
    with a.tenant():
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
        [note] = Notification.objects.filter(kind="checkins.submitted")
        assert note.recipient_id == a.manager.pk
        assert note.title == f"{a.employee.user.full_name} submitted their check-in"
        assert note.url == f"/o/{a.org.slug}/checkins/{c.employee_checkin.pk}/"
        [job] = OutboxJob.objects.filter(task="notifications.tasks.send_notification_email")
        assert (job.state, job.kwargs["notification_id"]) == (JobState.PENDING, note.pk)
        with pytest.raises(Conflict):  # a second submit changes nothing and tells nobody again
            services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
        assert Notification.objects.filter(kind="checkins.submitted").count() == 1


def test_permission_matrix(a: World, b: World, c: CheckinWorld) -> None:
    checkin = c.employee_checkin
    with a.tenant():
        checkin = Checkin.objects.select_related("employee").get(pk=checkin.pk)
        # the pair and the chain above read the content
        for who in (a.employee, a.manager, a.owner):
            assert permissions.can_view_content(who, checkin), who
            assert selectors.access_checkin(who, checkin.pk).pk == checkin.pk
        # HR (not in the chain) sees that it exists and its state, never its content
        assert not permissions.can_view_content(a.admin, checkin)
        assert permissions.can_view_status(a.admin, checkin)
        with pytest.raises(PermissionDenied):
            selectors.access_checkin(a.admin, checkin.pk)
        # another employee (a peer) sees nothing
        assert not permissions.can_view_status(a.report, checkin)
        with pytest.raises(PermissionDenied):
            selectors.access_checkin(a.report, checkin.pk)
        # only the employee answers; only the manager completes
        assert permissions.can_answer(a.employee, checkin)
        assert not permissions.can_answer(a.manager, checkin)
        with pytest.raises(PermissionDenied):
            services.checkin_save_draft(actor=a.manager, checkin=checkin, answers={"progress": "x"})
        visible_to_manager = {x.pk for x in selectors.checkins_visible(a.manager)}
        assert visible_to_manager == {c.employee_checkin.pk, c.report_checkin.pk, c.manager_checkin.pk}
        assert {x.pk for x in selectors.checkins_visible(a.admin)} == set()
        assert {x.pk for x in selectors.checkins_visible(a.owner)} == visible_to_manager
    # another organisation: not found, like an id that does not exist
    with b.tenant():
        with pytest.raises(Http404):
            selectors.access_checkin(b.owner, checkin.pk)
        with pytest.raises(Http404):
            selectors.access_checkin(b.owner, 10**9)


def test_hr_completion_overview_counts_without_content(a: World, c: CheckinWorld, frozen_time: Any) -> None:
    with a.tenant():
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
        rows = selectors.completion_overview(a.admin, a.org.today())
        assert len(rows) == 1
        row = rows[0]
        assert (row.total, row.submitted, row.completed, row.due + row.overdue) == (3, 1, 0, 2)
        assert not hasattr(row, "answers")
        with pytest.raises(PermissionDenied):
            selectors.completion_overview(a.manager, a.org.today())


def test_manager_board_and_my_checkins(a: World, c: CheckinWorld, frozen_time: Any) -> None:
    with a.tenant():
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
        board = {row.member.pk: row for row in selectors.manager_board(a.manager, a.org.today())}
        assert set(board) == {a.employee.pk, a.report.pk}
        assert board[a.employee.pk].submitted == 1
        assert board[a.report.pk].due == 1  # due 17 Nov, today is 15 Nov
        mine = selectors.my_checkins(a.report, a.org.today())
        assert [x.pk for x in mine.due] == [c.report_checkin.pk]
        assert mine.overdue == []
        waiting = selectors.my_checkins(a.manager, a.org.today()).to_complete
        assert [x.pk for x in waiting] == [c.employee_checkin.pk]


def test_checkins_open_is_idempotent_and_keeps_the_manager_at_creation(a: World, frozen_time: Any) -> None:
    first = build_checkins(a)
    again = build_checkins(a)
    assert first.employee_checkin.pk == again.employee_checkin.pk
    assert first.employee_checkin.manager_id == a.manager.pk
    with a.tenant():
        assert Checkin.objects.in_organisation(a.org.pk).count() == 3


def test_cadence_validation_per_field(a: World) -> None:
    with a.tenant():
        with pytest.raises(ValidationError) as exc:
            services.cadence_update(
                actor=a.admin,
                data=services.CadenceData(frequency="daily", weekday=6, send_hour=22, grace_days=0, escalation=True),
            )
        assert set(exc.value.error_dict) == {"frequency", "weekday", "send_hour", "grace_days"}
        saved = services.cadence_update(
            actor=a.admin,
            data=services.CadenceData(frequency="weekly", weekday=0, send_hour=8, grace_days=2, escalation=False),
        )
        assert selectors.cadence_for(a.org.pk).pk == saved.pk
        with pytest.raises(PermissionDenied):
            services.cadence_update(
                actor=a.manager,
                data=services.CadenceData(frequency="weekly", weekday=0, send_hour=8, grace_days=2, escalation=False),
            )


@pytest.mark.django_db(transaction=True)
def test_submit_and_a_draft_save_at_once_never_reopen_a_submitted_check_in(a: World, frozen_time: Any) -> None:
    """Two threads: one submits, one autosaves a draft. Whichever wins the row lock, the check-in
    ends submitted with the submitted answers (the late draft is refused, never applied)."""
    cw = build_checkins(a)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(action: str) -> None:
        try:
            with rls.tenant_context(a.org.pk):
                checkin = Checkin.objects.get(pk=cw.employee_checkin.pk)
                barrier.wait()
                if action == "submit":
                    services.checkin_submit(actor=a.employee, checkin=checkin, answers=ANSWERS)
                else:
                    services.checkin_save_draft(actor=a.employee, checkin=checkin, answers={"progress": "draft"})
                outcomes.append(f"{action} ok")
        except Conflict:
            outcomes.append(f"{action} conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(x,)) for x in ("submit", "draft")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "submit ok" in outcomes
    with rls.tenant_context(a.org.pk):
        final = Checkin.objects.get(pk=cw.employee_checkin.pk)
    assert final.state == CheckinState.SUBMITTED
    assert final.answers["obstacles"] == ANSWERS["obstacles"]
    # the draft either ran before (and was overwritten by submit's answers) or was refused after
    assert outcomes.count("draft conflict") + outcomes.count("draft ok") == 1
    if "draft ok" in outcomes:
        assert final.answers["progress"] == ANSWERS["progress"]
