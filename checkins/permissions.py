"""Who may see and change a check-in: decided here once; services enforce (``require_*``), pages
and the API ask (``can_*``).

A check-in's content (answers, manager notes) is private to the pair — the employee and the
manager it was created with, or the employee's current manager — and the manager chain above the
employee (the reporting-line selector). HR admins see that a check-in exists and its state
(completion), never its content, unless they are in the chain themselves. Only the employee
writes answers, only while the check-in is open; only the manager completes it, once submitted.
"""

from __future__ import annotations

from django.db.models import Q

from checkins.models import Checkin, CheckinState
from organisations.errors import NotAllowed
from organisations.models import Membership, Role
from organisations.selectors import reporting_line, reporting_line_ids


def content_q(actor: Membership) -> Q:
    """Check-ins whose content ``actor`` may read, as a filter (one SQL subquery for the chain)."""
    return Q(employee=actor) | Q(manager=actor) | Q(employee__in=reporting_line(actor).values("pk"))


def can_view_content(actor: Membership, checkin: Checkin) -> bool:
    if actor.pk in (checkin.employee_id, checkin.manager_id):
        return True
    return checkin.employee_id in reporting_line_ids(actor)


def can_view_status(actor: Membership, checkin: Checkin) -> bool:
    return actor.has_role(Role.ADMIN) or can_view_content(actor, checkin)


def is_pair_manager(actor: Membership, checkin: Checkin) -> bool:
    """The manager side of the pair: the manager at creation, or the employee's manager now."""
    return actor.pk == checkin.manager_id or actor.pk == checkin.employee.manager_id


def can_answer(actor: Membership, checkin: Checkin) -> bool:
    return actor.pk == checkin.employee_id and checkin.is_open


def can_complete(actor: Membership, checkin: Checkin) -> bool:
    return checkin.state == CheckinState.SUBMITTED and is_pair_manager(actor, checkin)


def require_content(actor: Membership, checkin: Checkin) -> None:
    if not can_view_content(actor, checkin):
        raise NotAllowed("A check-in is private to the employee, their manager and the managers above.")


def require_answer(actor: Membership, checkin: Checkin) -> None:
    if actor.pk != checkin.employee_id:
        raise NotAllowed("Only the employee writes the answers of their check-in.")


def require_key_result_updates(actor: Membership, checkin: Checkin) -> None:
    """Key results are updated from inside a check-in by its employee while they write it (the
    page shows them exactly then); the update itself is okrs' rule (``progress_update_create``)."""
    if not can_answer(actor, checkin):
        raise NotAllowed("Key results are updated from a check-in by its employee, while it is open.")


def require_complete(actor: Membership, checkin: Checkin) -> None:
    if not is_pair_manager(actor, checkin):
        raise NotAllowed("Only the employee's manager completes a check-in.")


def require_hr(actor: Membership) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed("This needs the HR admin role.")


def require_pair_view(actor: Membership, employee: Membership) -> None:
    """A pair's history is for the employee and the managers above them."""
    if actor.pk != employee.pk and employee.pk not in reporting_line_ids(actor):
        raise NotAllowed("A pair's check-ins are for the employee and the managers above them.")
