"""The OKR part of the scale seed (``organisations.scale_seed``): the current quarter's objectives,
key results, milestones, alignments, a quarter of progress history and the activity feed, by COPY.

Shape, for ``Sizes.large()``: 3,000 objectives in six alignment levels (company → department →
team → individual → individual → individual), four key results each, 150,000 progress updates.
A child aligns to its parent's first key result (which then takes its progress from aligned
children) or to the parent objective itself; a few team objectives also support a second
department objective without counting toward it, so the graph is a DAG and not just a tree. Some
objectives are team-only or private, a tenth are stale (last update three weeks ago).

Key results store the state their latest update left them in. The stored roll-up (objectives, key
results fed by aligned children) is computed in one bulk pass with ``okrs.rules`` before the rows
are written (``_roll_up``), then checked by ``okrs.rollup.recompute_everything``, the full
recompute the services' incremental roll-up must agree with: it finds nothing to change when the
bulk pass was right, and would mend it otherwise (the fast test asserts it finds nothing).

Its 500 lines are one generator (plan, rows, roll-up, write), which reads best top to bottom.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils import timezone

from okrs import rollup, rules
from okrs.demo import _ensure_cycles
from okrs.models import (
    Activity,
    Alignment,
    Contributor,
    Cycle,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Level,
    Milestone,
    Objective,
    ObjectiveKind,
    ObjectiveSource,
    ProgressUpdate,
    Status,
    Visibility,
)
from organisations.scale_seed import Person, SeededOrg, copy_rows, reserve_ids

#: Share of the objectives at each alignment depth (1 = company … 6), for 3,000 objectives.
DEPTH_SHARE = {1: 5, 2: 40, 3: 378, 4: 1400, 5: 800, 6: 377}
LEVEL_OF_DEPTH = {1: Level.COMPANY, 2: Level.DEPARTMENT, 3: Level.TEAM}
KIND_WEIGHTS = [
    (KeyResultKind.NUMBER, 50),
    (KeyResultKind.PERCENTAGE, 20),
    (KeyResultKind.CURRENCY, 10),
    (KeyResultKind.BOOLEAN, 8),
    (KeyResultKind.MILESTONES, 12),
]
#: (offset from the expected progress, confidence), as in the small demo.
PROFILES = [
    (Decimal("0.20"), Status.ON_TRACK),
    (Decimal("0.05"), Status.ON_TRACK),
    (Decimal("0.05"), Status.ON_TRACK),
    (Decimal("-0.20"), Status.AT_RISK),
    (Decimal("-0.45"), Status.OFF_TRACK),
]
NOTES = ["Steady progress.", "Shipped what we promised.", "Waiting on another team.", "Scope grew, watching it.", ""]
VERBS = ["Grow", "Launch", "Improve", "Reduce", "Automate", "Simplify", "Expand", "Modernise", "Secure", "Win"]
THINGS = [
    "the self-serve funnel",
    "onboarding",
    "customer retention",
    "the data platform",
    "release quality",
    "partner revenue",
    "support response times",
    "the hiring pipeline",
    "our cloud costs",
    "the mobile app",
    "regional pipeline",
    "internal tooling",
]


@dataclass
class _Objective:
    id: int
    depth: int
    owner: Person
    team_id: int
    parent: _Objective | None = None
    via_key_result: bool = False
    key_result_ids: list[int] = field(default_factory=list)
    children_direct: int = 0  # children aligned to the objective itself, counting
    aligned_kr0: bool = False
    stale: bool = False


def _depth_counts(total: int) -> dict[int, int]:
    whole = sum(DEPTH_SHARE.values())
    counts = {d: max(1, round(total * share / whole)) for d, share in DEPTH_SHARE.items() if d != 4}
    counts[4] = max(1, total - sum(counts.values()))
    return dict(sorted(counts.items()))


def _plan(org: SeededOrg) -> list[_Objective]:
    rng, sizes = org.rng, org.sizes
    counts = _depth_counts(sizes.objectives)
    ids = iter(reserve_ids(Objective, sum(counts.values())))
    by_depth: dict[int, list[_Objective]] = {}
    by_depth[1] = [_Objective(next(ids), 1, org.ceo, org.company_team_id) for _ in range(counts[1])]
    by_depth[2] = []
    for i in range(counts[2]):
        department = i % sizes.departments
        by_depth[2].append(
            _Objective(
                next(ids),
                2,
                org.heads[department],
                org.department_team_ids[department],
                parent=by_depth[1][i % counts[1]],
            )
        )
    departmental: dict[int, list[_Objective]] = {}
    for objective in by_depth[2]:
        departmental.setdefault(org.department_team_ids.index(objective.team_id), []).append(objective)
    by_depth[3] = []
    for i in range(counts[3]):
        team_index = i % sizes.leaf_teams
        team = org.leaf_team_ids[team_index]
        candidates = departmental.get(org.department_of_team[team]) or by_depth[2]
        by_depth[3].append(
            _Objective(
                next(ids), 3, org.managers[team_index], team, parent=candidates[i // sizes.leaf_teams % len(candidates)]
            )
        )
    next_member: dict[int, int] = {}
    for depth in (4, 5, 6):
        by_depth[depth] = []
        parents = by_depth[depth - 1]
        for i in range(counts[depth]):
            parent = parents[i % len(parents)]
            members = org.members_by_team[parent.team_id]
            k = next_member.get(parent.team_id, 0)
            next_member[parent.team_id] = k + 1
            # One in twenty individual objectives stands alone (nobody aligns everything).
            standalone = depth == 4 and rng.random() < 0.05
            by_depth[depth].append(
                _Objective(next(ids), depth, members[k % len(members)], parent.team_id, None if standalone else parent)
            )
    plan = [o for depth in sorted(by_depth) for o in by_depth[depth]]
    for objective in plan:
        if objective.parent is not None:
            objective.via_key_result = rng.random() < 0.7
            if objective.via_key_result:
                objective.parent.aligned_kr0 = True
            else:
                objective.parent.children_direct += 1
        objective.stale = objective.depth >= 3 and rng.random() < 0.1
    return plan


def _kind(rng: random.Random) -> str:
    return rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]


def _bounds(kind: str, rng: random.Random) -> tuple[Decimal, Decimal, str, str]:
    """start, target, unit, currency."""
    if kind == KeyResultKind.PERCENTAGE:
        start = Decimal(rng.randint(40, 80))
        return start, start + Decimal(rng.choice([5, 10, 15])), "%", ""
    if kind == KeyResultKind.CURRENCY:
        return Decimal(0), Decimal(rng.choice([50_000, 250_000, 1_000_000])), "", "EUR"
    if kind == KeyResultKind.NUMBER:
        if rng.random() < 0.2:  # "decrease to"
            return Decimal(rng.choice([40, 100])), Decimal(rng.choice([5, 20])), "incidents", ""
        return (
            Decimal(0),
            Decimal(rng.choice([10, 20, 50, 100, 250])),
            rng.choice(["customers", "releases", "deals"]),
            "",
        )
    return Decimal(0), Decimal(1), "", ""


def _value(kind: str, start: Decimal, target: Decimal, progress: Decimal) -> Decimal:
    if kind == KeyResultKind.BOOLEAN:
        return Decimal(1) if progress >= Decimal("0.5") else Decimal(0)
    step = Decimal(1) if abs(target - start) >= 20 else Decimal("0.1")
    return (start + (target - start) * progress).quantize(step, rounding=ROUND_HALF_EVEN)


def _moment(day: date, rng: random.Random, now: datetime) -> datetime:
    return min(
        now,
        datetime.combine(day, time(8 + rng.randint(0, 9), rng.randint(0, 59)), tzinfo=timezone.get_current_timezone()),
    )


def _roll_up(
    plan: list[_Objective],
    objective_rows: list[dict[str, Any]],
    kr_rows: list[dict[str, Any]],
    alignment_rows: list[dict[str, Any]],
    *,
    counted_state: bool,
) -> None:
    """Fill in the stored roll-up values of the rows before they are written: the arithmetic
    of ``rollup.recompute_objectives`` and ``recompute_aligned_key_results`` (the same
    ``okrs.rules``), in one pass from the deepest objectives up — every alignment here points one
    level up, so a node's inputs are final when it is reached. (Running the recompute itself over
    unmeasured rows would take minutes: it stores each wave with a bulk UPDATE of thousands of
    CASE branches.)"""
    objectives = {row["id"]: row for row in objective_rows}
    krs_of: dict[int, list[dict[str, Any]]] = {}
    for kr in kr_rows:
        krs_of.setdefault(kr["objective_id"], []).append(kr)
    into_objective: dict[int, list[tuple[Decimal, int]]] = {}
    into_kr: dict[int, list[tuple[Decimal, int]]] = {}
    for link in alignment_rows:
        if not link["counts_toward_progress"]:
            continue
        if link["parent_key_result_id"] is not None:
            into_kr.setdefault(link["parent_key_result_id"], []).append((link["weight"], link["child_id"]))
        else:
            into_objective.setdefault(link["parent_objective_id"], []).append((link["weight"], link["child_id"]))

    def inputs(links: list[tuple[Decimal, int]]) -> list[rules.Input]:
        return [(w, objectives[c]["progress"], objectives[c]["measured"]) for w, c in links]

    for o in sorted(plan, key=lambda o: -o.depth):
        row, krs = objectives[o.id], krs_of.get(o.id, [])
        for kr in krs:
            if kr["progress_source"] == KeyResultSource.ALIGNED_CHILDREN:
                kr["progress"], kr["measured"] = rules.mean_of_measured(inputs(into_kr.get(kr["id"], [])))
        kr_inputs = [(kr["weight"], kr["progress"], kr["measured"]) for kr in krs]
        child_inputs = inputs(into_objective.get(o.id, []))
        if row["progress_source"] == ObjectiveSource.KEY_RESULTS:
            row["progress"], row["measured"] = rules.mean_of_measured(kr_inputs)
        elif row["progress_source"] == ObjectiveSource.ALIGNED_CHILDREN:
            row["progress"], row["measured"] = rules.mean_of_measured(child_inputs)
        else:
            row["progress"], row["measured"] = rules.mean_of_measured([*kr_inputs, *child_inputs])
        row["worst_key_result_progress"] = min((kr["progress"] for kr in krs if kr["measured"]), default=None)
        row["worst_confidence"] = rules.worst(*(kr.get("confidence", "") for kr in krs)) or ""
        row["last_update_at"] = max((kr["last_update_at"] for kr in krs if kr.get("last_update_at")), default=None)
        row["score"] = (
            rules.score_mean((kr["weight"], None, kr["progress"], kr["measured"]) for kr in krs)
            if counted_state
            else None
        )


def seed(org: SeededOrg) -> str:
    rng, sizes, organisation = org.rng, org.sizes, org.organisation
    org_id = organisation.pk
    today = org.today
    now = timezone.now()
    quarter: Cycle = _ensure_cycles(organisation, org.membership(org.hr), today)
    plan = _plan(org)
    window_start = min(quarter.start_date, today - timedelta(days=27))
    created = datetime.combine(window_start, time(9), tzinfo=timezone.get_current_timezone())

    # Key results per objective: as even as the total allows.
    base, extra = divmod(sizes.key_results, len(plan))
    kr_ids = iter(reserve_ids(KeyResult, sizes.key_results))
    for i, objective in enumerate(plan):
        objective.key_result_ids = [next(kr_ids) for _ in range(base + (i < extra))]

    objective_rows: list[dict[str, Any]] = []
    for i, o in enumerate(plan):
        kind: str
        if o.depth == 1:
            kind = ObjectiveKind.FOCUS if i == 0 else ObjectiveKind.THEMATIC if i == 1 else ObjectiveKind.STANDARD
        else:
            kind = ObjectiveKind.DEPARTMENTAL if o.depth == 2 else ObjectiveKind.STANDARD
        source = ObjectiveSource.KEY_RESULTS
        if o.children_direct:
            source = rng.choice([ObjectiveSource.BOTH, ObjectiveSource.BOTH, ObjectiveSource.ALIGNED_CHILDREN, source])
        visibility = Visibility.ORGANISATION
        roll = rng.random()
        if o.depth >= 4:
            visibility = Visibility.PRIVATE if roll < 0.05 else Visibility.TEAM if roll < 0.15 else visibility
        elif o.depth == 3 and roll < 0.05:
            visibility = Visibility.TEAM
        objective_rows.append(
            {
                "id": o.id,
                "organisation_id": org_id,
                "cycle_id": quarter.pk,
                "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
                "level": LEVEL_OF_DEPTH.get(o.depth, Level.INDIVIDUAL),
                "kind": kind,
                "owner_id": o.owner.membership_id,
                "team_id": o.team_id,
                "visibility": visibility,
                "progress_source": source,
                "tags": ["expenses"] if kind == ObjectiveKind.THEMATIC else [],
                "progress": Decimal(0),
                "measured": False,  # as objective_create stores it; the recompute below sets it
                "created_at": created,
            }
        )

    # Contributors: the thematic objective spans every department; some team objectives borrow
    # a person from another team.
    contributor_rows = []
    if len(plan) > 1 and plan[1].depth == 1:
        contributor_rows += [
            {"organisation_id": org_id, "objective_id": plan[1].id, "membership_id": head.membership_id}
            for head in org.heads
        ]
    employees = org.employees
    for o in plan:
        if o.depth == 3 and rng.random() < 0.05:
            helper = rng.choice(employees)
            if helper.team_id != o.team_id:
                contributor_rows.append(
                    {"organisation_id": org_id, "objective_id": o.id, "membership_id": helper.membership_id}
                )

    # Key results, their milestones and their history.
    manual: list[tuple[int, Person, str, Decimal, Decimal, _Objective]] = []
    kr_rows: list[dict[str, Any]] = []
    milestone_ids: dict[int, list[int]] = {}
    teammates = org.members_by_team
    for o in plan:
        for position, kr_id in enumerate(o.key_result_ids):
            aligned = position == 0 and o.aligned_kr0
            kr_kind = KeyResultKind.NUMBER if aligned else _kind(rng)
            start, target, unit, currency = (Decimal(0), Decimal(1), "", "") if aligned else _bounds(kr_kind, rng)
            owner = o.owner
            if not aligned and o.depth <= 3 and rng.random() < 0.2:
                pool = org.heads if o.depth == 1 else teammates.get(o.team_id) or org.managers
                owner = rng.choice(pool)
            kr_rows.append(
                {
                    "id": kr_id,
                    "organisation_id": org_id,
                    "objective_id": o.id,
                    "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({position + 1})",
                    "kind": kr_kind,
                    "unit": unit,
                    "currency": currency,
                    "start_value": start,
                    "target_value": target,
                    "current_value": start,
                    "weight": Decimal(2) if rng.random() < 0.1 else Decimal(1),
                    "owner_id": owner.membership_id,
                    "progress_source": KeyResultSource.ALIGNED_CHILDREN if aligned else KeyResultSource.MANUAL,
                    "position": position,
                    "progress": Decimal(0),
                    "measured": not aligned,
                    "created_at": created,
                }
            )
            if kr_kind == KeyResultKind.MILESTONES:
                milestone_ids[kr_id] = []
            if not aligned:
                manual.append((kr_id, owner, kr_kind, start, target, o))
    all_milestones = reserve_ids(Milestone, 4 * len(milestone_ids))
    for n, kr_id in enumerate(milestone_ids):
        milestone_ids[kr_id] = all_milestones[4 * n : 4 * n + 4]

    updates_base, updates_extra = divmod(sizes.progress_updates, max(1, len(manual)))
    update_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = [
        {
            "organisation_id": org_id,
            "objective_id": o.id,
            "actor_id": org.hr.membership_id,
            "verb": "created",
            "detail": {},
            "created_at": created,
        }
        for o in plan
    ]
    krs_by_id = {row["id"]: row for row in kr_rows}
    done_milestones: set[int] = set()
    for index, (kr_id, owner, kind, start, target, o) in enumerate(manual):
        row = krs_by_id[kr_id]
        count = updates_base + (index < updates_extra)
        last_day = today - timedelta(days=20 + rng.randint(0, 5)) if o.stale else today
        offset, confidence = rng.choice(PROFILES)
        expected = rules.expected_progress(quarter.start_date, quarter.end_date, last_day)
        final = rules.clamp01(expected + offset)
        span = max(1, (last_day - window_start).days)
        value: Decimal | None = start
        progress = Decimal(0)
        done = 0
        for j in range(count):
            share = Decimal(j + 1) / Decimal(count)
            day = window_start + timedelta(days=int(span * (j + 1) / count))
            wobble = Decimal(0) if j == count - 1 else Decimal(rng.randint(-3, 3)) / Decimal(100)
            target_progress = rules.clamp01(final * share + wobble)
            if kind == KeyResultKind.MILESTONES:
                done = int((target_progress * 4).to_integral_value(rounding=ROUND_HALF_EVEN))
                value = None
                progress = rules.measured_progress(
                    kind,
                    start=start,
                    target=target,
                    current=start,
                    milestones=[(Decimal(1), k < done) for k in range(4)],
                )
            else:
                value = _value(kind, start, target, target_progress)
                progress = rules.measured_progress(kind, start=start, target=target, current=value)
            mood = confidence if share > Decimal("0.6") else Status.ON_TRACK
            at = _moment(day, rng, now)
            note = rng.choice(NOTES)
            update_rows.append(
                {
                    "organisation_id": org_id,
                    "key_result_id": kr_id,
                    "value": value,
                    "progress": progress,
                    "confidence": mood,
                    "note": note,
                    "author_id": owner.membership_id,
                    "created_at": at,
                }
            )
            # What progress_update_create records in the objective's feed for each update.
            activity_rows.append(
                {
                    "organisation_id": org_id,
                    "objective_id": o.id,
                    "actor_id": owner.membership_id,
                    "verb": "progress",
                    "detail": {"key_result": row["title"], "progress": str(progress), "confidence": mood, "note": note},
                    "created_at": at,
                }
            )
            row["confidence"], row["last_update_at"] = mood, at
        if kind == KeyResultKind.MILESTONES:
            done_milestones.update(milestone_ids[kr_id][:done])
        elif value is not None:
            row["current_value"] = value
        row["progress"] = progress
    # Alignments: each child to its parent's first key result or to the parent itself; a few
    # team objectives also support another department objective, without counting toward it.
    alignment_rows = []
    by_depth2 = [o for o in plan if o.depth == 2]
    for o in plan:
        if o.parent is None:
            continue
        parent_kr = o.parent.key_result_ids[0] if o.via_key_result and o.parent.key_result_ids else None
        alignment_rows.append(
            {
                "organisation_id": org_id,
                "child_id": o.id,
                "parent_objective_id": None if parent_kr else o.parent.id,
                "parent_key_result_id": parent_kr,
                "weight": Decimal(2) if rng.random() < 0.1 else Decimal(1),
                "counts_toward_progress": rng.random() < 0.95,
                "created_at": created,
            }
        )
        if o.depth == 3 and len(by_depth2) > 1 and rng.random() < 0.03:
            other = rng.choice([p for p in by_depth2 if p is not o.parent])
            alignment_rows.append(
                {
                    "organisation_id": org_id,
                    "child_id": o.id,
                    "parent_objective_id": other.id,
                    "parent_key_result_id": None,
                    "weight": Decimal(1),
                    "counts_toward_progress": False,
                    "created_at": created,
                }
            )

    _roll_up(plan, objective_rows, kr_rows, alignment_rows, counted_state=quarter.state in rollup.SCORED_STATES)
    copy_rows(Objective, objective_rows)
    copy_rows(Contributor, contributor_rows)
    copy_rows(KeyResult, kr_rows)
    copy_rows(
        Milestone,
        (
            {
                "id": m,
                "organisation_id": org_id,
                "key_result_id": kr_id,
                "title": f"Step {k + 1}",
                "weight": Decimal(1),
                "done": m in done_milestones,
                "position": k,
            }
            for kr_id, ms in milestone_ids.items()
            for k, m in enumerate(ms)
        ),
    )
    copy_rows(ProgressUpdate, update_rows)
    copy_rows(Activity, activity_rows)

    copy_rows(Alignment, alignment_rows)
    # The full recompute, as the check of the bulk roll-up above: when that was right it finds
    # nothing to change in one pass (a second or two); were it wrong, it would correct it.
    rollup.recompute_everything(org_id)
    return (
        f"{len(plan)} objectives ({max(o.depth for o in plan)} levels), {len(kr_rows)} key results,"
        f" {len(alignment_rows)} alignments, {len(update_rows)} progress updates in {quarter.name}"
    )
