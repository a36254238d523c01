"""Demo check-ins for Acme (run by ``manage.py seed_demo`` after the people and the OKRs).

For every active Acme member with a manager: the progress conversations of the three periods
before the current one — the oldest two completed (answers and the manager's notes), the last
one submitted by most people (waiting for their manager) and left open by a few, who are
therefore *overdue* — and the current period's check-in, *due*. employee@acme.test is one of the
overdue ones, so signing in as them shows both states at once. Reminders are not seeded: the
dispatcher writes them in ``make run`` as they fall due (docs/checkins.md).

Idempotent: an organisation that has check-ins already is left alone. Everything goes through
checkins.services (the pair's answers and notes as the employee and the manager).
"""

from __future__ import annotations

from datetime import timedelta

from checkins import rules, selectors, services
from checkins.models import Checkin, CheckinKind
from organisations import rls
from organisations.models import Membership, Organisation

OVERDUE_EMAILS = {"employee@acme.test"}
ANSWERS = {
    "progress": "Moved the main key result forward; the rest is on plan.",
    "achievements": "Shipped the first milestone with the team.",
    "obstacles": "Waiting on a decision from another team.",
    "alignment": "Most of my week goes to our quarter's focus objective.",
    "help": "Help me get that decision this week.",
}


def seed_checkins(slug: str = "acme") -> bool:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return False
    with rls.tenant_context(organisation.pk):
        if Checkin.objects.in_organisation(organisation.pk).exists():
            return False
        cadence = selectors.cadence_for(organisation.pk)
        today = organisation.today()
        current = rules.period_for(today, cadence.frequency)
        periods = [current]
        for _ in range(3):
            periods.insert(0, rules.period_for(periods[0].start - timedelta(days=1), cadence.frequency))
        members = list(
            Membership.objects.in_organisation(organisation.pk)
            .filter(is_active=True, manager__isnull=False, manager__is_active=True)
            .select_related("user", "manager")
            .order_by("pk")
        )
        for index, period in enumerate(periods):
            due = rules.due_date(period, cadence.frequency, cadence.weekday)
            opened = services.checkins_open(
                organisation_id=organisation.pk,
                due=[services.Due(m, CheckinKind.BIWEEKLY, period.key, due) for m in members],
            )
            if index == len(periods) - 1:
                continue  # the current period: due
            for number, member in enumerate(members):
                checkin = opened[(member.pk, CheckinKind.BIWEEKLY.value, period.key)]
                last = index == len(periods) - 2
                if last and (member.user.email in OVERDUE_EMAILS or number % 5 == 4):
                    continue  # left open: overdue
                services.checkin_submit(actor=member, checkin=checkin, answers=ANSWERS)
                if not last and member.manager is not None:
                    services.checkin_complete(
                        actor=member.manager, checkin=checkin, manager_notes="Good conversation; follow up next time."
                    )
    return True


def seed() -> list[str]:
    """``demo_seed`` of check-ins: what was seeded."""
    return [f"Check-ins for acme: {'seeded' if seed_checkins() else 'already there'}"]
