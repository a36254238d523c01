"""Writes for tenancy and people. Keyword-only, atomic, and every rule lives here.

Services raise ``ValidationError`` (with a message per field where a field is at fault)
for bad input and ``PermissionDenied`` when the actor's role does not allow the change.

About 600 lines: several streams edit this module in parallel this round, so it is split into a
``services/`` package (organisations, people, invitations, tokens) once they have all landed
rather than under their feet.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from organisations import rls
from organisations.models import (
    ROLE_RANK,
    ApiToken,
    Invitation,
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
from organisations.selectors import manager_chain_ids, require_role
from organisations.tokens import API_TOKEN_PREFIX, hash_token, new_token

RESERVED_SLUGS = {"admin", "api", "static", "o", "join", "signup", "login", "logout", "accounts", "new"}
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


# ---------------------------------------------------------------- users and sign-up


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


# ---------------------------------------------------------------- teams


def _check_team_parent(*, kind: str, parent: Team | None, team: Team | None = None) -> None:
    if kind == TeamKind.COMPANY:
        raise ValidationError({"kind": "An organisation has exactly one company; add departments and teams under it."})
    if parent is None:
        raise ValidationError({"parent": "Choose where this sits in the organisation."})
    if kind == TeamKind.DEPARTMENT and parent.kind != TeamKind.COMPANY:
        raise ValidationError({"parent": "A department sits directly under the company."})
    if kind == TeamKind.TEAM and parent.kind == TeamKind.COMPANY:
        raise ValidationError({"parent": "A team sits under a department (or another team)."})
    if team is not None:
        node: Team | None = parent
        seen = set()
        while node is not None and node.pk not in seen:
            if node.pk == team.pk:
                raise ValidationError({"parent": "A team cannot sit under itself or one of its own teams."})
            seen.add(node.pk)
            node = node.parent


@transaction.atomic
def team_create(*, actor: Membership, name: str, kind: str, parent: Team | None) -> Team:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError({"name": "Please name the team."})
    if parent is not None and parent.organisation_id != actor.organisation_id:
        raise ValidationError({"parent": "Choose a team of this organisation."})
    _check_team_parent(kind=kind, parent=parent)
    if Team.objects.for_actor(actor).filter(parent=parent, name__iexact=name.strip()).exists():
        raise ValidationError({"name": "There is already a team of that name here."})
    return Team.objects.create(organisation_id=actor.organisation_id, name=name.strip(), kind=kind, parent=parent)


@transaction.atomic
def team_update(*, actor: Membership, team: Team, name: str, parent: Team | None) -> Team:
    require_role(actor, Role.ADMIN)
    if not name.strip():
        raise ValidationError({"name": "Please name the team."})
    if team.kind == TeamKind.COMPANY:
        if parent is not None:
            raise ValidationError({"parent": "The company is the root of the tree."})
    else:
        if parent is not None and parent.organisation_id != actor.organisation_id:
            raise ValidationError({"parent": "Choose a team of this organisation."})
        _check_team_parent(kind=team.kind, parent=parent, team=team)
    duplicate = (
        Team.objects.for_actor(actor).filter(parent=parent, name__iexact=name.strip()).exclude(pk=team.pk).exists()
    )
    if duplicate:
        raise ValidationError({"name": "There is already a team of that name here."})
    team.name = name.strip()
    team.parent = parent
    team.save(update_fields=["name", "parent"])
    return team


@transaction.atomic
def team_delete(*, actor: Membership, team: Team) -> None:
    require_role(actor, Role.ADMIN)
    if team.kind == TeamKind.COMPANY:
        raise ValidationError("The company cannot be deleted.")
    if Team.objects.for_actor(actor).filter(parent=team).exists():
        raise ValidationError("Move or delete the teams under this one first.")
    if Membership.objects.for_actor(actor).filter(team=team, is_active=True).exists():
        raise ValidationError("Move this team's people to another team first.")
    team.delete()


# ---------------------------------------------------------------- memberships


def _check_role_change(*, actor: Membership, membership: Membership, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if ROLE_RANK[Role(role)] > actor.rank or membership.rank > actor.rank:
        raise PermissionDenied("You cannot give or change a role above your own.")
    if membership.role == Role.OWNER and role != Role.OWNER:
        other_owners = (
            Membership.objects.for_actor(actor)
            .filter(role=Role.OWNER, is_active=True)
            .exclude(pk=membership.pk)
            .exists()
        )
        if not other_owners:
            raise ValidationError({"role": "An organisation needs at least one owner; make someone else owner first."})


def check_manager(*, membership: Membership | None, manager: Membership | None) -> None:
    """Refuse a manager from another organisation, an inactive one, oneself, or a loop."""
    if manager is None:
        return
    if membership is not None and manager.organisation_id != membership.organisation_id:
        raise ValidationError({"manager": "Choose a manager from this organisation."})
    if not manager.is_active:
        raise ValidationError({"manager": "That person is deactivated and cannot manage anyone."})
    if membership is None or membership.pk is None:
        return
    if manager.pk == membership.pk:
        raise ValidationError({"manager": "Nobody can be their own manager."})
    if membership.pk in manager_chain_ids(manager):
        raise ValidationError(
            {
                "manager": f"{manager.user} already reports, directly or indirectly, to {membership.user}: "
                "that would make a reporting loop."
            }
        )


@transaction.atomic
def membership_update(
    *,
    actor: Membership,
    membership: Membership,
    role: str,
    team: Team | None,
    manager: Membership | None,
    job_title: str,
) -> Membership:
    require_role(actor, Role.ADMIN)
    # Lock the row so two admins editing one person cannot interleave a loop check.
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(organisation_id=actor.organisation_id, pk=membership.pk)
    )
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot change someone with a higher role than yours.")
    if role != membership.role:
        _check_role_change(actor=actor, membership=membership, role=role)
    if team is not None and team.organisation_id != actor.organisation_id:
        raise ValidationError({"team": "Choose a team of this organisation."})
    check_manager(membership=membership, manager=manager)
    membership.role = role
    membership.team = team
    membership.manager = manager
    membership.job_title = job_title.strip()
    membership.save(update_fields=["role", "team", "manager", "job_title"])
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Membership, membership: Membership) -> Membership:
    """Block the person's access to this organisation; their history stays."""
    require_role(actor, Role.ADMIN)
    if membership.pk == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot deactivate someone with a higher role than yours.")
    if membership.role == Role.OWNER:
        _check_role_change(actor=actor, membership=membership, role=Role.ADMIN)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    # Their reports now report to their manager, so nobody is left without one silently.
    Membership.objects.for_actor(actor).filter(manager=membership).update(manager=membership.manager)
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Membership, membership: Membership) -> Membership:
    require_role(actor, Role.ADMIN)
    if membership.rank > actor.rank:
        raise PermissionDenied("You cannot reactivate someone with a higher role than yours.")
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    return membership


