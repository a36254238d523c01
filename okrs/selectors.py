"""Reads for OKRs, always scoped to the actor's organisation and to what the actor may see.

``access_<entity>(actor, id)`` returns one object or raises Http404, the same for an object of
another organisation, one that does not exist and one the actor may not see.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from okrs import rules
from okrs.models import Alignment, Cycle, CycleState, KeyResult, Milestone, Objective, ProgressUpdate, Status
from okrs.permissions import Access
from organisations.models import Membership, Organisation


def cycle_list(*, actor: Membership) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organisation_id=actor.organisation_id).order_by("-start_date", "kind")


def access_cycle(actor: Membership, cycle_id: int) -> Cycle:
    cycle = Cycle.objects.filter(organisation_id=actor.organisation_id, pk=cycle_id).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def default_cycle(*, actor: Membership, today: date | None = None) -> Cycle | None:
    """The active quarter, else the active cycle, else the nearest upcoming, else the latest."""
    today = today or timezone.localdate()
    cycles = list(cycle_list(actor=actor))
    for predicate in (
        lambda c: c.state == CycleState.ACTIVE and c.kind == "quarter",
        lambda c: c.state == CycleState.ACTIVE,
        lambda c: c.start_date > today,
    ):
        matches = [c for c in cycles if predicate(c)]
        if matches:
            return min(matches, key=lambda c: (c.end_date - c.start_date, c.start_date))
    return cycles[0] if cycles else None


def visible_objectives(*, actor: Membership, access: Access | None = None) -> QuerySet[Objective]:
    access = access or Access(actor)
    return Objective.objects.filter(organisation_id=actor.organisation_id).filter(access.visible_q())


def objectives_with_key_results(queryset: QuerySet[Objective]) -> QuerySet[Objective]:
    """Objectives with their owner, team, cycle and key results (with owners and milestones) in
    a constant number of queries."""
    return queryset.select_related("owner__user", "team", "cycle").prefetch_related(
        Prefetch(
            "key_results",
            queryset=KeyResult.objects.select_related("owner__user").prefetch_related(
                Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
            ),
        )
    )


def access_objective(actor: Membership, objective_id: int, *, access: Access | None = None) -> Objective:
    objective = (
        objectives_with_key_results(visible_objectives(actor=actor, access=access)).filter(pk=objective_id).first()
    )
    if objective is None:
        raise Http404("No such objective")
    return objective


def access_key_result(actor: Membership, key_result_id: int, *, access: Access | None = None) -> KeyResult:
    kr = (
        KeyResult.objects.filter(
            organisation_id=actor.organisation_id,
            pk=key_result_id,
            objective__in=visible_objectives(actor=actor, access=access),
        )
        .select_related("objective__cycle", "owner__user")
        .first()
    )
    if kr is None:
        raise Http404("No such key result")
    return kr


def access_alignment(actor: Membership, alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.filter(
            organisation_id=actor.organisation_id,
            pk=alignment_id,
            child__in=visible_objectives(actor=actor),
        )
        .select_related("child", "parent_objective", "parent_key_result")
        .first()
    )
    if alignment is None:
        raise Http404("No such alignment")
    return alignment


# ---------------------------------------------------------------- status, lists and lookups for the API and CSV


def organisation_today(organisation: Organisation) -> date:
    """Today in the organisation's time zone: a cycle's elapsed fraction follows its calendar."""
    try:
        zone = ZoneInfo(organisation.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


def objective_status(objective: Objective, *, organisation: Organisation, today: date) -> Status | None:
    """Pace of the objective's worst key result (its own progress when it has none) combined
    with the worst latest confidence (DESIGN.md, Progress rules). Needs ``objective.cycle``."""
    cycle = objective.cycle
    progress = objective.worst_key_result_progress
    pace = rules.pace_status(
        objective.progress if progress is None else progress,
        rules.expected_progress(cycle.start_date, cycle.end_date, today),
        on_track_margin=organisation.pace_on_track_margin,
        at_risk_margin=organisation.pace_at_risk_margin,
    )
    return rules.worst(pace, objective.worst_confidence)


def key_result_status(kr: KeyResult, cycle: Cycle, *, organisation: Organisation, today: date) -> Status | None:
    pace = rules.pace_status(
        kr.progress,
        rules.expected_progress(cycle.start_date, cycle.end_date, today),
        on_track_margin=organisation.pace_on_track_margin,
        at_risk_margin=organisation.pace_at_risk_margin,
    )
    return rules.worst(pace, kr.confidence)


def status_q(*, actor: Membership, organisation: Organisation, status: str, today: date) -> Q:
    """The objectives whose ``objective_status`` is ``status``, as one SQL condition: the pace
    thresholds are per cycle (each has its own elapsed fraction), so one branch per cycle (one
    small query for the cycles, whatever the number of objectives)."""
    if status not in Status.values:
        return Q(pk__in=[])
    pace = Coalesce("worst_key_result_progress", "progress")
    confidence_on = Q(worst_confidence__in=["", Status.ON_TRACK])
    condition = Q(pk__in=[])
    for cycle in cycle_list(actor=actor):
        expected = rules.expected_progress(cycle.start_date, cycle.end_date, today)
        on_floor = expected - organisation.pace_on_track_margin
        risk_floor = expected - organisation.pace_at_risk_margin
        pace_on = Q(pace_value__gte=on_floor)
        pace_risk = Q(pace_value__gte=risk_floor, pace_value__lt=on_floor)
        pace_off = Q(pace_value__lt=risk_floor)
        if status == Status.ON_TRACK:
            branch = pace_on & confidence_on
        elif status == Status.AT_RISK:
            branch = (pace_risk & ~Q(worst_confidence=Status.OFF_TRACK)) | (
                pace_on & Q(worst_confidence=Status.AT_RISK)
            )
        else:
            branch = pace_off | Q(worst_confidence=Status.OFF_TRACK)
        condition |= Q(cycle_id=cycle.pk) & branch
    scoped = Objective.objects.filter(organisation_id=actor.organisation_id)
    return Q(pk__in=scoped.annotate(pace_value=pace).filter(condition).values("pk"))


def objective_search(
    queryset: QuerySet[Objective],
    *,
    actor: Membership,
    organisation: Organisation,
    today: date,
    cycle_id: int | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    level: str = "",
    status: str = "",
    search: str = "",
) -> QuerySet[Objective]:
    """Filters of the objective list (issue: cycle, owner, team, level, status) and a title search."""
    if cycle_id is not None:
        queryset = queryset.filter(cycle_id=cycle_id)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    if level:
        queryset = queryset.filter(level=level)
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if status:
        queryset = queryset.filter(status_q(actor=actor, organisation=organisation, status=status, today=today))
    return queryset


def key_result_list(*, actor: Membership, access: Access | None = None) -> QuerySet[KeyResult]:
    """Key results of the objectives the actor may see."""
    return (
        KeyResult.objects.filter(
            organisation_id=actor.organisation_id, objective__in=visible_objectives(actor=actor, access=access)
        )
        .select_related("objective__cycle", "owner__user")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")))
    )


def alignment_list(*, actor: Membership, access: Access | None = None) -> QuerySet[Alignment]:
    """Alignments whose child and parent the actor may both see (a link to an invisible parent
    would reveal that it exists)."""
    access = access or Access(actor)
    visible = visible_objectives(actor=actor, access=access)
    return (
        Alignment.objects.filter(organisation_id=actor.organisation_id, child__in=visible)
        .filter(Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible))
        .select_related("parent_objective", "parent_key_result__objective")
        .order_by("id")
    )


def progress_update_list(*, actor: Membership, access: Access | None = None) -> QuerySet[ProgressUpdate]:
    """Progress updates of the key results the actor may see, newest first."""
    return (
        ProgressUpdate.objects.filter(
            organisation_id=actor.organisation_id,
            key_result__objective__in=visible_objectives(actor=actor, access=access),
        )
        .select_related("author__user")
        .order_by("-created_at", "-id")
    )


def members_by_email(*, actor: Membership) -> dict[str, Membership]:
    """Every membership of the organisation (active or not) by lower-case e-mail."""
    return {
        m.user.email.lower(): m
        for m in Membership.objects.filter(organisation_id=actor.organisation_id).select_related("user")
    }


def cycles_containing(*, actor: Membership, cycle: Cycle) -> QuerySet[Cycle]:
    """The cycle and every cycle around it: where its objectives may find parents."""
    return cycle_list(actor=actor).filter(start_date__lte=cycle.start_date, end_date__gte=cycle.end_date)


# ---------------------------------------------------------------- managers' and HR's pages (views_manage)


def _level_order() -> Case:
    from okrs.models import Level

    return Case(*(When(level=value, then=Value(rank)) for rank, value in enumerate(Level.values)), default=Value(9))


def tree_objectives(
    *,
    actor: Membership,
    cycle: Cycle,
    access: Access | None = None,
    team_id: int | None = None,
    owner_id: int | None = None,
) -> list[Objective]:
    """The visible objectives of a cycle (with owner and team), company level first: one query.

    The alignment tree reads the whole cycle at once and links nodes in memory, so expanding
    any node, with any filter, costs the same number of queries."""
    queryset = visible_objectives(actor=actor, access=access).filter(cycle_id=cycle.pk)
    if team_id:
        queryset = queryset.filter(team_id=team_id)
    if owner_id:
        queryset = queryset.filter(owner_id=owner_id)
    return list(
        queryset.select_related("owner__user", "team")
        .annotate(level_rank=_level_order())
        .order_by("level_rank", "title", "id")
    )


def tree_edges(*, actor: Membership, cycle: Cycle) -> list[tuple[int, int, str]]:
    """(child, parent objective, title of the parent key result or "") for every alignment whose
    child is in the cycle. Callers keep only the edges between objectives the actor may see."""
    rows = Alignment.objects.filter(organisation_id=actor.organisation_id, child__cycle_id=cycle.pk).values_list(
        "child_id", "parent_objective_id", "parent_key_result__objective_id", "parent_key_result__title"
    )
    return [(child, parent or kr_parent, kr_title or "") for child, parent, kr_parent, kr_title in rows]


def members_by_ids(*, actor: Membership, ids: set[int]) -> list[Membership]:
    """Active members among ``ids``, by name, with user, team and manager."""
    return list(
        Membership.objects.filter(organisation_id=actor.organisation_id, pk__in=ids, is_active=True)
        .select_related("user", "team", "manager__user")
        .order_by("user__full_name", "id")
    )


def managers(*, actor: Membership) -> list[Membership]:
    """Active members with at least one active direct report (the team view's manager picker)."""
    has_reports = Exists(
        Membership.objects.filter(organisation_id=actor.organisation_id, manager_id=OuterRef("pk"), is_active=True)
    )
    return list(
        Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True)
        .filter(has_reports)
        .select_related("user")
        .order_by("user__full_name", "id")
    )


