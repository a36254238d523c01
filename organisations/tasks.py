from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from organisations import rls
from organisations.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, organisation_id: int, raw_token: str) -> None:
    with rls.tenant_context(organisation_id):
        invitation = (
            Invitation.objects.select_related("organisation", "invited_by__user")
            .filter(organisation_id=organisation_id, pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return
        path = reverse("invitation_accept", kwargs={"join_slug": invitation.organisation.slug, "token": raw_token})
        context = {"invitation": invitation, "url": settings.ASCENT_BASE_URL.rstrip("/") + path}
        send_mail(
            subject=f"You are invited to {invitation.organisation.name} on Ascent",
            message=render_to_string("emails/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


@shared_task
def clear_expired_sessions() -> int:
    """Hourly housekeeping: drop expired sessions so the table does not grow without bound."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int, organisation_id: int) -> None:
    """An imported person's first e-mail: a link to choose their password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from organisations.models import Organisation, User

    user = User.objects.filter(pk=user_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None:
        return
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