# ---------------------------------------------------------------- invitations


def _invitation_email_taken(organisation_id: int, email: str) -> str | None:
    if Membership.objects.in_organisation(organisation_id).filter(user__email__iexact=email).exists():
        return "This person is already a member of the organisation."
    pending = Invitation.objects.in_organisation(organisation_id).filter(
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        return "An invitation to this address is already pending."
    return None


@transaction.atomic
def invitation_create(
    *,
    actor: Membership,
    email: str,
    role: str = Role.EMPLOYEE,
    team: Team | None = None,
    manager: Membership | None = None,
    job_title: str = "",
    send: bool = True,
) -> tuple[Invitation, str]:
    """Invite ``email``; returns the invitation and its raw token (never stored). With ``send``
    the token is issued by the e-mail job and exists only in the e-mail, so "" is returned."""
    require_role(actor, Role.ADMIN)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if ROLE_RANK[Role(role)] > actor.rank:
        raise PermissionDenied("You cannot invite someone with a role above your own.")
    taken = _invitation_email_taken(actor.organisation_id, email)
    if taken:
        raise ValidationError({"email": taken})
    if team is not None and team.organisation_id != actor.organisation_id:
        raise ValidationError({"team": "Choose a team of this organisation."})
    check_manager(membership=None, manager=manager)
    if manager is not None and manager.organisation_id != actor.organisation_id:
        raise ValidationError({"manager": "Choose a manager from this organisation."})
    # An expired or earlier invitation for the same address is superseded.
    Invitation.objects.for_actor(actor).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    raw = new_token()
    invitation = Invitation.objects.create(
        organisation_id=actor.organisation_id,
        email=email,
        role=role,
        team=team,
        manager=manager,
        job_title=job_title.strip(),
        token_hash=hash_token(raw),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.ASCENT_INVITATION_DAYS),
    )
    if send:
        # The e-mail job issues its own token when it sends (the raw token must not sit in an
        # outbox row), so the one made here is never given out.
        from organisations.tasks import INVITATION_EMAIL_TASK
        from outbox.services import enqueue

        enqueue(
            INVITATION_EMAIL_TASK,
            organisation_id=actor.organisation_id,
            kwargs={"invitation_id": invitation.pk, "organisation_id": actor.organisation_id, "sending": 1},
            key=f"invitation:{invitation.pk}:1",
        )
        return invitation, ""
    return invitation, raw


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Send a pending invitation's e-mail again. If the last e-mail has not gone out (waiting or
    failed), that job is run again now, so one e-mail goes out; if it went out, a new e-mail with
    a new link follows and the earlier link stops working."""
    from organisations.tasks import INVITATION_EMAIL_TASK
    from outbox.models import JobState
    from outbox.selectors import latest_jobs_by_kwarg
    from outbox.services import enqueue, job_retry

    require_role(actor, Role.ADMIN)
    invitation = Invitation.objects.select_for_update().for_actor(actor).get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(f"This invitation is {invitation.status}; invite the address again instead.")
    last = latest_jobs_by_kwarg(
        organisation_id=actor.organisation_id,
        task=INVITATION_EMAIL_TASK,
        kwarg="invitation_id",
        values=[invitation.pk],
    ).get(invitation.pk)
    if last is not None and last.state != JobState.SENT:
        job_retry(actor=actor, job=last)
        return invitation
    sending = int(last.kwargs.get("sending", 1)) + 1 if last is not None else 1
    enqueue(
        INVITATION_EMAIL_TASK,
        organisation_id=actor.organisation_id,
        kwargs={"invitation_id": invitation.pk, "organisation_id": actor.organisation_id, "sending": sending},
        key=f"invitation:{invitation.pk}:{sending}",
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require_role(actor, Role.ADMIN)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already accepted.")
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept with the signed-in ``user`` (whose e-mail must match) or create the account."""
    invitation = Invitation.objects.select_for_update().for_actor(invitation).get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(f"This invitation is {invitation.status}. Ask your HR admin for a new one.")
    if user is None:
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            raise ValidationError("An account with this e-mail exists: sign in first, then open the link again.")
        if not full_name.strip():
            raise ValidationError({"full_name": "Please give your name."})
        user = user_create(email=invitation.email, full_name=full_name, password=password)
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and open the link again."
        )
    membership = Membership.objects.for_actor(invitation).filter(user=user).first()
    if membership is None:
        manager = invitation.manager if invitation.manager and invitation.manager.is_active else None
        membership = Membership.objects.create(
            organisation_id=invitation.organisation_id,
            user=user,
            role=invitation.role,
            team=invitation.team,
            manager=manager,
            job_title=invitation.job_title,
        )
    elif not membership.is_active:
        membership.is_active = True
        membership.deactivated_at = None
        membership.save(update_fields=["is_active", "deactivated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where you will use it, e.g. “CI script”."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        from django.http import Http404

        raise Http404("No such token")


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


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