def objectives_owned_by(
    *, actor: Membership, cycle: Cycle, owner_ids: set[int], access: Access | None = None
) -> list[Objective]:
    """The visible objectives of a cycle owned by these members: one query."""
    return list(
        visible_objectives(actor=actor, access=access)
        .filter(cycle_id=cycle.pk, owner_id__in=owner_ids)
        .select_related("team")
        .annotate(level_rank=_level_order())
        .order_by("level_rank", "title", "id")
    )


def cycle_overview(*, actor: Membership) -> list[Cycle]:
    """Every cycle, newest first, with its number of objectives and its parent: one query."""
    return list(cycle_list(actor=actor).select_related("parent").annotate(objective_count=Count("objectives")))


def members_without_objectives(*, actor: Membership, cycle: Cycle) -> list[Membership]:
    """Active members who neither own nor contribute to an objective of the cycle."""
    from okrs.models import Contributor

    owns = Exists(
        Objective.objects.filter(organisation_id=actor.organisation_id, cycle_id=cycle.pk, owner_id=OuterRef("pk"))
    )
    contributes = Exists(
        Contributor.objects.filter(
            organisation_id=actor.organisation_id, objective__cycle_id=cycle.pk, membership_id=OuterRef("pk")
        )
    )
    return list(
        Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True)
        .exclude(owns)
        .exclude(contributes)
        .select_related("user", "team", "manager__user")
        .order_by("user__full_name", "id")
    )


