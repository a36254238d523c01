"""Every write of goals: keyword-only ``<entity>_<verb>`` functions, each one transaction.

Each service locks the goal's row (``select_for_update``) before it reads what it decides on, so
two people ticking milestones, or a tick racing an edit, never lose each other's change, and the
stored progress always matches the milestones. Errors: ``ValidationError`` per field for bad
input, ``Conflict`` for a change the goal's state does not allow, ``NotAllowed`` for an actor who
may not make it (``goals.permissions``).

Progress: a goal in milestone mode has done / total milestones (0, "nothing to measure yet", when
it has none); a manual goal has the fraction its owner set. Stored on the goal, recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from goals.models import (
    Goal,
    GoalCategory,
    GoalState,
    GoalUpdate,
    GoalVisibility,
    Milestone,
    ProgressMode,
    UpdateKind,
)
from goals.permissions import require_comment, require_edit
from organisations.errors import Conflict, NotAllowed
from organisations.models import Membership, Organisation

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
COMMENT_MAX = 5000
MILESTONES_MAX = 50
PROGRESS_STEP = Decimal("0.001")
CLOSED_MESSAGE = "This goal is {state}: reopen it to change its progress."


@dataclass
class GoalData:
    """What a person writes about a goal. ``milestones`` are the titles of its first milestones
    (read by ``goal_create``; later ones are added with ``milestone_add``). ``progress_mode`` empty
    means: from milestones when there are some, else manual (on an edit: unchanged)."""

    title: str
    description: str = ""
    category: str = GoalCategory.PERSONAL_DEVELOPMENT
    visibility: str = GoalVisibility.PRIVATE
    due_date: date | None = None
    milestones: list[str] = field(default_factory=list)
    progress_mode: str = ""


# ---------------------------------------------------------------- helpers


def _lock(actor: Membership, goal: Goal) -> Goal:
    """The goal's current row, locked for the rest of the transaction."""
    if goal.organisation_id != actor.organisation_id:
        raise NotAllowed("That goal belongs to another organisation.")
    locked = (
        Goal.objects.select_for_update()
        .select_related("owner__user")
        .get(organisation_id=goal.organisation_id, pk=goal.pk)
    )
    return locked


def _organisation_today(actor: Membership) -> date:
    organisation = actor.organisation if "organisation" in actor._state.fields_cache else None
    if organisation is None:
        organisation = Organisation.objects.get(pk=actor.organisation_id)
    return organisation.today()


def _clean(actor: Membership, data: GoalData, current: Goal | None = None) -> dict[str, object]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = "Say what you want to achieve."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters."
    if data.category not in GoalCategory.values:
        errors["category"] = "Choose one of the categories."
    if data.visibility not in GoalVisibility.values:
        errors["visibility"] = "Choose who can see this goal."
    mode = data.progress_mode
    if mode and mode not in ProgressMode.values:
        errors["progress_mode"] = "Choose how progress is measured."
    due_changed = current is None or data.due_date != current.due_date
    if data.due_date is not None and due_changed and data.due_date < _organisation_today(actor):
        errors["due_date"] = "The due date is in the past: choose today or a later day."
    milestones = [m.strip() for m in data.milestones if m and m.strip()] if current is None else []
    if len(milestones) > MILESTONES_MAX:
        errors["milestones"] = f"A goal has at most {MILESTONES_MAX} milestones."
    elif any(len(m) > TITLE_MAX for m in milestones):
        errors["milestones"] = f"Keep each milestone to {TITLE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    if not mode:
        if current is not None:
            mode = current.progress_mode
        else:
            mode = ProgressMode.MILESTONES if milestones else ProgressMode.MANUAL
    return {
        "title": title,
        "description": description,
        "category": data.category,
        "visibility": data.visibility,
        "due_date": data.due_date,
        "progress_mode": mode,
        "milestones": milestones,
    }


def _recompute(goal: Goal) -> None:
    """Store the goal's milestone counts and progress (the caller holds the goal's lock)."""
    counts = (
        Milestone.objects.in_organisation(goal.organisation_id)
        .filter(goal=goal)
        .aggregate(total=Count("id"), done=Count("id", filter=Q(done=True)))
    )
    goal.milestone_count = counts["total"] or 0
    goal.milestones_done = counts["done"] or 0
    if goal.progress_mode == ProgressMode.MANUAL:
        goal.progress = goal.manual_progress
    elif goal.milestone_count:
        goal.progress = (Decimal(goal.milestones_done) / Decimal(goal.milestone_count)).quantize(
            PROGRESS_STEP, rounding=ROUND_HALF_UP
        )
    else:
        goal.progress = Decimal(0)
    goal.save(update_fields=["milestone_count", "milestones_done", "progress", "updated_at"])


