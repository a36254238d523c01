"""Check-in conversations, their versioned question templates, each organisation's cadence, the
reminder ledger and the personal calendar feeds.

A check-in points at the template *version* it was written against, so editing a template (which
creates a new version) never changes a check-in already under way or submitted. The reminder
ledger's unique key ``(organisation, membership, kind, period_key)`` is what makes every reminder
go out at most once, whatever runs twice (DESIGN.md, Reminders).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from organisations.models import Membership, TenantModel


class CheckinKind(models.TextChoices):
    BIWEEKLY = "biweekly", "Progress conversation"
    QUARTERLY_PLANNING = "quarterly_planning", "Quarter-start planning"
    END_OF_QUARTER = "end_of_quarter", "End-of-quarter review"


class CheckinState(models.TextChoices):
    DUE = "due", "Due"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    COMPLETED = "completed", "Completed"


#: States in which the employee still owes their answers.
OPEN_STATES = (CheckinState.DUE, CheckinState.DRAFT)


class CheckinTemplate(TenantModel):
    """The questions of one kind of check-in in one organisation; its text lives in versions."""

    kind = models.CharField(max_length=20, choices=CheckinKind.choices)
    current_version = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="checkin_template_one_per_kind")]

    def __str__(self) -> str:
        return CheckinKind(self.kind).label


class TemplateVersion(TenantModel):
    """An immutable set of questions: ``[{"key": "progress", "text": "…", "for": "employee"}]``.
    ``for`` is ``employee`` (answered by the employee) or ``manager`` (a prompt for the manager)."""

    template = models.ForeignKey(CheckinTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField()
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "template", "number"], name="template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    def employee_questions(self) -> list[dict[str, str]]:
        return [q for q in self.questions if q.get("for", "employee") == "employee"]

    def manager_questions(self) -> list[dict[str, str]]:
        return [q for q in self.questions if q.get("for") == "manager"]


class Checkin(TenantModel):
    employee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="checkins")
    #: The manager when the check-in was created: the pair keeps its conversation if the line changes.
    manager = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_checkins"
    )
    kind = models.CharField(max_length=20, choices=CheckinKind.choices)
    #: The period it belongs to (``rules.Period.key`` or ``cycle-<id>``); unique per employee and kind.
    period_key = models.CharField(max_length=40)
    due_date = models.DateField()
    cycle = models.ForeignKey("okrs.Cycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="checkins")
    state = models.CharField(max_length=10, choices=CheckinState.choices, default=CheckinState.DUE)
    #: Question key → the employee's answer text.
    answers = models.JSONField(default=dict, blank=True)
    manager_notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee", "kind", "period_key"], name="checkin_one_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "employee", "due_date"], name="checkin_org_employee_idx"),
            models.Index(fields=["organisation", "manager", "state"], name="checkin_org_manager_idx"),
            models.Index(fields=["organisation", "state", "due_date"], name="checkin_org_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{CheckinKind(self.kind).label} {self.period_key}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    BIWEEKLY = "biweekly", "Every other week"
    MONTHLY = "monthly", "Every month"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class CadenceSettings(TenantModel):
    """How often progress conversations fall due and when reminders go out (each member's local
    time). An organisation without a row uses the defaults below."""

    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.BIWEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    #: Local hour (each member's time zone); outside the quiet hours 21:00–07:00.
    send_hour = models.PositiveSmallIntegerField(default=9)
    grace_days = models.PositiveSmallIntegerField(default=3)
    escalation = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="cadence_one_per_org"),
            models.CheckConstraint(condition=Q(send_hour__gte=7, send_hour__lte=20), name="cadence_send_hour_daytime"),
            models.CheckConstraint(condition=Q(weekday__lte=4), name="cadence_weekday_working_day"),
            models.CheckConstraint(condition=Q(grace_days__gte=1, grace_days__lte=30), name="cadence_grace_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} on {self.get_weekday_display()}"


class ReminderKind(models.TextChoices):
    PROGRESS = "progress", "Progress conversation"
    PLANNING = "planning", "Quarter-start planning"
    REVIEW = "review", "End-of-quarter review"
    REVIEW_FOLLOWUP = "review_followup", "Review: two days left"
    DIGEST = "digest", "Manager digest"
    ESCALATION = "escalation", "Missed check-in (to the manager)"
    ESCALATION_UP = "escalation_up", "Missed check-in (to the manager's manager)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ReminderDelivery(TenantModel):
    """The ledger: one row per reminder that is due, written (ON CONFLICT DO NOTHING) before
    anything is sent. The unique key is the whole of "exactly once"."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="reminder_deliveries")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    period_key = models.CharField(max_length=80)
    checkin = models.ForeignKey(Checkin, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "membership", "kind", "period_key"], name="reminder_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "created_at"], name="reminder_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_key} → {self.membership_id}"


class CalendarFeed(TenantModel):
    """A member's secret iCalendar URL. Only a hash of the token is stored; revoking stamps
    ``revoked_at`` and a new token can be made."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "token_hash"], name="calendar_feed_unique_token"),
            models.UniqueConstraint(
                fields=["organisation", "membership"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"calendar of {self.membership_id}"