def active_member_count(*, actor: Membership) -> int:
    return Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True).count()


def key_result_freshness_by_team(*, actor: Membership, cycle: Cycle, since: datetime) -> list[dict[str, Any]]:
    """Per team (the objective's team, else its owner's): key results, how many were updated
    since ``since``, and objectives. One grouped query; ``team_id`` None = no team."""
    rows = (
        KeyResult.objects.filter(organisation_id=actor.organisation_id, objective__cycle_id=cycle.pk)
        .annotate(team_key=Coalesce("objective__team_id", "objective__owner__team_id"))
        .values("team_key")
        .annotate(
            key_results=Count("id"),
            updated=Count("id", filter=Q(last_update_at__gte=since)),
            objectives=Count("objective_id", distinct=True),
        )
        .order_by()
    )
    return [
        {
            "team_id": r["team_key"],
            "key_results": r["key_results"],
            "updated": r["updated"],
            "objectives": r["objectives"],
        }
        for r in rows
    ]


# ---------------------------------------------------------------- employees' pages (okrs/views.py)

from django.db import connection as _connection  # noqa: E402
from django.db.models import Case as _Case  # noqa: E402
from django.db.models import IntegerField as _IntegerField  # noqa: E402
from django.db.models import Value as _Value  # noqa: E402
from django.db.models import When as _When  # noqa: E402

