"""A quarter of reminders with the real parts: the machine's Redis, a real Celery worker process
(``tests.kit.real_parts.worker``, on a queue of this run only), the outbox.

An organisation of 50 members (one deactivated; in London, New York, Kolkata and Lord Howe, so
two DST changes fall inside the quarter) is stepped through Q1 2026 and its review window, day by
day, with a tick every three hours (time-machine). The exact number of each kind of reminder is
asserted from the calendar below, then that the worker delivered every one exactly once: one
in-app notification per ledger row, one e-mail per row for those who want e-mail.

E-mails are counted as messages, never as files: the file backend appends messages sent within
the same second by backends at a reused address to one file (``tests.kit.real_parts.messages_to``).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest
import time_machine

from checkins import reminders, services
from checkins.models import Checkin, CheckinKind, DeliveryStatus, ReminderDelivery
from notifications.models import Notification
from okrs.models import Cycle, CycleKind, CycleState
from okrs.services import cycles_advance
from organisations import rls
from organisations.models import Membership, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.kit.real_parts import Worker, worker  # noqa: F401  (the real worker, this run's queue)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
EOQ_ANSWERS = {"achievements": "a", "obstacles": "b", "priorities": "c", "help": "d", "development": "e"}

# The calendar of Q1 2026 under the default cadence (every other week, Tuesday, 09:00 local,
# grace 3 days, escalation on), stepped from 1 January to 9 April:
# - progress periods (14 days from Monday 1 Jan 2024): 29 Dec, 12 Jan, 26 Jan, 9 Feb, 23 Feb,
#   9 Mar, 23 Mar, 6 Apr → 8 per member with a manager, and 8 digests per manager;
# - planning on Thursday 1 January (the quarter's first working day), due 8 January;
# - review on Wednesday 1 April, "two days left" on 5 April (the window closes 7 April);
# - escalation 4 days after each due date: the 8 progress check-ins due 30 Dec … 24 Mar (7 of
#   them; the one due 7 Apr escalates on 11 Apr, after the run) and the planning one (12 Jan);
#   to the manager's manager 3 days later (all 8 before 9 April).
PERIODS = 8
ESCALATED_PER_EMPLOYEE = 7 + 1


def build_org() -> tuple[int, list[Membership], list[Membership]]:
    org = OrganisationFactory(slug="quarter", name="Quarter Ltd")
    with rls.tenant_context(org.pk):
        owner = MembershipFactory(organisation=org, role=Role.OWNER, user__time_zone="UTC")
        managers = [
            MembershipFactory(organisation=org, role=Role.MANAGER, manager=owner, user__time_zone=ZONES[i % 2])
            for i in range(4)
        ]
        employees = [
            MembershipFactory(organisation=org, manager=managers[i % 4], user__time_zone=ZONES[i % 4])
            for i in range(45)
        ]
        Membership.objects.filter(pk=employees[-1].pk).update(is_active=False)
        for e in employees[:5]:
            e.user.email_notifications = False
            e.user.save(update_fields=["email_notifications"])
        Cycle.objects.create(
            organisation=org,
            name="Q1 2026",
            kind=CycleKind.QUARTER,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 3, 31),
            state=CycleState.PLANNING,
        )
    return org.pk, managers, employees[:-1]


def test_a_quarter_of_reminders_each_sent_exactly_once_by_the_worker(worker: Worker) -> None:  # noqa: F811
    org_id, managers, employees = build_org()
    active_with_manager = len(managers) + len(employees)  # 48
    submitters = employees[5:15]

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 4, 9, 21, tzinfo=UTC)
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            with rls.tenant_context(org_id):
                cycles_advance(organisation_id=org_id, today=moment.date())
            reminders.dispatch(moment)
            if moment == datetime(2026, 4, 2, 12, tzinfo=UTC):
                with rls.tenant_context(org_id):
                    for e in submitters:
                        checkin = Checkin.objects.get(employee=e, kind=CheckinKind.END_OF_QUARTER)
                        services.checkin_submit(actor=e, checkin=checkin, answers=EOQ_ANSWERS)
        moment += timedelta(hours=3)

    expected = {
        "progress": PERIODS * active_with_manager,
        "digest": PERIODS * (1 + len(managers)),
        "planning": active_with_manager,
        "review": active_with_manager,
        "review_followup": active_with_manager - len(submitters),
        "escalation": ESCALATED_PER_EMPLOYEE * active_with_manager,
        "escalation_up": ESCALATED_PER_EMPLOYEE * len(employees),  # managers' managers; the owner has none
    }
    with rls.tenant_context(org_id):
        rows = list(ReminderDelivery.objects.values_list("pk", "membership_id", "kind", "period_key"))
    assert Counter(kind for _, _, kind, _ in rows) == Counter(expected)
    assert len({(m, k, p) for _, m, k, p in rows}) == len(rows)  # the unique key, once more

    def all_sent() -> bool:
        with rls.tenant_context(org_id):
            return not ReminderDelivery.objects.exclude(status=DeliveryStatus.SENT).exists()

    worker.wait_for("every reminder delivered", all_sent, timeout=900)

    with rls.tenant_context(org_id):
        notes = list(Notification.objects.filter(key__startswith="reminder:").values_list("key", "kind"))
        email_off = set(Membership.objects.filter(user__email_notifications=False).values_list("pk", flat=True))
    assert len(notes) == len(rows)
    assert {key for key, _ in notes} == {f"reminder:{pk}" for pk, _, _, _ in rows}
    assert Counter(kind.removeprefix("checkins.") for _, kind in notes) == Counter(expected)

    def submitted_in(messages: list[Message]) -> list[Message]:
        return [m for m in messages if str(m["Subject"]).endswith("submitted their check-in")]

    worker.wait_for(
        "the submitted check-ins' e-mails to the managers",
        lambda: len(submitted_in(worker.messages())) >= len(submitters),
    )
    messages = worker.messages()
    submitted = submitted_in(messages)
    reminders_sent = [m for m in messages if m not in submitted]
    assert len(submitted) == len(submitters)  # a submit tells the manager once
    wanted_mail = sum(1 for _, membership, _, _ in rows if membership not in email_off)
    assert len(reminders_sent) == wanted_mail
    for message in reminders_sent:  # each with a direct link and a signed one-click unsubscribe
        assert message["List-Unsubscribe"]
        [text] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
        body = text.get_payload(decode=True).decode()
        assert re.search(r"/checkins/unsubscribe/[^/\s]+/", body), body
    # nobody deactivated got anything
    with rls.tenant_context(org_id):
        deactivated = list(Membership.objects.filter(is_active=False).values_list("pk", flat=True))
    assert not {m for _, m, _, _ in rows} & set(deactivated)
