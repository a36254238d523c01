"""Personal goals: a person's own development and wellbeing goals, independent of the
organisation's OKRs, with a milestone checklist or a manual progress figure and a log of updates.

Who may see a goal is decided by its ``visibility`` (``goals.permissions``): private goals are the
owner's alone — no manager, no HR admin, no owner of the organisation sees them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from organisations.models import Membership, TenantModel


def progress_field() -> models.DecimalField:
    """A progress column: a fraction 0..1 with three decimals (0.1 % steps)."""
    return models.DecimalField(max_digits=4, decimal_places=3, default=Decimal(0))


class GoalCategory(models.TextChoices):
    PERSONAL_DEVELOPMENT = "personal_development", "Personal development"
    PROFESSIONAL_DEVELOPMENT = "professional_development", "Professional development"
    WELLBEING = "wellbeing", "Wellbeing"
    ACTION_PLAN = "action_plan", "Action plan"


class GoalVisibility(models.TextChoices):
    PRIVATE = "private", "Private — only me"
    MANAGER = "manager", "Shared with my manager"
    ORGANISATION = "organisation", "Everyone in the organisation"


class GoalState(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class ProgressMode(models.TextChoices):
    MILESTONES = "milestones", "From the milestones ticked"
    MANUAL = "manual", "Set by hand"


class Goal(TenantModel):
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=GoalCategory.choices, default=GoalCategory.PERSONAL_DEVELOPMENT)
    due_date = models.DateField(null=True, blank=True)
    visibility = models.CharField(max_length=20, choices=GoalVisibility.choices, default=GoalVisibility.PRIVATE)
    state = models.CharField(max_length=12, choices=GoalState.choices, default=GoalState.ACTIVE)
    progress_mode = models.CharField(max_length=12, choices=ProgressMode.choices, default=ProgressMode.MILESTONES)
    #: What the owner set by hand (used when ``progress_mode`` is manual).
    manual_progress = progress_field()
    #: Stored, recomputed in the transaction of every change (``goals.services``), so lists never compute.
    progress = progress_field()
    milestone_count = models.PositiveIntegerField(default=0)
    milestones_done = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["organisation", "owner", "state"], name="goal_org_owner_state_idx"),
            models.Index(fields=["organisation", "visibility"], name="goal_org_visibility_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(manual_progress__gte=0, manual_progress__lte=1), name="goal_manual_progress_range"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=1), name="goal_progress_range"),
            models.CheckConstraint(
                condition=Q(milestones_done__lte=models.F("milestone_count")), name="goal_milestones_done_le_count"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state == GoalState.ACTIVE

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def measured(self) -> bool:
        """False for a milestone goal with no milestones yet: shown as "nothing to measure yet"."""
        return self.progress_mode == ProgressMode.MANUAL or self.milestone_count > 0


class Milestone(TenantModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organisation", "goal"], name="goal_milestone_org_goal_idx")]

    def __str__(self) -> str:
        return self.title


class UpdateKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    COMMENT = "comment", "Comment"
    PROGRESS = "progress", "Progress"
    MILESTONE = "milestone", "Milestone"
    STATE = "state", "State change"


class GoalUpdate(TenantModel):
    """One entry of a goal's log, append-only: a comment, a progress change, a milestone ticked or
    added, a state change."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=UpdateKind.choices)
    text = models.TextField(blank=True)
    #: The goal's progress after this entry (progress and milestone entries).
    progress = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "goal", "created_at"], name="goal_update_org_goal_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"