from okrs.models import Activity as _Activity  # noqa: E402
from okrs.models import Contributor as _Contributor  # noqa: E402

#: Points in a key result's sparkline on My OKRs (its most recent updates).
SPARKLINE_POINTS = 20
#: Updates drawn in an objective page's history chart, per key result.
HISTORY_POINTS = 200


def _level_rank() -> _Case:
    """Company objectives first, then department, team and individual ones."""
    levels = ("company", "department", "team", "individual")
    return _Case(
        *(_When(level=level, then=_Value(rank)) for rank, level in enumerate(levels)),
        default=_Value(len(levels)),
        output_field=_IntegerField(),
    )


def _page_prefetches(
    objectives: QuerySet[Objective], *, actor: Membership, access: Access, history: int
) -> QuerySet[Objective]:
    """Key results with owners, milestones and their latest ``history`` updates, contributors,
    and the parents the actor may see (with their cycle, for their pace), in one query each."""
    visible = visible_objectives(actor=actor, access=access)
    return objectives_with_key_results(objectives).prefetch_related(
        Prefetch(
            "key_results__updates",
            queryset=ProgressUpdate.objects.order_by("-created_at", "-id")[:history],
            to_attr="recent_updates",
        ),
        Prefetch("contributor_links", queryset=_Contributor.objects.select_related("membership__user")),
        Prefetch(
            "parent_links",
            queryset=Alignment.objects.filter(
                Q(parent_objective__in=visible) | Q(parent_key_result__objective__in=visible)
            )
            .select_related(
                "parent_objective__cycle",
                "parent_objective__owner__user",
                "parent_key_result__objective__cycle",
                "parent_key_result__objective__owner__user",
            )
            .order_by("id"),
            to_attr="visible_parent_links",
        ),
    )


def my_objectives(*, actor: Membership, cycle: Cycle, access: Access) -> QuerySet[Objective]:
    """The actor's objectives in ``cycle`` (owned or contributed to), company level first, with
    everything My OKRs draws, in a constant number of queries."""
    contributed = _Contributor.objects.filter(organisation_id=actor.organisation_id, membership=actor).values(
        "objective_id"
    )
    objectives = (
        visible_objectives(actor=actor, access=access)
        .filter(cycle=cycle)
        .filter(Q(owner=actor) | Q(pk__in=contributed))
        .annotate(level_rank=_level_rank())
        .order_by("level_rank", "title", "id")
    )
    return _page_prefetches(objectives, actor=actor, access=access, history=SPARKLINE_POINTS)


