"""OKRs: cycles, objectives, key results, alignments, progress updates.

Progress is stored (denormalised) on key results and objectives and recomputed for every
affected ancestor in the transaction that changes it (okrs.rollup), so reading a tree never
computes. Progress values are fractions in [0, 1].
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from organisations.models import Membership, Team, TenantModel


class CycleKind(models.TextChoices):
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    CUSTOM = "custom", "Custom"


class CycleState(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    REVIEW = "review", "Review"
    CLOSED = "closed", "Closed"


class Cycle(TenantModel):
    """A time box for OKRs. Quarters sit inside the annual cycle that contains them."""

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=CycleKind.choices, default=CycleKind.QUARTER)
    start_date = models.DateField()
    end_date = models.DateField()
    state = models.CharField(max_length=8, choices=CycleState.choices, default=CycleState.PLANNING)
    #: The state was set by hand; the daily task then leaves it alone.
    state_pinned = models.BooleanField(default=False)
    review_window_days = models.PositiveSmallIntegerField(default=7)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="cycle_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "start_date"],
                condition=~models.Q(kind="custom"),
                name="cycle_unique_generated_period",
            ),
            # Every picker lists cycles by name: two "Q4 FY2026" cannot be told apart.
            models.UniqueConstraint("organisation", Lower("name"), name="cycle_unique_name"),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="cycle_org_state_idx")]

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    COMPANY = "company", "Company"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"
    INDIVIDUAL = "individual", "Individual"


#: Company objectives first, then department, team and individual ones: the one order every list,
#: tree and export uses.
LEVEL_RANK: dict[str, int] = {value: rank for rank, value in enumerate(Level.values)}


def level_rank(field: str = "level") -> models.Case:
    """``LEVEL_RANK`` as an SQL expression, to order querysets by it (``field``: the level's path,
    e.g. ``child__level`` from an alignment)."""
    return models.Case(
        *(models.When(**{field: value}, then=models.Value(rank)) for value, rank in LEVEL_RANK.items()),
        default=models.Value(len(LEVEL_RANK)),
        output_field=models.IntegerField(),
    )


class ObjectiveKind(models.TextChoices):
    STANDARD = "standard", "Standard"
    DEPARTMENTAL = "departmental", "Departmental"
    FOCUS = "focus", "One vision, one focus"
    THEMATIC = "thematic", "Thematic"


class Visibility(models.TextChoices):
    ORGANISATION = "organisation", "Everyone in the organisation"
    TEAM = "team", "The team"
    PRIVATE = "private", "Private (owner, their managers, admins)"


class ObjectiveSource(models.TextChoices):
    KEY_RESULTS = "key_results", "Its key results"
    ALIGNED_CHILDREN = "aligned_children", "Objectives aligned to it"
    BOTH = "both", "Both"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


STATUS_RANK = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}


def progress_field() -> models.DecimalField:
    return models.DecimalField(max_digits=7, decimal_places=6, default=Decimal(0))


def weight_field() -> models.DecimalField:
    return models.DecimalField(
        max_digits=8, decimal_places=3, default=Decimal(1), validators=[MinValueValidator(Decimal(0))]
    )


def value_field(**options: object) -> models.DecimalField:
    return models.DecimalField(max_digits=20, decimal_places=4, **options)  # type: ignore[arg-type]


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Objective(TenantModel):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.INDIVIDUAL)
    kind = models.CharField(max_length=12, choices=ObjectiveKind.choices, default=ObjectiveKind.STANDARD)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="owned_objectives")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives")
    contributors = models.ManyToManyField(Membership, through="Contributor", related_name="contributed_objectives")
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.ORGANISATION)
    progress_source = models.CharField(
        max_length=16, choices=ObjectiveSource.choices, default=ObjectiveSource.KEY_RESULTS
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # Denormalised by okrs.rollup in the same transaction as any change below it.
    progress = progress_field()
    #: False when there is nothing to measure yet (no input of positive weight once unmeasured
    #: inputs are left out): progress is then stored as 0, shows no pace, and is left out of
    #: every mean above it. objective_create stores False; the roll-up keeps it current.
    measured = models.BooleanField(default=True)
    #: The lowest progress among its measured key results: an objective takes its worst key
    #: result's pace.
    worst_key_result_progress = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    #: The worst latest confidence among its key results.
    worst_confidence = models.CharField(max_length=10, choices=Status.choices, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    reflection = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    #: A manager's review (okrs.services.approvals): pending until approved or sent back with a
    #: comment; a material edit after a send-back makes it pending again.
    approval_state = models.CharField(max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    approval_comment = models.TextField(blank=True)
    approval_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approval_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "level", "title"]
        indexes = [
            models.Index(fields=["organisation", "cycle", "owner"], name="objective_org_cycle_owner_idx"),
            models.Index(fields=["organisation", "cycle", "team"], name="objective_org_cycle_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=1), name="objective_progress_range"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_approval(self) -> bool:
        """Reviewed by its owner's managers: the objective of someone without a manager (the top
        of the organisation) needs no approval. ``NEEDS_APPROVAL`` is the same rule in SQL."""
        return self.owner.manager_id is not None


#: ``Objective.needs_approval`` as a filter.
NEEDS_APPROVAL = models.Q(owner__manager__isnull=False)


class Contributor(TenantModel):
    """Someone from another team who works on an objective (a thematic objective spans functions)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="contributor_links")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "objective", "membership"], name="contributor_unique")
        ]


