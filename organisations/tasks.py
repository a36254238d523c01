"""E-mails to people joining an organisation, and platform housekeeping.

The e-mail tasks are outbox jobs (``outbox.services.enqueue``): they take ids, read in the
tenant, and send through ``outbox.effects.send_once`` outside any open transaction, so a
redelivered or retried job never e-mails twice.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from organisations import rls
from organisations.models import Invitation
from organisations.tokens import hash_token, new_token
from outbox.effects import send_once

INVITATION_EMAIL_TASK = "organisations.tasks.send_invitation_email"
WELCOME_EMAIL_TASK = "organisations.tasks.send_welcome_email"


@shared_task
def send_invitation_email(*, invitation_id: int, organisation_id: int, sending: int = 1) -> bool:
    """E-mail an invitation's link (the ``sending``-th time: 1 when invited, then each resend).

    The token is issued here, at the moment of sending, and only its hash is stored: the raw
    token lives in the e-mail alone, never in the outbox row. A resend issues a new token, which
    retires the link of any earlier e-mail.
    """
    with rls.tenant_context(organisation_id):
        invitation = (
            Invitation.objects.select_related("organisation", "invited_by__user")
            .filter(organisation_id=organisation_id, pk=invitation_id)
            .first()
        )
    if invitation is None or not invitation.is_pending:
        return False

    def send() -> None:
        raw = new_token()
        with rls.tenant_context(organisation_id):
            Invitation.objects.in_organisation(organisation_id).filter(pk=invitation_id).update(
                token_hash=hash_token(raw)
            )
        path = reverse("invitation_accept", kwargs={"join_slug": invitation.organisation.slug, "token": raw})
        context = {"invitation": invitation, "url": settings.ASCENT_BASE_URL.rstrip("/") + path}
        send_mail(
            subject=f"You are invited to {invitation.organisation.name} on Ascent",
            message=render_to_string("emails/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )

    return send_once(f"invitation:{invitation_id}:{sending}", send, organisation_id=organisation_id)


@shared_task
def clear_expired_sessions() -> int:
    """Hourly housekeeping: drop expired sessions so the table does not grow without bound."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def send_welcome_email(*, user_id: int, organisation_id: int) -> bool:
    """An imported person's first e-mail: a link to choose their password (once per person and
    organisation)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from organisations.models import Organisation, User

    user = User.objects.filter(pk=user_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None:
        return False

    def send() -> None:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"user": user, "organisation": organisation, "url": settings.ASCENT_BASE_URL.rstrip("/") + path}
        send_mail(
            subject=f"Your Ascent account at {organisation.name}",
            message=render_to_string("emails/welcome.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )

    return send_once(f"welcome:{user_id}", send, organisation_id=organisation_id)