def _log(goal: Goal, actor: Membership | None, kind: str, text: str = "", *, progress: bool = False) -> GoalUpdate:
    return GoalUpdate.objects.create(
        organisation_id=goal.organisation_id,
        goal=goal,
        author=actor,
        kind=kind,
        text=text,
        progress=goal.progress if progress else None,
    )


def _require_active(goal: Goal) -> None:
    if goal.state != GoalState.ACTIVE:
        raise Conflict({"state": CLOSED_MESSAGE.format(state=goal.get_state_display().lower())})


def read_progress(value: object) -> Decimal:
    """A progress fraction 0..1 as typed or sent (``"0.4"``, ``0.4``); ValidationError on ``progress``."""
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"progress": "Give progress as a number from 0 to 1 (0 % to 100 %)."}) from None
    if not result.is_finite() or result < 0 or result > 1:
        raise ValidationError({"progress": "Progress is between 0 and 1 (0 % to 100 %)."})
    return result.quantize(PROGRESS_STEP, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- goals


@transaction.atomic
def goal_create(*, actor: Membership, data: GoalData) -> Goal:
    """A new goal owned by ``actor`` (a goal is always its owner's own, also one from an action plan)."""
    cleaned = _clean(actor, data)
    titles: list[str] = cleaned.pop("milestones")  # type: ignore[assignment]
    goal = Goal.objects.create(organisation_id=actor.organisation_id, owner=actor, **cleaned)
    Milestone.objects.bulk_create(
        Milestone(organisation_id=actor.organisation_id, goal=goal, title=title, position=i)
        for i, title in enumerate(titles)
    )
    _recompute(goal)
    _log(goal, actor, UpdateKind.CREATED, "Created the goal.")
    return goal


@transaction.atomic
def goal_update(*, actor: Membership, goal: Goal, data: GoalData) -> Goal:
    """Edit what the goal says, who sees it and how its progress is measured (not its milestones)."""
    require_edit(actor, goal)
    goal = _lock(actor, goal)
    cleaned = _clean(actor, data, current=goal)
    cleaned.pop("milestones")
    changed = [name for name, value in cleaned.items() if getattr(goal, name) != value]
    if not changed:
        return goal
    for name, value in cleaned.items():
        setattr(goal, name, value)
    goal.save()
    _recompute(goal)
    labels = {name: getattr(Goal._meta.get_field(name), "verbose_name", name) for name in changed}
    _log(goal, actor, UpdateKind.EDITED, "Changed " + ", ".join(str(label) for label in labels.values()) + ".")
    return goal


def _transition(actor: Membership, goal: Goal, *, to: str, allowed_from: tuple[str, ...], text: str, note: str) -> Goal:
    require_edit(actor, goal)
    goal = _lock(actor, goal)
    if goal.state not in allowed_from:
        raise Conflict({"state": f"This goal is {goal.get_state_display().lower()}: it cannot be {text.lower()}."})
    if len(note) > COMMENT_MAX:
        raise ValidationError({"note": f"Keep the note to {COMMENT_MAX} characters."})
    goal.state = to
    goal.closed_at = None if to == GoalState.ACTIVE else timezone.now()
    goal.save(update_fields=["state", "closed_at", "updated_at"])
    _log(goal, actor, UpdateKind.STATE, f"{text}." + (f" {note.strip()}" if note.strip() else ""))
    return goal


@transaction.atomic
def goal_complete(*, actor: Membership, goal: Goal, note: str = "") -> Goal:
    return _transition(
        actor, goal, to=GoalState.COMPLETED, allowed_from=(GoalState.ACTIVE,), text="Completed", note=note
    )


@transaction.atomic
def goal_abandon(*, actor: Membership, goal: Goal, note: str = "") -> Goal:
    return _transition(
        actor, goal, to=GoalState.ABANDONED, allowed_from=(GoalState.ACTIVE,), text="Abandoned", note=note
    )


@transaction.atomic
def goal_reopen(*, actor: Membership, goal: Goal, note: str = "") -> Goal:
    return _transition(
        actor,
        goal,
        to=GoalState.ACTIVE,
        allowed_from=(GoalState.COMPLETED, GoalState.ABANDONED),
        text="Reopened",
        note=note,
    )


@transaction.atomic
def goal_progress_set(*, actor: Membership, goal: Goal, progress: object, note: str = "") -> Goal:
    """Set a manual goal's progress (a fraction 0..1)."""
    require_edit(actor, goal)
    value = read_progress(progress)
    goal = _lock(actor, goal)
    _require_active(goal)
    if goal.progress_mode != ProgressMode.MANUAL:
        raise ValidationError(
            {
                "progress": "This goal's progress comes from its milestones: tick them, or edit the goal to set progress by hand."
            }
        )
    if len(note) > COMMENT_MAX:
        raise ValidationError({"note": f"Keep the note to {COMMENT_MAX} characters."})
    if value == goal.manual_progress and not note.strip():
        return goal
    goal.manual_progress = value
    goal.save(update_fields=["manual_progress", "updated_at"])
    _recompute(goal)
    _log(
        goal,
        actor,
        UpdateKind.PROGRESS,
        f"Progress {goal.percent} %." + (f" {note.strip()}" if note.strip() else ""),
        progress=True,
    )
    return goal


@transaction.atomic
def goal_comment(*, actor: Membership, goal: Goal, text: str) -> GoalUpdate:
    """A comment in the goal's log, by the owner or a manager who sees the goal; the other side is
    notified."""
    require_comment(actor, goal)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write a comment first."})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": f"Keep a comment to {COMMENT_MAX} characters (it has {len(text)})."})
    goal = _lock(actor, goal)
    update = _log(goal, actor, UpdateKind.COMMENT, text)
    if actor.pk != goal.owner_id:
        _notify_owner(goal, actor, update)
    return update


