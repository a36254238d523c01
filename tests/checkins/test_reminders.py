"""The reminder dispatcher and sender, in-process: what is due when in each member's zone, the
ledger written once (a second tick, two dispatchers at once), quiet hours, deactivated members,
quarters not active, escalation up the chain, the e-mail (direct link, signed one-click
unsubscribe), the in-app notification, the command and the beat entry."""

from __future__ import annotations

import re
import threading
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from checkins import delivery, reminders, services
from checkins.models import Checkin, CheckinKind, DeliveryStatus, ReminderDelivery
from config.celery import app
from notifications.models import Notification
from okrs.models import Cycle, CycleKind, CycleState
from organisations import rls
from organisations.models import Membership
from outbox.models import OutboxJob
from tests.checkins.conftest import ANSWERS
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026 is the due day of period b2026-11-30 (biweekly, Tuesday, 09:00 local).
DUE_DAY = date(2026, 12, 1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tick(now: datetime) -> reminders.TickResult:
    with time_machine.travel(now, tick=False):
        return reminders.dispatch(now)


def ledger(w: World) -> Counter[str]:
    with w.tenant():
        return Counter(ReminderDelivery.objects.values_list("kind", flat=True))


def send_all(w: World) -> int:
    with w.tenant():
        ids = list(ReminderDelivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    return delivery.send_batch(organisation_id=w.org.pk, delivery_ids=ids)


def set_zone(member: Membership, name: str) -> None:
    member.user.time_zone = name
    member.user.save(update_fields=["time_zone"])


def test_progress_and_digest_go_at_nine_local_once(a: World) -> None:
    # UTC everyone: nothing at 08:59, then employees with a manager get progress, managers a digest.
    assert tick(at(2026, 12, 1, 8, 59)).total == 0
    first = tick(at(2026, 12, 1, 9, 0))
    # admin, manager (report to owner), employee, report (to manager): 4 progress; owner + manager: 2 digests
    assert dict(first.created) == {"progress": 4, "digest": 2}
    assert first.batches == 1
    again = tick(at(2026, 12, 1, 9, 5))
    assert again.total == 0  # the ledger holds them already
    assert ledger(a) == Counter({"progress": 4, "digest": 2})
    with a.tenant():
        assert OutboxJob.objects.filter(task=reminders.SEND_TASK).count() == 1
        assert Checkin.objects.filter(kind=CheckinKind.BIWEEKLY, period_key="b2026-11-30").count() == 4
    # still the same period a week later: no second progress reminder or digest (only escalations)
    later = tick(at(2026, 12, 8, 12))
    assert set(later.created) == {"escalation", "escalation_up"}
    assert ledger(a)["progress"] == 4


def test_each_member_in_their_own_zone_and_never_in_the_quiet_hours(a: World) -> None:
    set_zone(a.employee, "Asia/Kolkata")  # 09:00 IST = 03:30 UTC
    set_zone(a.report, "America/New_York")  # 09:00 EST = 14:00 UTC
    tick(at(2026, 12, 1, 3, 30))
    with a.tenant():
        assert set(ReminderDelivery.objects.values_list("membership_id", flat=True)) == {a.employee.pk}
    tick(at(2026, 12, 1, 13, 59))
    with a.tenant():
        assert a.report.pk not in set(ReminderDelivery.objects.values_list("membership_id", flat=True))
    tick(at(2026, 12, 1, 14, 0))
    with a.tenant():
        assert a.report.pk in set(ReminderDelivery.objects.values_list("membership_id", flat=True))


def test_a_late_tick_waits_for_the_morning(a: World) -> None:
    set_zone(a.employee, "America/New_York")
    # The dispatcher was down all day: 22:00 in New York is quiet, so the employee waits ...
    tick(at(2026, 12, 2, 3))
    with a.tenant():
        assert not ReminderDelivery.objects.filter(membership=a.employee).exists()
    # ... and gets it at 07:00 the next morning.
    tick(at(2026, 12, 2, 12))
    with a.tenant():
        assert ReminderDelivery.objects.filter(membership=a.employee, kind="progress").count() == 1


def test_nothing_for_deactivated_members_or_about_them(a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.report.pk).update(is_active=False)
    tick(at(2026, 12, 1, 9))
    with a.tenant():
        recipients = set(ReminderDelivery.objects.values_list("membership_id", flat=True))
        assert a.report.pk not in recipients
        assert not Checkin.objects.filter(employee=a.report).exists()


def test_a_member_deactivated_after_the_tick_is_not_sent_to(a: World) -> None:
    tick(at(2026, 12, 1, 9))
    with a.tenant():
        Membership.objects.filter(pk=a.employee.pk).update(is_active=False)
    send_all(a)
    with a.tenant():
        row = ReminderDelivery.objects.get(membership=a.employee)
        assert row.status == DeliveryStatus.FAILED
        assert not Notification.objects.filter(recipient=a.employee).exists()


def test_sending_notifies_in_app_and_mails_with_a_direct_link_and_a_signed_unsubscribe(a: World) -> None:
    a.report.user.email_notifications = False
    a.report.user.save(update_fields=["email_notifications"])
    tick(at(2026, 12, 1, 9))
    assert send_all(a) == 6
    assert send_all(a) == 0  # a redelivered batch sends nothing
    with a.tenant():
        assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 6
        note = Notification.objects.get(recipient=a.employee)
        checkin = Checkin.objects.get(employee=a.employee)
        assert note.title == "Your progress conversation is due"
        assert note.url == f"/o/{a.org.slug}/checkins/{checkin.pk}/"
        assert Notification.objects.filter(recipient=a.report).count() == 1  # in-app always
    # e-mail: 5 people want it (the report does not)
    assert len(mail.outbox) == 5
    [message] = [m for m in mail.outbox if m.to == [a.employee.user.email]]
    text = message.body
    html = message.alternatives[0][0]
    assert f"/o/{a.org.slug}/checkins/{checkin.pk}/" in text
    assert f"/o/{a.org.slug}/checkins/{checkin.pk}/" in html
    match = re.search(r"/checkins/unsubscribe/(?P<token>[^/\s]+)/", text)
    assert match
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = match["token"]
    client = Client()
    assert client.get(f"/checkins/unsubscribe/{token}x/").status_code == 404  # tampered
    assert client.get(f"/checkins/unsubscribe/{token}/").status_code == 200  # GET changes nothing
    a.employee.user.refresh_from_db()
    assert a.employee.user.email_notifications
    assert client.post(f"/checkins/unsubscribe/{token}/").status_code == 200
    a.employee.user.refresh_from_db()
    assert not a.employee.user.email_notifications


def test_quarter_planning_review_and_two_days_left(a: World) -> None:
    with a.tenant():
        q1 = Cycle.objects.create(
            organisation=a.org,
            name="Q1 2027",
            kind=CycleKind.QUARTER,
            start_date=date(2027, 1, 1),
            end_date=date(2027, 3, 31),
            state=CycleState.PLANNING,
        )
        services.cadence_update(
            actor=a.admin,
            data=services.CadenceData(frequency="monthly", weekday=4, send_hour=9, grace_days=3, escalation=False),
        )
    # a cycle not active yet: no planning reminder
    tick(at(2027, 1, 1, 10))
    assert ledger(a)["planning"] == 0
    with a.tenant():
        Cycle.objects.filter(pk=q1.pk).update(state=CycleState.ACTIVE)
    tick(at(2027, 1, 1, 10, 5))
    assert ledger(a)["planning"] == 4
    with a.tenant():
        planning = Checkin.objects.get(employee=a.employee, kind=CheckinKind.QUARTERLY_PLANNING)
        assert planning.due_date == date(2027, 1, 8)
        assert planning.cycle_id == q1.pk
        Cycle.objects.filter(pk=q1.pk).update(state=CycleState.REVIEW)
    # the first working day after the quarter: Thursday 1 April
    tick(at(2027, 3, 31, 12))
    assert ledger(a)["review"] == 0
    tick(at(2027, 4, 1, 9))
    assert ledger(a)["review"] == 4
    with a.tenant():
        review = Checkin.objects.get(employee=a.employee, kind=CheckinKind.END_OF_QUARTER)
        assert review.due_date == date(2027, 4, 7)  # the review window closes
        services.checkin_submit(
            actor=a.employee,
            checkin=review,
            answers={"achievements": "a", "obstacles": "b", "priorities": "c", "help": "d", "development": "e"},
        )
    # two days left (5 April): the three still open get the follow-up, the employee does not
    tick(at(2027, 4, 5, 9))
    with a.tenant():
        followed = set(ReminderDelivery.objects.filter(kind="review_followup").values_list("membership_id", flat=True))
    assert followed == {a.admin.pk, a.manager.pk, a.report.pk}
    # a closed cycle: nothing more
    with a.tenant():
        Cycle.objects.filter(pk=q1.pk).update(state=CycleState.CLOSED)
    tick(at(2027, 4, 6, 9))
    assert ledger(a)["review_followup"] == 3


def test_escalation_to_the_manager_then_the_managers_manager(a: World) -> None:
    tick(at(2026, 12, 1, 9))  # opens the check-ins due 1 December; grace 3 days
    with a.tenant():
        services.checkin_submit(actor=a.report, checkin=Checkin.objects.get(employee=a.report), answers=ANSWERS)
    tick(at(2026, 12, 4, 12))
    assert ledger(a)["escalation"] == 0
    tick(at(2026, 12, 5, 9))  # due + grace + 1
    with a.tenant():
        rows = list(ReminderDelivery.objects.filter(kind="escalation").values_list("membership_id", "period_key"))
    # the employee's to the manager; the manager's and the admin's own to the owner; not the report's
    assert sorted(rows) == sorted(
        [
            (a.manager.pk, f"biweekly:b2026-11-30:{a.employee.pk}"),
            (a.owner.pk, f"biweekly:b2026-11-30:{a.manager.pk}"),
            (a.owner.pk, f"biweekly:b2026-11-30:{a.admin.pk}"),
        ]
    )
    tick(at(2026, 12, 8, 9))  # another grace: up to the manager's manager (the owner has none above)
    with a.tenant():
        up = list(ReminderDelivery.objects.filter(kind="escalation_up").values_list("membership_id", "period_key"))
    assert up == [(a.owner.pk, f"biweekly:b2026-11-30:{a.employee.pk}")]
    tick(at(2026, 12, 9, 9))
    assert ledger(a)["escalation"] == 3
    assert ledger(a)["escalation_up"] == 1
    send_all(a)
    with a.tenant():
        note = Notification.objects.get(recipient=a.manager, kind="checkins.escalation")
        assert a.employee.user.full_name in note.title
        assert note.url == f"/o/{a.org.slug}/checkins/people/{a.employee.pk}/"


def test_an_escalation_that_falls_in_a_later_period_still_names_its_check_in(a: World) -> None:
    with a.tenant():
        services.cadence_update(
            actor=a.admin,
            data=services.CadenceData(frequency="biweekly", weekday=1, send_hour=9, grace_days=14, escalation=True),
        )
    tick(at(2026, 12, 1, 9))
    tick(at(2026, 12, 16, 9))  # due 1 December + 14 days' grace: the next period has begun
    send_all(a)
    with a.tenant():
        row = ReminderDelivery.objects.select_related("checkin").get(
            kind="escalation", membership=a.manager, period_key=f"biweekly:b2026-11-30:{a.employee.pk}"
        )
        assert row.checkin is not None
        assert (row.checkin.employee_id, row.checkin.period_key) == (a.employee.pk, "b2026-11-30")
        note = Notification.objects.get(key=f"reminder:{row.pk}")
        assert note.title == f"{a.employee.user.full_name} has missed a check-in"


def test_no_escalation_when_it_is_off(a: World) -> None:
    with a.tenant():
        services.cadence_update(
            actor=a.admin,
            data=services.CadenceData(frequency="biweekly", weekday=1, send_hour=9, grace_days=3, escalation=False),
        )
    tick(at(2026, 12, 1, 9))
    tick(at(2026, 12, 9, 9))
    assert ledger(a)["escalation"] == 0
    assert ledger(a)["escalation_up"] == 0


def test_other_organisations_get_their_own_reminders_only(a: World, b: World) -> None:
    tick(at(2026, 12, 1, 9))
    with a.tenant():
        assert set(ReminderDelivery.objects.values_list("organisation_id", flat=True)) == {a.org.pk}
    with b.tenant():
        assert set(ReminderDelivery.objects.values_list("organisation_id", flat=True)) == {b.org.pk}
        assert ReminderDelivery.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_write_and_enqueue_each_reminder_once(a: World) -> None:
    now = at(2026, 12, 1, 9)
    barrier = threading.Barrier(2)
    results: list[reminders.TickResult] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(reminders.dispatch(now))
        finally:
            connection.close()

    saved = app.conf.task_always_eager
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app.conf.task_always_eager = saved
    assert sum(r.total for r in results) == 6
    with rls.tenant_context(a.org.pk):
        assert ReminderDelivery.objects.count() == 6
        assert Checkin.objects.count() == 4
        ids_in_jobs = [
            i for job in OutboxJob.objects.filter(task=reminders.SEND_TASK) for i in job.kwargs["delivery_ids"]
        ]
    assert sorted(ids_in_jobs) == sorted(set(ids_in_jobs))
    assert len(ids_in_jobs) == 6


def test_the_command_runs_one_tick_at_the_moment_given(a: World, capsys: Any) -> None:
    call_command("dispatch_reminders", "--now", "2026-12-01T09:00:00+00:00")
    out = capsys.readouterr().out
    assert "Reminders written: 6 (digest 2, progress 4)" in out
    call_command("dispatch_reminders", "--now", "2026-12-01T09:05:00")
    assert "Reminders written: 0" in capsys.readouterr().out


def test_the_beat_runs_one_tick_every_five_minutes() -> None:
    entry = app.conf.beat_schedule["checkins-dispatch-reminders"]
    assert entry["task"] == "checkins.tasks.dispatch_reminders"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 300
    assert reminders.SEND_TASK in app.tasks


def test_calendar_feed_is_secret_and_revocable(a: World, c: Any, client_for: Any) -> None:
    with a.tenant():
        token = services.calendar_feed_create(actor=a.employee)
    response = Client().get(f"/checkins/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.rstrip().endswith("END:VCALENDAR")
    assert body.count("BEGIN:VEVENT") == 1
    assert f"UID:checkin-{c.employee_checkin.pk}@ascent" in body
    assert "DTSTART;VALUE=DATE:20261117" in body
    assert Client().get(f"/checkins/calendar/{token[:-2]}.ics").status_code == 404
    assert Client().get("/checkins/calendar/nonsense.ics").status_code == 404
    # a new link ends the old one; revoking ends the new one
    with a.tenant():
        newer = services.calendar_feed_create(actor=a.employee)
    assert Client().get(f"/checkins/calendar/{token}.ics").status_code == 404
    with a.tenant():
        services.calendar_feed_revoke(actor=a.employee)
    assert Client().get(f"/checkins/calendar/{newer}.ics").status_code == 404
    # a submitted check-in leaves the feed
    with a.tenant():
        again = services.calendar_feed_create(actor=a.employee)
        services.checkin_submit(actor=a.employee, checkin=c.employee_checkin, answers=ANSWERS)
    assert "BEGIN:VEVENT" not in Client().get(f"/checkins/calendar/{again}.ics").content.decode()