class KeyResultKind(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENTAGE = "percentage", "Percentage"
    CURRENCY = "currency", "Currency"
    BOOLEAN = "boolean", "Done / not done"
    MILESTONES = "milestones", "Milestones"


class KeyResultSource(models.TextChoices):
    MANUAL = "manual", "Updated by hand"
    ALIGNED_CHILDREN = "aligned_children", "Objectives aligned to it"


class KeyResult(TenantModel):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KeyResultKind.choices, default=KeyResultKind.NUMBER)
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. customers, hours, %")
    currency = models.CharField(max_length=3, blank=True, help_text="ISO code, e.g. EUR")
    start_value = value_field(default=Decimal(0))
    target_value = value_field(default=Decimal(1))
    current_value = value_field(default=Decimal(0))
    weight = weight_field()
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="owned_key_results")
    progress_source = models.CharField(max_length=16, choices=KeyResultSource.choices, default=KeyResultSource.MANUAL)
    position = models.PositiveIntegerField(default=0)
    # Denormalised by okrs.rollup.
    progress = progress_field()
    #: A manual key result is always measured; one fed by aligned children is not while none of
    #: them has anything to measure (see Objective.measured).
    measured = models.BooleanField(default=True)
    confidence = models.CharField(max_length=10, choices=Status.choices, blank=True)
    last_update_at = models.DateTimeField(null=True, blank=True)
    #: The score someone set; None means its default (its progress) stands.
    score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    score_note = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organisation", "objective"], name="keyresult_org_objective_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=1), name="keyresult_progress_range"
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="keyresult_weight_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score_is_default(self) -> bool:
        """No one has scored it: its progress stands as its score (shown marked "default")."""
        return self.score is None

    @property
    def effective_score(self) -> Decimal | None:
        """The score it counts with: the one set, else its progress; None with nothing to measure."""
        if self.score is not None:
            return self.score
        if not self.measured:
            return None
        return self.progress.quantize(Decimal("0.001"))


class Milestone(TenantModel):
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    weight = weight_field()
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(weight__gte=0), name="milestone_weight_nonnegative")]

    def __str__(self) -> str:
        return self.title


class Alignment(TenantModel):
    """A child objective supports a parent objective or a parent key result (a DAG, never a loop)."""

    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent_objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links"
    )
    parent_key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links"
    )
    weight = weight_field()
    counts_toward_progress = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(parent_objective__isnull=False, parent_key_result__isnull=True)
                    | models.Q(parent_objective__isnull=True, parent_key_result__isnull=False)
                ),
                name="alignment_exactly_one_parent",
            ),
            models.CheckConstraint(condition=~models.Q(parent_objective=models.F("child")), name="alignment_not_self"),
            models.UniqueConstraint(
                fields=["organisation", "child", "parent_objective"],
                condition=models.Q(parent_objective__isnull=False),
                name="alignment_unique_objective_parent",
            ),
            models.UniqueConstraint(
                fields=["organisation", "child", "parent_key_result"],
                condition=models.Q(parent_key_result__isnull=False),
                name="alignment_unique_key_result_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "parent_objective"], name="alignment_org_parent_obj_idx"),
            models.Index(fields=["organisation", "parent_key_result"], name="alignment_org_parent_kr_idx"),
        ]


class ProgressUpdate(TenantModel):
    """Append-only history of a key result. A database trigger refuses UPDATE always, and DELETE
    unless the transaction deletes the key result itself (services.allow_history_deletion)."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="updates")
    value = value_field(null=True, blank=True)
    progress = models.DecimalField(max_digits=7, decimal_places=6)
    confidence = models.CharField(max_length=10, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organisation", "key_result", "created_at"], name="update_org_kr_time_idx")]


class Activity(TenantModel):
    """What happened to an objective, for its activity feed and the audit of closed-cycle edits."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    closed_cycle_edit = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set by okrs.selectors.objective_activity: may the reader see what this entry names?
    names_visible: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "objective", "created_at"], name="activity_org_obj_time_idx")]
