"""Every read of check-ins, templates, cadence and the reminder ledger, scoped to the actor's
organisation. ``access_checkin`` answers 404 for another organisation's (or no) check-in and 403
for one of this organisation the actor may not read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from checkins import permissions
from checkins.models import (
    OPEN_STATES,
    CadenceSettings,
    Checkin,
    CheckinKind,
    CheckinState,
    CheckinTemplate,
    ReminderDelivery,
)
from okrs.models import CycleState, KeyResult
from okrs.permissions import Access
from okrs.selectors import key_results_for_rows
from organisations.models import Membership

#: Key results a check-in shows (the employee's own, in active cycles).
CHECKIN_KEY_RESULTS = 20


def _checkins(actor: Membership) -> QuerySet[Checkin]:
    return Checkin.objects.for_actor(actor).select_related(
        "employee__user", "manager__user", "template_version", "cycle"
    )


def access_checkin(actor: Membership, checkin_id: int) -> Checkin:
    """One check-in whose content the actor may read (404 if not in the organisation, 403 if private)."""
    checkin = _checkins(actor).filter(pk=checkin_id).first()
    if checkin is None:
        raise Http404("No such check-in")
    permissions.require_content(actor, checkin)
    return checkin


def checkins_visible(actor: Membership) -> QuerySet[Checkin]:
    """Check-ins whose content the actor may read."""
    return _checkins(actor).filter(permissions.content_q(actor))


def checkin_key_results(actor: Membership, checkin: Checkin, *, access: Access | None = None) -> QuerySet[KeyResult]:
    """The key results a check-in shows and updates: the employee's own, in active cycles, that
    the actor may see, with what their rows draw (``okrs.selectors.key_results_for_rows``)."""
    return (
        key_results_for_rows(actor=actor, access=access)
        .filter(owner_id=checkin.employee_id, objective__cycle__state=CycleState.ACTIVE)
        .order_by("objective__cycle__start_date", "objective__title", "objective_id", "position", "id")
    )


def access_checkin_key_result(
    actor: Membership, checkin: Checkin, key_result_id: int, *, access: Access | None = None
) -> KeyResult:
    """One of the check-in's key results; any other (another person's, a closed cycle's, another
    organisation's) answers 404."""
    key_result = checkin_key_results(actor, checkin, access=access).filter(pk=key_result_id).first()
    if key_result is None:
        raise Http404("No such key result in this check-in")
    return key_result


def is_overdue(checkin: Checkin, today: date) -> bool:
    return checkin.state in OPEN_STATES and checkin.due_date < today


@dataclass
class MyCheckins:
    due: list[Checkin]
    overdue: list[Checkin]
    history: list[Checkin]
    to_complete: list[Checkin]


def my_checkins(actor: Membership, today: date) -> MyCheckins:
    """The actor's own check-ins (open ones split into due and overdue, then the history) and the
    submitted ones of their reports waiting for them to complete."""
    mine = list(_checkins(actor).filter(employee=actor).order_by("due_date", "id"))
    open_ = [c for c in mine if c.is_open]
    history = sorted((c for c in mine if not c.is_open), key=lambda c: (c.due_date, c.pk), reverse=True)
    waiting = list(
        _checkins(actor)
        .filter(Q(manager=actor) | Q(employee__manager=actor), state=CheckinState.SUBMITTED)
        .order_by("due_date", "id")
    )
    return MyCheckins(
        due=[c for c in open_ if not is_overdue(c, today)],
        overdue=[c for c in open_ if is_overdue(c, today)],
        history=history[:50],
        to_complete=waiting,
    )


def pair_history(actor: Membership, employee: Membership) -> list[Checkin]:
    """Every check-in of ``employee`` the actor may read, newest first."""
    return list(checkins_visible(actor).filter(employee=employee).order_by("-due_date", "-id")[:200])


@dataclass
class BoardRow:
    member: Membership
    due: int
    submitted: int
    completed: int
    overdue: int
    latest: Checkin | None


