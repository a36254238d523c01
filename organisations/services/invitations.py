"""Invitations: sent, resent, revoked and accepted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organisations.models import (
    ROLE_RANK,
    Invitation,
    Membership,
    Role,
    Team,
    User,
)
from organisations.selectors import require_role
from organisations.services.memberships import check_manager
from organisations.services.organisations import user_create
from organisations.tokens import hash_token, new_token


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
