"""Tenancy and people: users, organisations, memberships, teams, invitations, API tokens.

Every model that belongs to an organisation inherits ``TenantModel``: a non-null
``organisation`` foreign key that leads its indexes and unique constraints, and a
table protected by PostgreSQL row-level security (see ``organisations.rls``).
"""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal
from typing import ClassVar, Protocol, Self, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/London).")


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The named time zone; an unknown or empty name counts as UTC rather than failing a page or a task."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(time_zone: str) -> date:
    """Today's date in ``time_zone``: the one definition of "today" for a person or an organisation."""
    return timezone.localdate(timezone=zone(time_zone))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address. Belongs to organisations via memberships."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    email_notifications = models.BooleanField(
        default=True, help_text="Send reminders and notifications by e-mail as well as in the app."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        # Addresses are stored lower-case, so the unique constraint is case-insensitive in effect.
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


MONTHS = [
    (i, name)
    for i, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]


class NumberFormat(models.TextChoices):
    DOT = "dot", "1,234.5 (dot for decimals)"
    COMMA = "comma", "1.234,5 (comma for decimals)"

    @property
    def decimal_mark(self) -> str:
        return "." if self == NumberFormat.DOT else ","


class Organisation(models.Model):
    """The tenant. Not itself row-level protected: it is looked up by slug to set the tenant."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    fiscal_year_start_month = models.PositiveSmallIntegerField(choices=MONTHS, default=1)
    #: Pace status (DESIGN.md): on track if progress ≥ expected − on-track margin, at risk if
    #: ≥ expected − at-risk margin, otherwise off track.
    pace_on_track_margin = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.10"))
    pace_at_risk_margin = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.30"))
    #: How a new cycle's review window is set: days after its end in which scores are given.
    review_window_days = models.PositiveSmallIntegerField(default=7)
    #: No progress update for this many days flags an objective as stale.
    stale_after_days = models.PositiveSmallIntegerField(default=14)
    #: How typed numbers are read: which mark is the decimal one (the other groups thousands).
    number_format = models.CharField(max_length=5, choices=NumberFormat.choices, default=NumberFormat.DOT)
    #: HR's choice: a cycle becomes active only once every objective needing approval (one whose
    #: owner has a manager) is approved (okrs.services.approvals).
    objectives_need_approval = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="organisation_fiscal_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    pace_on_track_margin__gte=0, pace_at_risk_margin__gte=models.F("pace_on_track_margin")
                ),
                name="organisation_pace_margins_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(review_window_days__lte=60, stale_after_days__gte=1, stale_after_days__lte=90),
                name="organisation_windows_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """Today in the organisation's time zone: cycles, pace and staleness follow its calendar."""
        return local_today(self.time_zone)


class Actor(Protocol):
    """Whoever acts inside one organisation: a membership (or anything carrying its organisation)."""

    @property
    def organisation_id(self) -> int: ...


_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    """Names the tenant boundary, so no read spells out ``organisation_id=…`` by hand."""

    def for_actor(self, actor: Actor) -> Self:
        """Rows of the actor's organisation (row-level security is the floor under this)."""
        return self.filter(organisation_id=actor.organisation_id)

    def in_organisation(self, organisation_id: int) -> Self:
        """Rows of one organisation, for tasks and commands that hold an id rather than an actor."""
        return self.filter(organisation_id=organisation_id)


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantModel(models.Model):
    """Base for every table that belongs to one organisation (row-level security applies)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "HR admin"
    OWNER = "owner", "Owner"


ROLE_RANK = {Role.EMPLOYEE: 0, Role.MANAGER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class TeamKind(models.TextChoices):
    COMPANY = "company", "Company"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Team(TenantModel):
    """A node of the organisation's tree: one company, its departments, their teams."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=TeamKind.choices, default=TeamKind.TEAM)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "parent"], name="team_org_parent_idx")]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "parent",
                Lower("name"),
                name="team_unique_name_under_parent",
                nulls_distinct=False,
            ),
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(kind="company"), name="team_one_company_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantModel):
    """A user inside one organisation, with their role, team and manager there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports")
    job_title = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Empty: the person's own time zone.",
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user_per_org"),
            models.CheckConstraint(condition=~models.Q(manager=models.F("id")), name="membership_not_own_manager"),
        ]
        indexes = [
            models.Index(fields=["organisation", "manager"], name="membership_org_manager_idx"),
            models.Index(fields=["organisation", "team"], name="membership_org_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation_id}"

    @property
    def rank(self) -> int:
        return ROLE_RANK[Role(self.role)]

    def has_role(self, role: Role) -> bool:
        return self.rank >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def effective_time_zone(self) -> str:
        return self.time_zone or self.user.time_zone


class Invitation(TenantModel):
    """An e-mailed invitation to join an organisation. Only a hash of the token is stored."""

    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.EMPLOYEE)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job_title = models.CharField(max_length=120, blank=True)
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
            models.UniqueConstraint(fields=["organisation", "token_hash"], name="invitation_unique_token"),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A personal API token. Belongs to a user (who may act in several organisations), so it is
    not a tenant table; the organisation comes from the URL and the user's membership there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OrganisationActivity(TenantModel):
    """The organisation's activity log: who changed its settings (the quarter rules, for one),
    from what to what, and when."""

    actor = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=40)
    #: {field: [before, after]} as text, for the settings that changed.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="org_activity_org_time_idx")]

    def __str__(self) -> str:
        return f"{self.verb} ({self.created_at:%Y-%m-%d %H:%M})"
