"""Reads behind the team view at any size: a manager's direct reports one page at a time, each
with a summary of their whole reporting line computed in SQL (a recursive CTE over
``organisations_membership.manager_id``), and the totals of the manager's whole line.

Only what the actor may see counts, as in ``okrs.selectors.coverage``: an objective the actor
cannot see is neither counted nor makes another one "aligned". Only active members and the
objectives they own count, as the team view always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

from okrs import status as okr_status
from okrs.models import ApprovalState, Cycle, Objective, Status
from okrs.permissions import Access
from okrs.selectors.coverage import Coverage
from okrs.selectors.objectives import visible_objectives
from organisations.models import Membership
from organisations.selectors import page_by_name, reporting_line

#: A line of at most this many active people is shown whole (every objective, no click): what
#: the team view showed before it was paged, and still inside the page budgets.
SMALL_LINE = 150
#: Direct reports per page ("Show more" appends the next).
REPORTS_PAGE = 25


@dataclass(frozen=True)
class LineSummary:
    """One person and everyone below them: active people, their visible objectives of the cycle,
    and those of the person themselves (``own_*``)."""

    people: int = 0
    objectives: int = 0
    average_progress: Decimal | None = None
    at_risk: int = 0
    off_track: int = 0
    stale: int = 0
    unaligned: int = 0
    own_objectives: int = 0
    own_aligned: int = 0
    own_stale: int = 0
    #: People who own at least one of the objectives.
    owners: int = 0
    pending: int = 0
    changes_requested: int = 0
    approved: int = 0

    @property
    def reports(self) -> int:
        return max(self.people - 1, 0)

    @property
    def own_coverage(self) -> Coverage:
        return Coverage(self.own_aligned, self.own_objectives)

    @property
    def coverage(self) -> Coverage:
        return Coverage(self.objectives - self.unaligned, self.objectives)

    @property
    def aligned(self) -> int:
        return self.objectives - self.unaligned

    @property
    def without_objectives(self) -> int:
        return self.people - self.owners

    @property
    def behind(self) -> int:
        return self.at_risk + self.off_track

    @property
    def progress_percent(self) -> int | None:
        return None if self.average_progress is None else round(100 * self.average_progress)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _flagged_objectives(*, actor: Membership, cycle: Cycle, today: date, now: datetime) -> tuple[str, tuple[Any, ...]]:
    """SQL (with its parameters) of the objectives of ``cycle``, each flagged stale / at risk /
    off track by the rules the rows use (``okrs.status``). Visibility is the caller's: it joins
    these to the visible ids and to a line."""
    organisation = actor.organisation
    period = okr_status.stale_after(organisation)
    objectives = (
        Objective.objects.for_actor(actor)
        .filter(cycle_id=cycle.pk)
        .annotate(stale_since=okr_status.stale_since())
        .annotate(
            is_stale=_flag(okr_status.stale_q(cycle, now=now, today=today, period=period)),
            is_at_risk=_flag(
                okr_status.status_q(cycles=[cycle], organisation=organisation, status=Status.AT_RISK, today=today)
            ),
            is_off_track=_flag(
                okr_status.status_q(cycles=[cycle], organisation=organisation, status=Status.OFF_TRACK, today=today)
            ),
        )
        .order_by()
    )
    columns = ("id", "owner_id", "progress", "measured", "approval_state", "is_stale", "is_at_risk", "is_off_track")
    return objectives.values(*columns).query.sql_with_params()


def _summaries(
    *,
    actor: Membership,
    access: Access,
    start_sql: str,
    start_params: list[Any],
    cycle: Cycle,
    today: date,
    now: datetime,
    page: list[int] | None = None,
) -> dict[int | None, LineSummary]:
    """One query: ``start_sql`` selects ``(head_id, id)`` of the people each line starts from;
    the recursive CTE adds everyone below them, and the objectives are counted per head. With
    ``page``: per head of ``page`` only, and the total of every line (key None)."""
    flagged_sql, flagged_params = _flagged_objectives(actor=actor, cycle=cycle, today=today, now=now)
    # The actor's visible objectives (every cycle: a parent may be in another), read once and
    # shared by "is it counted" and "does it support something the actor can see".
    visible_sql, visible_params = (
        visible_objectives(actor=actor, access=access).values("id").order_by().query.sql_with_params()
    )
    org_id = actor.organisation_id
    if page is None:
        key_sql, total_sql, group_sql, key_params = "line.head_id", "false", "line.head_id", []
    else:
        # GROUPING SETS: one row per head of the page, and one for everything (GROUPING = 1).
        key_sql = "CASE WHEN line.head_id = ANY(%s) THEN line.head_id END"
        total_sql, group_sql, key_params = f"GROUPING({key_sql}) = 1", f"GROUPING SETS (({key_sql}), ())", [page]
    sql = f"""
        WITH RECURSIVE line(head_id, id) AS (
            {start_sql}
            UNION
            SELECT line.head_id, m.id FROM organisations_membership m JOIN line ON m.manager_id = line.id
             WHERE m.organisation_id = %s
        ),
        visible AS MATERIALIZED ({visible_sql}),
        -- Objectives that support something the actor can see (one pass over the alignments).
        aligned AS MATERIALIZED (
            SELECT a.child_id AS id FROM okrs_alignment a
              LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id AND kr.organisation_id = %s
              JOIN visible v ON v.id = coalesce(a.parent_objective_id, kr.objective_id)
             WHERE a.organisation_id = %s
        ),
        counted AS (
            SELECT f.*, f.id IN (SELECT id FROM aligned) AS is_aligned
              FROM ({flagged_sql}) f
             WHERE f.id IN (SELECT id FROM visible) AND f.owner_id IN (SELECT id FROM line)
        )
        SELECT {key_sql},
               count(DISTINCT line.id),
               count(o.owner_id),
               avg(o.progress) FILTER (WHERE o.measured),
               count(*) FILTER (WHERE o.is_at_risk),
               count(*) FILTER (WHERE o.is_off_track),
               count(*) FILTER (WHERE o.is_stale),
               count(*) FILTER (WHERE o.owner_id IS NOT NULL AND NOT o.is_aligned),
               count(*) FILTER (WHERE o.owner_id = line.head_id),
               count(*) FILTER (WHERE o.owner_id = line.head_id AND o.is_aligned),
               count(*) FILTER (WHERE o.owner_id = line.head_id AND o.is_stale),
               count(DISTINCT o.owner_id),
               count(*) FILTER (WHERE o.approval_state = %s),
               count(*) FILTER (WHERE o.approval_state = %s),
               count(*) FILTER (WHERE o.approval_state = %s),
               {total_sql}
          FROM line
          JOIN organisations_membership person
            ON person.id = line.id AND person.organisation_id = %s AND person.is_active
          LEFT JOIN counted o ON o.owner_id = line.id
         GROUP BY {group_sql}
    """  # noqa: S608  # the ORM's compiled SQL; every value is a parameter
    params = [
        *start_params,
        org_id,
        *visible_params,
        org_id,
        org_id,
        *flagged_params,
        *key_params,
        ApprovalState.PENDING,
        ApprovalState.CHANGES_REQUESTED,
        ApprovalState.APPROVED,
        *key_params,
        org_id,
        *key_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[int | None, LineSummary] = {}
    for row in rows:
        if row[0] is None and not row[-1]:
            continue  # the heads not on the page, grouped together
        found[None if row[-1] else row[0]] = LineSummary(*row[1:-1])
    return found


def line_summaries(
    *,
    actor: Membership,
    access: Access,
    heads: list[int],
    cycle: Cycle,
    today: date,
    now: datetime,
) -> dict[int, LineSummary]:
    """For each of ``heads``: the summary of their line, the head included. One query, whatever
    the size of the lines."""
    if not heads:
        return {}
    found = _summaries(
        actor=actor,
        access=access,
        start_sql="SELECT m.id, m.id FROM organisations_membership m WHERE m.organisation_id = %s AND m.id = ANY(%s)",
        start_params=[actor.organisation_id, list(heads)],
        cycle=cycle,
        today=today,
        now=now,
    )
    return {pk: found.get(pk, LineSummary()) for pk in heads}


def reports_overview(
    *,
    actor: Membership,
    access: Access,
    manager: Membership,
    page: list[int],
    cycle: Cycle,
    today: date,
    now: datetime,
) -> tuple[LineSummary, dict[int, LineSummary]]:
    """The whole line below ``manager`` (the manager left out), and the line of each of their
    direct reports in ``page``: one query."""
    found = _summaries(
        actor=actor,
        access=access,
        start_sql="SELECT m.id, m.id FROM organisations_membership m WHERE m.organisation_id = %s AND m.manager_id = %s",
        start_params=[actor.organisation_id, manager.pk],
        cycle=cycle,
        today=today,
        now=now,
        page=list(page),
    )
    return found.get(None, LineSummary()), {pk: found.get(pk, LineSummary()) for pk in page}


def line_size(*, actor: Membership, manager: Membership, up_to: int) -> int:
    """Active people below ``manager``, counted up to ``up_to`` + 1 (enough to tell "small")."""
    return (
        Membership.objects.for_actor(actor)
        .filter(pk__in=reporting_line(manager).values("pk"), is_active=True)
        .values("pk")[: up_to + 1]
        .count()
    )


def direct_reports_page(
    *, actor: Membership, manager: Membership, after: Membership | None, limit: int
) -> tuple[list[Membership], bool]:
    """The manager's active direct reports by name (then id), the ``limit`` after ``after``
    (keyset), and whether more follow."""
    reports = Membership.objects.for_actor(actor).filter(manager_id=manager.pk, is_active=True)
    return page_by_name(reports, after=after, limit=limit)


def access_line_member(actor: Membership, manager: Membership, member_id: int) -> Membership:
    """A member of ``manager``'s reporting line (or the manager), else 404: the team view never
    opens someone outside the line it shows."""
    from django.http import Http404

    if member_id == manager.pk:
        return manager
    member = (
        Membership.objects.for_actor(actor)
        .filter(pk=member_id, pk__in=reporting_line(manager).values("pk"))
        .select_related("user", "team", "manager__user")
        .first()
    )
    if member is None:
        raise Http404("No such report")
    return member
