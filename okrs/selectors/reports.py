"""Reads behind the team view, the adoption report and the close summary: members, managers, who
has no objective, how fresh key results are, who has scored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from okrs.models import Contributor, Cycle, KeyResult, Objective
from organisations.models import Membership
from organisations.selectors import page_by_name


def active_members_among(*, actor: Membership, members: QuerySet[Membership]) -> list[Membership]:
    """Active members of ``members`` (a queryset, e.g. a reporting line), by name, with user,
    team and manager."""
    return list(
        Membership.objects.for_actor(actor)
        .filter(pk__in=members.values("pk"), is_active=True)
        .select_related("user", "team", "manager__user")
        .order_by("user__full_name", "id")
    )


def managers(*, actor: Membership) -> list[Membership]:
    """Active members with at least one active direct report (the team view's manager picker)."""
    has_reports = Exists(Membership.objects.for_actor(actor).filter(manager_id=OuterRef("pk"), is_active=True))
    return list(
        Membership.objects.for_actor(actor)
        .filter(is_active=True)
        .filter(has_reports)
        .select_related("user")
        .order_by("user__full_name", "id")
    )


def members_without_objectives(*, actor: Membership, cycle: Cycle) -> list[Membership]:
    """Active members who neither own nor contribute to an objective of the cycle."""
    owns = Exists(Objective.objects.for_actor(actor).filter(cycle_id=cycle.pk, owner_id=OuterRef("pk")))
    contributes = Exists(
        Contributor.objects.for_actor(actor).filter(objective__cycle_id=cycle.pk, membership_id=OuterRef("pk"))
    )
    return list(
        Membership.objects.for_actor(actor)
        .filter(is_active=True)
        .exclude(owns)
        .exclude(contributes)
        .select_related("user", "team", "manager__user")
        .order_by("user__full_name", "id")
    )


def _without_objectives(*, actor: Membership, cycle: Cycle) -> QuerySet[Membership]:
    owns = Exists(Objective.objects.for_actor(actor).filter(cycle_id=cycle.pk, owner_id=OuterRef("pk")))
    contributes = Exists(
        Contributor.objects.for_actor(actor).filter(objective__cycle_id=cycle.pk, membership_id=OuterRef("pk"))
    )
    return Membership.objects.for_actor(actor).filter(is_active=True).exclude(owns).exclude(contributes)


def members_without_objectives_page(
    *, actor: Membership, cycle: Cycle, after: Membership | None, limit: int
) -> tuple[list[Membership], bool]:
    """``members_without_objectives`` a page at a time (by name, then id; keyset after
    ``after``), and whether more follow."""
    return page_by_name(_without_objectives(actor=actor, cycle=cycle), after=after, limit=limit)


def adoption_counts(*, actor: Membership, cycle: Cycle) -> dict[str, int]:
    """Active members and how many of them neither own nor contribute to an objective of the
    cycle: one query."""
    without = _without_objectives(actor=actor, cycle=cycle).values("pk")
    return (
        Membership.objects.for_actor(actor)
        .filter(is_active=True)
        .aggregate(active=Count("pk"), without=Count("pk", filter=Q(pk__in=without)))
    )


def active_member_count(*, actor: Membership) -> int:
    return Membership.objects.for_actor(actor).filter(is_active=True).count()


def key_result_freshness_by_team(*, actor: Membership, cycle: Cycle, since: datetime) -> list[dict[str, Any]]:
    """Per team (the objective's team, else its owner's): key results, how many were updated
    since ``since``, and objectives. One grouped query; ``team_id`` None = no team."""
    rows = (
        KeyResult.objects.for_actor(actor)
        .filter(objective__cycle_id=cycle.pk)
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


def members_by_email(*, actor: Membership) -> dict[str, Membership]:
    """Every membership of the organisation (active or not) by lower-case e-mail (the CSV import)."""
    return {m.user.email.lower(): m for m in Membership.objects.for_actor(actor).select_related("user")}


@dataclass
class TeamClose:
    """One team's line of the close summary."""

    team_name: str
    objectives: int = 0
    scored: int = 0  # objectives whose every key result carries a score someone set
    scores: list[Decimal] = field(default_factory=list)
    not_scored: list[Membership] = field(default_factory=list)  # owners of unscored key results

    @property
    def share_scored(self) -> int:
        return round(100 * self.scored / self.objectives) if self.objectives else 0

    @property
    def average_score(self) -> Decimal | None:
        if not self.scores:
            return None
        return (sum(self.scores, Decimal(0)) / len(self.scores)).quantize(Decimal("0.001"))


def close_summary(*, actor: Membership, cycle: Cycle) -> list[TeamClose]:
    """Per team (the objective's team, else its owner's): how many objectives of ``cycle`` are
    scored, their average score, and who still has key results to score. Two queries, whatever
    the size; every objective of the cycle counts (HR's view, like the adoption report)."""
    objectives = list(
        Objective.objects.for_actor(actor)
        .filter(cycle_id=cycle.pk)
        .select_related("team", "owner__team")
        .order_by("id")
    )
    unscored: dict[int, list[Membership]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for kr in (
        KeyResult.objects.for_actor(actor)
        .filter(objective__cycle_id=cycle.pk)
        .select_related("owner__user")
        .order_by("owner__user__full_name", "id")
    ):
        counts[kr.objective_id] += 1
        if kr.score is None:
            unscored[kr.objective_id].append(kr.owner)
    rows: dict[str, TeamClose] = {}
    for objective in objectives:
        team = objective.team or objective.owner.team
        name = team.name if team else "No team"
        row = rows.setdefault(name, TeamClose(team_name=name))
        row.objectives += 1
        if counts[objective.pk] and not unscored[objective.pk]:
            row.scored += 1
        if objective.score is not None:
            row.scores.append(objective.score)
        for member in unscored[objective.pk]:
            if member not in row.not_scored:
                row.not_scored.append(member)
    return sorted(rows.values(), key=lambda r: (r.team_name == "No team", r.team_name))