def _notify_owner(goal: Goal, actor: Membership, update: GoalUpdate) -> None:
    from django.urls import NoReverseMatch, reverse

    from notifications.services import notify

    organisation = Organisation.objects.get(pk=goal.organisation_id)
    try:
        url = reverse("goals:detail", kwargs={"org_slug": organisation.slug, "goal_id": goal.pk})
    except NoReverseMatch:  # the pages are routed in goals/urls.py; before that, no link
        url = ""
    notify(
        recipient=goal.owner,
        kind="goals.comment",
        title=f"{actor.user} commented on your goal “{goal.title}”",
        body=update.text[:500],
        url=url,
        key=f"goals.comment.{update.pk}",
    )


# ---------------------------------------------------------------- milestones


@transaction.atomic
def milestone_add(*, actor: Membership, goal: Goal, title: str) -> Milestone:
    require_edit(actor, goal)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Name the milestone."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep a milestone to {TITLE_MAX} characters (it has {len(title)})."})
    goal = _lock(actor, goal)
    _require_active(goal)
    existing = Milestone.objects.in_organisation(goal.organisation_id).filter(goal=goal)
    if existing.count() >= MILESTONES_MAX:
        raise ValidationError({"title": f"A goal has at most {MILESTONES_MAX} milestones."})
    last = existing.aggregate(last=Max("position"))["last"]
    milestone = Milestone.objects.create(
        organisation_id=goal.organisation_id, goal=goal, title=title, position=0 if last is None else last + 1
    )
    _recompute(goal)
    _log(goal, actor, UpdateKind.MILESTONE, f"Added the milestone “{title}”.", progress=True)
    milestone.goal = goal
    return milestone


def _lock_milestone(actor: Membership, milestone: Milestone) -> tuple[Goal, Milestone]:
    goal = _lock(actor, milestone.goal)
    current = Milestone.objects.in_organisation(goal.organisation_id).filter(goal=goal, pk=milestone.pk).first()
    if current is None:
        raise Conflict({"milestone": "That milestone was removed in the meantime."})
    current.goal = goal
    return goal, current


@transaction.atomic
def milestone_toggle(*, actor: Membership, milestone: Milestone, done: bool | None = None) -> Milestone:
    """Tick or untick a milestone. With ``done`` the result is that state whatever it was (so a
    repeated request, or two tabs, agree); without it the milestone flips."""
    require_edit(actor, milestone.goal)
    goal, milestone = _lock_milestone(actor, milestone)
    _require_active(goal)
    target = (not milestone.done) if done is None else bool(done)
    if target == milestone.done:
        return milestone
    milestone.done = target
    milestone.done_at = timezone.now() if target else None
    milestone.save(update_fields=["done", "done_at"])
    _recompute(goal)
    verb = "Ticked" if target else "Unticked"
    _log(goal, actor, UpdateKind.MILESTONE, f"{verb} “{milestone.title}”.", progress=True)
    return milestone


@transaction.atomic
def milestone_remove(*, actor: Membership, milestone: Milestone) -> Goal:
    require_edit(actor, milestone.goal)
    goal, milestone = _lock_milestone(actor, milestone)
    _require_active(goal)
    title = milestone.title
    milestone.delete()
    _recompute(goal)
    _log(goal, actor, UpdateKind.MILESTONE, f"Removed the milestone “{title}”.", progress=True)
    return goal


@transaction.atomic
def goal_delete(*, actor: Membership, goal: Goal) -> None:
    """Delete a goal with its milestones and log (the owner's own; there is nothing else to keep)."""
    require_edit(actor, goal)
    _lock(actor, goal).delete()
