"""The goals part of the scale seed (``organisations.scale_seed``): personal goals of every
category, visibility and state, milestone checklists part ticked or manual progress, and the log
each one would have (created, ticked, closed), by COPY.

Most people have none or one; a fifth of the employees (person1@, person2@ … among them) have
several, so "My goals" and "Shared with me" have pages to show. Stored progress follows
``goals.services._recompute``: done milestones over all of them to 0.001, or the manual figure.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from goals.models import Goal, GoalCategory, GoalState, GoalUpdate, GoalVisibility, Milestone, ProgressMode, UpdateKind
from organisations.scale_seed import SeededOrg, copy_rows, reserve_ids

TITLES = [
    "Finish the leadership course",
    "Mentor a new colleague",
    "Walk at lunchtime three days a week",
    "Give a talk at the all-hands",
    "Learn conversational Spanish",
    "Get the cloud architect certificate",
    "Hold a weekly focus morning",
    "Recognise someone's work every week",
]
STEP = Decimal("0.001")


def seed(org: SeededOrg) -> str:
    rng, org_id = org.rng, org.organisation.pk
    now = timezone.now()
    employees, everyone = org.employees, org.everyone
    busy = employees[: max(1, len(employees) // 5)]
    ids = reserve_ids(Goal, org.sizes.goals)
    goal_rows: list[dict[str, Any]] = []
    milestone_rows: list[dict[str, Any]] = []
    log_rows: list[dict[str, Any]] = []
    for i, goal_id in enumerate(ids):
        owner = busy[i % len(busy)] if i % 5 < 3 else everyone[(i * 7919) % len(everyone)]
        created = now - timedelta(days=rng.randint(5, 80))
        roll = rng.random()
        state = GoalState.COMPLETED if roll < 0.12 else GoalState.ABANDONED if roll < 0.2 else GoalState.ACTIVE
        mode = ProgressMode.MILESTONES if rng.random() < 0.6 else ProgressMode.MANUAL
        count = rng.randint(3, 4) if mode == ProgressMode.MILESTONES else 0
        done = count if state == GoalState.COMPLETED else rng.randint(0, count)
        manual = Decimal(rng.randint(0, 10)) / 10 if mode == ProgressMode.MANUAL else Decimal(0)
        if mode == ProgressMode.MANUAL:
            progress = manual
        else:
            progress = (Decimal(done) / Decimal(count)).quantize(STEP, rounding=ROUND_HALF_UP)
        closed = created + timedelta(days=3) if state != GoalState.ACTIVE else None
        goal_rows.append(
            {
                "id": goal_id,
                "organisation_id": org_id,
                "owner_id": owner.membership_id,
                "title": rng.choice(TITLES),
                "category": rng.choice(GoalCategory.values),
                "due_date": (org.today + timedelta(days=rng.randint(10, 120))) if rng.random() < 0.7 else None,
                "visibility": rng.choice(GoalVisibility.values),
                "state": state,
                "progress_mode": mode,
                "manual_progress": manual,
                "progress": progress,
                "milestone_count": count,
                "milestones_done": done,
                "closed_at": closed,
                "created_at": created,
                "updated_at": closed or created,
            }
        )
        log_rows.append(
            {"organisation_id": org_id, "goal_id": goal_id, "author_id": owner.membership_id, "kind": UpdateKind.CREATED,
             "text": "Created the goal.", "created_at": created}
        )  # fmt: skip
        for k in range(count):
            ticked = k < done
            at = created + timedelta(days=1 + k)
            milestone_rows.append(
                {"organisation_id": org_id, "goal_id": goal_id, "title": f"Step {k + 1}", "done": ticked,
                 "done_at": at if ticked else None, "position": k}
            )  # fmt: skip
            if ticked:
                log_rows.append(
                    {"organisation_id": org_id, "goal_id": goal_id, "author_id": owner.membership_id,
                     "kind": UpdateKind.MILESTONE, "text": f"Ticked “Step {k + 1}”.",
                     "progress": (Decimal(k + 1) / Decimal(count)).quantize(STEP, rounding=ROUND_HALF_UP), "created_at": at}
                )  # fmt: skip
        if closed is not None:
            text = "Completed." if state == GoalState.COMPLETED else "Abandoned."
            log_rows.append(
                {"organisation_id": org_id, "goal_id": goal_id, "author_id": owner.membership_id,
                 "kind": UpdateKind.STATE, "text": text, "created_at": closed}
            )  # fmt: skip
    copy_rows(Goal, goal_rows)
    copy_rows(Milestone, milestone_rows)
    copy_rows(GoalUpdate, log_rows)
    return f"{len(goal_rows)} goals, {len(milestone_rows)} goal milestones"