def manager_board(actor: Membership, today: date) -> list[BoardRow]:
    """Each direct report with their check-ins counted by state (two queries, whatever the team size)."""
    reports = list(
        Membership.objects.for_actor(actor)
        .filter(manager=actor, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "id")
    )
    counts = {
        row["employee_id"]: row
        for row in Checkin.objects.for_actor(actor)
        .filter(employee__in=[m.pk for m in reports])
        .values("employee_id")
        .annotate(
            due=Count("id", filter=Q(state__in=OPEN_STATES, due_date__gte=today)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_date__lt=today)),
            submitted=Count("id", filter=Q(state=CheckinState.SUBMITTED)),
            completed=Count("id", filter=Q(state=CheckinState.COMPLETED)),
        )
    }
    latest: dict[int, Checkin] = {}
    for checkin in (
        Checkin.objects.for_actor(actor)
        .filter(employee__in=[m.pk for m in reports])
        .order_by("employee_id", "-due_date", "-id")
        .distinct("employee_id")
    ):
        latest[checkin.employee_id] = checkin
    empty = {"due": 0, "overdue": 0, "submitted": 0, "completed": 0}
    return [
        BoardRow(
            member=m,
            due=counts.get(m.pk, empty)["due"],
            submitted=counts.get(m.pk, empty)["submitted"],
            completed=counts.get(m.pk, empty)["completed"],
            overdue=counts.get(m.pk, empty)["overdue"],
            latest=latest.get(m.pk),
        )
        for m in reports
    ]


@dataclass
class CompletionRow:
    kind: str
    period_key: str
    due_date: date
    total: int
    due: int
    overdue: int
    submitted: int
    completed: int


def completion_overview(actor: Membership, today: date) -> list[CompletionRow]:
    """HR's view: per kind and period, how many check-ins are in each state. Counts only — no
    answers or notes are read (permissions.require_hr is the caller's)."""
    permissions.require_hr(actor)
    rows = (
        Checkin.objects.for_actor(actor)
        .values("kind", "period_key")
        .annotate(
            total=Count("id"),
            due=Count("id", filter=Q(state__in=OPEN_STATES, due_date__gte=today)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_date__lt=today)),
            submitted=Count("id", filter=Q(state=CheckinState.SUBMITTED)),
            completed=Count("id", filter=Q(state=CheckinState.COMPLETED)),
            last_due=Max("due_date"),
        )
        .order_by("-last_due", "kind")[:100]
    )
    return [
        CompletionRow(
            kind=r["kind"],
            period_key=r["period_key"],
            due_date=r["last_due"],
            total=r["total"],
            due=r["due"],
            overdue=r["overdue"],
            submitted=r["submitted"],
            completed=r["completed"],
        )
        for r in rows
    ]


def cadence_for(organisation_id: int) -> CadenceSettings:
    """The organisation's cadence, or the defaults (unsaved) if HR never changed them."""
    found = CadenceSettings.objects.in_organisation(organisation_id).first()
    return found or CadenceSettings(organisation_id=organisation_id)


def templates(actor: Membership) -> QuerySet[CheckinTemplate]:
    return CheckinTemplate.objects.for_actor(actor).select_related("current_version").order_by("kind")


def cadence_settings(actor: Membership) -> QuerySet[CadenceSettings]:
    return CadenceSettings.objects.for_actor(actor)


def template_list(actor: Membership) -> list[CheckinTemplate]:
    return list(CheckinTemplate.objects.for_actor(actor).select_related("current_version").order_by("kind"))


def access_template(actor: Membership, template_id: int) -> CheckinTemplate:
    template = CheckinTemplate.objects.for_actor(actor).select_related("current_version").filter(pk=template_id).first()
    if template is None:
        raise Http404("No such template")
    return template


def delivery_list(
    actor: Membership, *, kind: str = "", status: str = "", membership_id: int | None = None
) -> QuerySet[ReminderDelivery]:
    permissions.require_hr(actor)
    qs = ReminderDelivery.objects.for_actor(actor).select_related("membership__user")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if membership_id:
        qs = qs.filter(membership_id=membership_id)
    return qs.order_by("-created_at", "-id")


KIND_LABELS = dict(CheckinKind.choices)
