"""Users, sign-up, and an organisation's creation and settings."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from organisations import rls
from organisations.models import (
    Membership,
    NumberFormat,
    Organisation,
    OrganisationActivity,
    Role,
    Team,
    TeamKind,
    User,
    validate_time_zone,
)
from organisations.selectors import require_role

RESERVED_SLUGS = {"admin", "api", "static", "o", "join", "signup", "login", "logout", "accounts", "new"}
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


def user_create(*, email: str, full_name: str, password: str, time_zone: str = "UTC") -> User:
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this e-mail address already exists. Sign in instead."]
    user = User(email=email, full_name=full_name.strip(), time_zone=time_zone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages
    if errors:  # every problem at once, so the form is fixed in one go
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    return user


def user_update_profile(*, user: User, full_name: str, time_zone: str, email_notifications: bool) -> User:
    if not full_name.strip():
        raise ValidationError({"full_name": "Please give your name."})
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.email_notifications = email_notifications
    user.save(update_fields=["full_name", "time_zone", "email_notifications"])
    return user


def _validate_slug(slug: str) -> None:
    if not _SLUG_RE.match(slug):
        raise ValidationError(
            {"slug": "Use 1–50 lower-case letters, digits and hyphens, starting and ending with a letter or digit."}
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": "That address is reserved; please choose another."})


def suggest_slug(name: str) -> str:
    return slugify(name)[:50].strip("-") or "org"


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str,
    owner: User,
    time_zone: str = "UTC",
    fiscal_year_start_month: int = 1,
) -> Membership:
    """Create an organisation with its company team and ``owner`` as its first member."""
    if not name.strip():
        raise ValidationError({"name": "Please name the organisation."})
    slug = slug.strip().lower()
    _validate_slug(slug)
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValidationError({"fiscal_year_start_month": "Choose a month from 1 to 12."})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "That address is taken; please choose another."})
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name.strip(), slug=slug, time_zone=time_zone, fiscal_year_start_month=fiscal_year_start_month
            )
    except IntegrityError:
        raise ValidationError({"slug": "That address is taken; please choose another."}) from None
    rls.set_tenant(organisation.pk)
    company = Team.objects.create(organisation=organisation, name=organisation.name, kind=TeamKind.COMPANY)
    return Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER, team=company)


@transaction.atomic
def signup(
    *, email: str, full_name: str, password: str, organisation_name: str, slug: str, time_zone: str = "UTC"
) -> Membership:
    """Sign-up: a new account and a new organisation it owns, all or nothing."""
    errors: dict[str, list[str]] = {}
    user: User | None = None
    try:
        user = user_create(email=email, full_name=full_name, password=password, time_zone=time_zone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _validate_slug(slug.strip().lower())
        if Organisation.objects.filter(slug=slug.strip().lower()).exists():
            raise ValidationError({"slug": "That address is taken; please choose another."})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or user is None:
        raise ValidationError(errors)
    return organisation_create(name=organisation_name, slug=slug, owner=user, time_zone=time_zone)


#: The organisation's settings an admin may change, as the activity log names them.
SETTINGS_FIELDS = (
    "name",
    "time_zone",
    "fiscal_year_start_month",
    "review_window_days",
    "pace_on_track_margin",
    "pace_at_risk_margin",
    "stale_after_days",
    "number_format",
    "objectives_need_approval",
)


@transaction.atomic
def organisation_update(
    *,
    actor: Membership,
    name: str | None = None,
    time_zone: str | None = None,
    fiscal_year_start_month: int | None = None,
    review_window_days: int | None = None,
    pace_on_track_margin: Decimal | None = None,
    pace_at_risk_margin: Decimal | None = None,
    stale_after_days: int | None = None,
    number_format: str | None = None,
    objectives_need_approval: bool | None = None,
) -> Organisation:
    """An admin changes the organisation's settings and quarter rules (None keeps a value as it
    is). Pages, the API and the tasks read the organisation afresh on each request, so a change
    applies from the next page load; what changed is recorded in the activity log."""
    require_role(actor, Role.ADMIN)
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    wanted = {
        "name": name.strip() if name is not None else None,
        "time_zone": time_zone,
        "fiscal_year_start_month": fiscal_year_start_month,
        "review_window_days": review_window_days,
        "pace_on_track_margin": pace_on_track_margin,
        "pace_at_risk_margin": pace_at_risk_margin,
        "stale_after_days": stale_after_days,
        "number_format": number_format,
        "objectives_need_approval": objectives_need_approval,
    }
    values: dict[str, Any] = {
        field: getattr(organisation, field) if value is None else value for field, value in wanted.items()
    }
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Please name the organisation."
    try:
        validate_time_zone(values["time_zone"])
    except ValidationError as exc:
        errors["time_zone"] = exc.messages[0]
    if not 1 <= values["fiscal_year_start_month"] <= 12:
        errors["fiscal_year_start_month"] = "Choose a month from 1 to 12."
    if not 0 <= values["review_window_days"] <= 60:
        errors["review_window_days"] = "Between 0 and 60 days."
    if not 1 <= values["stale_after_days"] <= 90:
        errors["stale_after_days"] = "Between 1 and 90 days."
    if values["number_format"] not in NumberFormat.values:
        errors["number_format"] = "Choose dot or comma for decimals."
    on_track, at_risk = Decimal(values["pace_on_track_margin"]), Decimal(values["pace_at_risk_margin"])
    if not Decimal(0) <= on_track <= Decimal("0.99") or on_track != on_track.quantize(Decimal("0.01")):
        errors["pace_on_track_margin"] = "Between 0 and 0.99, in hundredths."
    if not Decimal(0) <= at_risk <= Decimal("0.99") or at_risk != at_risk.quantize(Decimal("0.01")):
        errors["pace_at_risk_margin"] = "Between 0 and 0.99, in hundredths."
    elif at_risk < on_track:
        errors["pace_at_risk_margin"] = "The at-risk margin must be at least the on-track margin."
    if errors:
        raise ValidationError(errors)
    changed = {
        field: [str(getattr(organisation, field)), str(values[field])]
        for field in SETTINGS_FIELDS
        if getattr(organisation, field) != values[field]
    }
    if not changed:
        return organisation
    for field in changed:
        setattr(organisation, field, values[field])
    organisation.save(update_fields=list(changed))
    if "name" in changed:
        Team.objects.filter(organisation=organisation, kind=TeamKind.COMPANY).update(name=organisation.name)
    OrganisationActivity.objects.create(organisation=organisation, actor=actor, verb="settings changed", detail=changed)
    return organisation
