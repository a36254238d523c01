"""Reminders under faults, with real parts (issue 9, items 6 and 7): a private ``redis-server``
started here, a real prefork Celery worker and a real beat running the outbox relay
(``tests.kit.real_parts.stack``), against the test database.

- Redis down: the web app keeps answering (a submit, which enqueues the manager's e-mail, within
  the request bound), the tick's ledger rows and their send jobs wait, pending, and go out once
  Redis is back (the relay's tick publishes them); the next dispatch tick adds nothing.
- A worker killed (SIGKILL) in the middle of a batch — its pool process alone, or the whole worker,
  then started again — and Redis stopped in the middle of a batch and started again, empty, while a
  tick wrote more: every due reminder is delivered exactly once.

The worker's mail backend stops right after its n-th e-mail (``tests.kit.pausing_mail``), the
moment a kill hurts most: that e-mail is out, its in-app notification exists, its ledger row is
still pending. Every test ends by counting, per ledger row: one in-app notification (keyed by the
row), one e-mail to each member who wants e-mail (``send_once`` records), every row sent, every
job done. Lost and duplicated must both be 0.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from checkins import reminders
from checkins.models import Checkin, DeliveryStatus, ReminderDelivery
from checkins.reminders import SEND_TASK
from notifications.models import Notification
from notifications.tasks import NOTIFICATION_EMAIL_TASK
from organisations import rls
from organisations.models import Membership, Role
from outbox import services as outbox
from outbox.models import Effect, JobState, OutboxJob
from tests.checkins.conftest import ANSWERS
from tests.conftest import build_world, login
from tests.factories import MembershipFactory, OrganisationFactory
from tests.kit.real_parts import BROKER_DOWN_REQUEST_BOUND, Stack, stack  # noqa: F401  (the private Redis, worker and beat)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

#: Tuesday 1 December 2026, 10:00 UTC: period b2026-11-30 falls due (09:00 local, London and UTC).
DUE = datetime(2026, 12, 1, 10, tzinfo=UTC)
#: The next period's due day: its reminders, and the escalations of the first period's check-ins.
NEXT_DUE = DUE + timedelta(days=14)
MANAGERS, EMPLOYEES, EMAIL_OFF = 3, 56, 6
REQUEST_BOUND = BROKER_DOWN_REQUEST_BOUND
#: The relay republishes after 4 s in the stack (RELAY_ENV): watching longer shows any duplicate.
WATCH = 5


def report(line: str) -> None:
    print(f"\n[checkins faults] {line}")


def build_people(slug: str) -> int:
    """An owner, three managers under them and 56 employees under the managers (London and UTC;
    six without e-mail): at ``DUE`` 59 progress reminders and 4 digests fall due (2 batches)."""
    org = OrganisationFactory(slug=slug, name=slug.title(), time_zone="Europe/London")
    with rls.tenant_context(org.pk):
        owner = MembershipFactory(organisation=org, role=Role.OWNER, user__time_zone="Europe/London")
        managers = [
            MembershipFactory(organisation=org, role=Role.MANAGER, manager=owner, user__time_zone="UTC")
            for _ in range(MANAGERS)
        ]
        employees = [
            MembershipFactory(
                organisation=org, manager=managers[i % MANAGERS], user__time_zone=("UTC", "Europe/London")[i % 2]
            )
            for i in range(EMPLOYEES)
        ]
        for member in employees[:EMAIL_OFF]:
            member.user.email_notifications = False
            member.user.save(update_fields=["email_notifications"])
    return int(org.pk)


def ledger(org_id: int) -> list[tuple[int, int, str, str]]:
    with rls.tenant_context(org_id):
        return list(ReminderDelivery.objects.order_by("pk").values_list("pk", "membership_id", "kind", "status"))


def sent_count(org_id: int) -> int:
    return sum(1 for *_, status in ledger(org_id) if status == DeliveryStatus.SENT)


def paused_row(org_id: int) -> int | None:
    """The one pending ledger row whose e-mail has gone out (where the worker stopped), if any."""
    with rls.tenant_context(org_id):
        mailed = {int(key.rpartition(":")[2]) for key in Effect.objects.values_list("key", flat=True)}
    pending = [pk for pk, *_, status in ledger(org_id) if status == DeliveryStatus.PENDING and pk in mailed]
    assert len(pending) <= 1, pending
    return pending[0] if pending else None


def send_jobs(org_id: int) -> list[OutboxJob]:
    with rls.tenant_context(org_id):
        return list(OutboxJob.objects.filter(task=SEND_TASK).order_by("pk"))


def reminder_mails(stack: Stack) -> list[Any]:  # noqa: F811
    """The reminder e-mails the worker wrote (each carries a one-click unsubscribe header)."""
    return [m for m in stack.messages() if m["List-Unsubscribe"]]


def assert_each_reminder_delivered_once(org_id: int, stack: Stack) -> int:  # noqa: F811
    """Every ledger row sent; one in-app notification per row; one e-mail per row to each member
    who wants e-mail, and no other; every send job done. Returns the number of rows."""
    rows = ledger(org_id)
    assert rows, "the test dispatched nothing"
    assert Counter(status for *_, status in rows) == {DeliveryStatus.SENT: len(rows)}
    with rls.tenant_context(org_id):
        keys = list(Notification.objects.filter(key__startswith="reminder:").values_list("key", flat=True))
        addresses = dict(Membership.objects.values_list("pk", "user__email"))
        wants_mail = set(Membership.objects.filter(user__email_notifications=True).values_list("pk", flat=True))
        effects = set(Effect.objects.filter(key__startswith="checkins.reminder:").values_list("key", flat=True))
    assert sorted(keys) == sorted(f"reminder:{pk}" for pk, *_ in rows)  # lost 0, duplicated 0, in-app
    mailed = [(pk, member) for pk, member, *_ in rows if member in wants_mail]
    assert effects == {f"checkins.reminder:{pk}" for pk, _ in mailed}
    received = Counter(m["To"] for m in reminder_mails(stack))
    assert received == Counter(addresses[member] for _, member in mailed)  # lost 0, duplicated 0, e-mail
    assert [job.state for job in send_jobs(org_id)] == [JobState.SENT] * len(send_jobs(org_id))
    return len(rows)


def timed(request: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_redis_down_requests_answer_reminders_wait_and_the_next_tick_sends_them(stack: Stack) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")
    stack.redis.stop()
    assert outbox.broker_reachable() is False

    tick, tick_seconds = timed(lambda: reminders.dispatch(DUE))
    # progress for the admin, manager, employee and report; digests for the owner and the manager
    assert dict(tick.created) == {"progress": 4, "digest": 2}
    with a.tenant():
        checkin = Checkin.objects.get(employee=a.employee, period_key="b2026-11-30")
    detail = reverse("checkins:detail", kwargs={"org_slug": a.org.slug, "checkin_id": checkin.pk})
    employee = login(Client(), a.employee)
    answers = [
        timed(lambda: employee.get(detail)),
        timed(lambda: employee.post(detail + "draft/", {"progress": "Half way"}, HTTP_HX_REQUEST="true")),
        timed(lambda: employee.post(detail + "submit/", ANSWERS)),  # enqueues the manager's e-mail
        timed(lambda: employee.get(reverse("notifications:centre", kwargs={"org_slug": a.org.slug}))),
    ]
    assert [response.status_code for response, _ in answers] == [200, 200, 302, 200]
    slowest = max(seconds for _, seconds in answers)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.2f}s with Redis down"

    # Owed and recorded as owed: the ledger rows pending, their jobs pending and never published.
    assert {status for *_, status in ledger(a.org.pk)} == {DeliveryStatus.PENDING}
    with a.tenant():
        jobs = list(OutboxJob.objects.order_by("pk"))
        assert not Notification.objects.filter(key__startswith="reminder:").exists()
    assert [job.task for job in jobs] == [SEND_TASK, NOTIFICATION_EMAIL_TASK]  # the tick's, the submit's
    assert [(job.state, job.published_at) for job in jobs] == [(JobState.PENDING, None)] * 2
    time.sleep(2)  # the outage lasts; nothing goes out, nothing is dropped
    assert stack.messages() == []

    stack.redis.start()  # the beat's relay tick publishes what is owed
    delivered = stack.wait(
        "the reminders and the manager's e-mail after Redis came back",
        lambda: sent_count(a.org.pk) == 6 and len(stack.messages()) == 6 + 1,  # and the manager's
        timeout=45,
    )
    assert reminders.dispatch(DUE + timedelta(minutes=5)).total == 0  # the next tick: all written already
    time.sleep(WATCH)
    assert assert_each_reminder_delivered_once(a.org.pk, stack) == 6
    submitted = [m for m in stack.messages() if not m["List-Unsubscribe"]]
    assert [(m["To"], m["Subject"]) for m in submitted] == [
        (a.manager.user.email, f"{a.employee.user.full_name} submitted their check-in")
    ]
    with a.tenant():
        assert [job.state for job in OutboxJob.objects.all()] == [JobState.SENT] * 2
    report(
        f"redis down: tick of 6 reminders {tick_seconds * 1000:.0f} ms, 4/4 requests answered, slowest "
        f"{slowest * 1000:.0f} ms; all delivered {delivered:.1f}s after Redis came back; lost 0, duplicated 0"
    )


@pytest.mark.parametrize("victim", ["pool process", "whole worker"])
def test_worker_killed_mid_batch_every_reminder_delivered_exactly_once(stack: Stack, victim: str) -> None:  # noqa: F811
    org_id = build_people("killed")
    stack.pause_mail_at(20)
    tick = reminders.dispatch(DUE)
    assert (dict(tick.created), tick.batches) == ({"progress": MANAGERS + EMPLOYEES, "digest": 1 + MANAGERS}, 2)

    paused_pid = stack.wait_for_mail_pause()
    assert len(reminder_mails(stack)) == 20
    assert paused_row(org_id) is not None  # mid-batch: the 20th e-mail is out, its row not marked sent
    if victim == "pool process":
        assert paused_pid != stack.processes["worker"].pid
        os.kill(paused_pid, signal.SIGKILL)  # the worker's main process starts a new one
    else:
        stack.kill("worker")  # main and pool at once, as a crashed machine would
        time.sleep(1)
        assert len(reminder_mails(stack)) == 20  # nothing goes out while it is down
        stack.start("worker")
    took = stack.wait("every reminder delivered after the kill", lambda: sent_count(org_id) == 63, timeout=60)
    time.sleep(WATCH)

    assert assert_each_reminder_delivered_once(org_id, stack) == 63
    # the killed batch ran again (and sent only what it had not), the other once
    assert sorted(job.attempts for job in send_jobs(org_id)) == [1, 2]
    log = (stack.base / "worker.log").read_text(errors="replace")
    if victim == "pool process":
        assert "exited with 'signal 9 (SIGKILL)'" in log
    report(f"{victim} killed mid-batch: 63 reminders, done {took:.1f}s after the kill; lost 0, duplicated 0")


def test_redis_stopped_mid_batch_and_started_again_every_reminder_delivered_exactly_once(
    stack: Stack,  # noqa: F811
) -> None:
    org_id = build_people("outage")
    stack.pause_mail_at(20)
    first = reminders.dispatch(DUE)
    assert (first.total, first.batches) == (63, 2)
    stack.wait_for_mail_pause()

    stack.redis.stop()  # the second batch's message dies with it (no persistence)
    stack.release_mail_pause()  # the worker finishes its batch on the database alone
    stack.wait("the batch under way to finish without Redis", lambda: sent_count(org_id) == 50, timeout=30)
    second, tick_seconds = timed(lambda: reminders.dispatch(NEXT_DUE))  # a tick while Redis is down
    escalated = MANAGERS + EMPLOYEES  # every first-period check-in is still open, past its grace
    assert dict(second.created) == {
        "progress": MANAGERS + EMPLOYEES,
        "digest": 1 + MANAGERS,
        "escalation": escalated,
        "escalation_up": EMPLOYEES,  # to the owner, above the managers
    }
    new_jobs = send_jobs(org_id)[first.batches :]
    assert len(new_jobs) == second.batches == 4
    assert {(job.state, job.published_at) for job in new_jobs} == {(JobState.PENDING, None)}
    time.sleep(1)
    assert sent_count(org_id) == 50  # nothing else moves while Redis is down

    stack.redis.start()  # empty: what it held is gone; the relay publishes again what is unfinished
    total = first.total + second.total
    took = stack.wait("every reminder after Redis came back", lambda: sent_count(org_id) == total, timeout=60)
    time.sleep(WATCH)

    assert assert_each_reminder_delivered_once(org_id, stack) == total
    report(
        f"redis stopped mid-batch: {total} reminders (a tick of {second.total} while down, "
        f"{tick_seconds * 1000:.0f} ms), all delivered {took:.1f}s after Redis came back; lost 0, duplicated 0"
    )