def objective_for_page(actor: Membership, objective_id: int, *, access: Access) -> Objective:
    """One visible objective with everything its page draws (404 otherwise)."""
    objective = (
        _page_prefetches(
            visible_objectives(actor=actor, access=access), actor=actor, access=access, history=HISTORY_POINTS
        )
        .filter(pk=objective_id)
        .first()
    )
    if objective is None:
        raise Http404("No such objective")
    return objective


def key_result_for_row(
    actor: Membership, key_result_id: int, *, access: Access, history: int = SPARKLINE_POINTS
) -> KeyResult:
    """A visible key result with what its row on My OKRs draws: objective (with cycle and
    contributors), owner, milestones and its recent updates."""
    kr = (
        KeyResult.objects.filter(
            organisation_id=actor.organisation_id,
            pk=key_result_id,
            objective__in=visible_objectives(actor=actor, access=access),
        )
        .select_related("objective__cycle", "objective__owner__user", "owner__user")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")),
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.order_by("-created_at", "-id")[:history],
                to_attr="recent_updates",
            ),
            Prefetch("objective__contributor_links", queryset=_Contributor.objects.select_related("membership__user")),
        )
        .first()
    )
    if kr is None:
        raise Http404("No such key result")
    return kr


def objective_ancestor_ids(actor: Membership, objective_id: int) -> set[int]:
    """Every objective above ``objective_id`` through objective or key-result alignments (one
    recursive query; the graph is a DAG, and UNION stops on repeats anyway)."""
    with _connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(id) AS (
                SELECT %s::bigint
                UNION
                SELECT coalesce(a.parent_objective_id, kr.objective_id)
                  FROM okrs_alignment a
                  LEFT JOIN okrs_keyresult kr ON kr.id = a.parent_key_result_id AND kr.organisation_id = %s
                  JOIN up ON a.child_id = up.id
                 WHERE a.organisation_id = %s
            ) SELECT id FROM up WHERE id <> %s
            """,
            [objective_id, actor.organisation_id, actor.organisation_id, objective_id],
        )
        return {row[0] for row in cursor.fetchall() if row[0] is not None}


def objectives_progress(actor: Membership, objective_ids: set[int], *, access: Access) -> list[Objective]:
    """Visible objectives among ``objective_ids`` with their cycle (for their stored progress and
    status)."""
    if not objective_ids:
        return []
    return list(visible_objectives(actor=actor, access=access).filter(pk__in=objective_ids).select_related("cycle"))


def objective_child_links(actor: Membership, objective: Objective, *, access: Access) -> list[Alignment]:
    """Visible objectives aligned to ``objective`` or to one of its key results."""
    return list(
        Alignment.objects.filter(organisation_id=actor.organisation_id)
        .filter(Q(parent_objective=objective) | Q(parent_key_result__objective=objective))
        .filter(child__in=visible_objectives(actor=actor, access=access))
        .select_related("child__cycle", "child__owner__user", "parent_key_result")
        .order_by("child__title", "id")
    )


def objective_activity(actor: Membership, objective: Objective, *, limit: int = 30) -> list[Any]:
    """The latest entries of an objective's activity feed (the caller has checked visibility)."""
    return list(
        _Activity.objects.filter(organisation_id=actor.organisation_id, objective=objective).select_related(
            "actor__user"
        )[:limit]
    )


def alignment_candidates(
    actor: Membership, child: Objective, *, query: str, access: Access, limit: int = 20
) -> list[Objective]:
    """Objectives (with their key results) that ``child`` could align to: visible, of its cycle
    or of a cycle containing it, not itself; matching ``query`` in their or a key result's title."""
    cycle = child.cycle
    objectives = (
        visible_objectives(actor=actor, access=access)
        .filter(cycle__start_date__lte=cycle.start_date, cycle__end_date__gte=cycle.end_date)
        .exclude(pk=child.pk)
    )
    query = query.strip()
    if query:
        matching_krs = KeyResult.objects.filter(organisation_id=actor.organisation_id, title__icontains=query).values(
            "objective_id"
        )
        objectives = objectives.filter(Q(title__icontains=query) | Q(pk__in=matching_krs))
    return list(
        objectives.select_related("cycle", "owner__user")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
        .annotate(level_rank=_level_rank())
        .order_by("level_rank", "title", "id")[:limit]
    )
