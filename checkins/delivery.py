"""Sending the reminders the dispatcher wrote into the ledger: in-app (``notifications.notify``,
keyed by the ledger row so it happens once) and by e-mail (HTML and text, a direct link, a signed
one-click unsubscribe link) to members who want e-mail.

Each row is sent by two idempotent effects — the in-app notification keyed by the row, the e-mail
through ``outbox.effects.send_once`` keyed by the row — and only then marked sent. Two workers
given the same batch (a redelivery after a lost worker) therefore send each row once; a crash
before the mark leaves the row pending and the redelivered job finishes it without repeating.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from checkins.models import OPEN_STATES, Checkin, CheckinState, DeliveryStatus, ReminderDelivery, ReminderKind
from notifications.services import notify
from organisations import rls
from organisations.models import Membership, Organisation
from outbox.effects import send_once

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "checkins.unsubscribe"


def unsubscribe_token(membership: Membership) -> str:
    return signing.dumps({"m": membership.pk, "o": membership.organisation_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(organisation id, membership id) of a valid token, else None (tampered or foreign)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("o"), int):
        return None
    return data["o"], data["m"]


def send_batch(*, organisation_id: int, delivery_ids: list[int]) -> int:
    organisation = Organisation.objects.get(pk=organisation_id)
    sent = 0
    for delivery_id in delivery_ids:
        with rls.tenant_context(organisation_id):
            row = (
                ReminderDelivery.objects.in_organisation(organisation_id)
                .select_related("membership__user", "membership__manager__user", "checkin__employee__user")
                .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
                .first()
            )
            if row is None:
                continue  # sent already (a redelivered batch)
            member = row.membership
            if not member.is_active or not member.user.is_active:
                _mark(organisation_id, row.pk, DeliveryStatus.FAILED, "The member was deactivated before it went out.")
                continue
            title, body, path = _content(organisation, row)
            # Keyed by the ledger row: a second worker or a redelivery adds no second notification.
            notify(
                recipient=member,
                kind=f"checkins.{row.kind}",
                title=title,
                body=body,
                url=path,
                key=f"reminder:{row.pk}",
            )
        if member.user.email_notifications:
            # Outside any open transaction, as send_once requires: its record commits before the send.
            send_once(
                f"checkins.reminder:{row.pk}",
                functools.partial(_email, organisation, member, title, body, path),
                organisation_id=organisation_id,
            )
        _mark(organisation_id, row.pk, DeliveryStatus.SENT, "")
        sent += 1
    return sent


def _mark(organisation_id: int, delivery_id: int, status: str, error: str) -> None:
    with rls.tenant_context(organisation_id):
        ReminderDelivery.objects.in_organisation(organisation_id).filter(
            pk=delivery_id, status=DeliveryStatus.PENDING
        ).update(
            status=status,
            error=error,
            attempts=F("attempts") + 1,
            sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        )


def _content(organisation: Organisation, row: ReminderDelivery) -> tuple[str, str, str]:
    slug = organisation.slug
    checkin = row.checkin
    to_checkin = reverse("checkins:detail", kwargs={"org_slug": slug, "checkin_id": checkin.pk}) if checkin else ""
    home = reverse("checkins:home", kwargs={"org_slug": slug})
    due = f" It is due on {checkin.due_date:%A %-d %B}." if checkin else ""
    manager = row.membership.manager.user.full_name if row.membership.manager else "your manager"
    if row.kind == ReminderKind.PROGRESS:
        return (
            "Your progress conversation is due",
            f"Write down your progress before you talk with {manager}.{due}",
            to_checkin,
        )
    if row.kind == ReminderKind.PLANNING:
        return "Plan the quarter with your manager", f"What will you focus on for the next 90 days?{due}", to_checkin
    if row.kind == ReminderKind.REVIEW:
        return "Your end-of-quarter review", f"Look back at the quarter with {manager}.{due}", to_checkin
    if row.kind == ReminderKind.REVIEW_FOLLOWUP:
        return "Two days left for your end-of-quarter review", f"The review window closes soon.{due}", to_checkin
    if row.kind == ReminderKind.DIGEST:
        counts = (
            Checkin.objects.in_organisation(organisation.pk)
            .filter(employee__manager=row.membership, employee__is_active=True)
            .aggregate(
                due=Count("id", filter=Q(state__in=OPEN_STATES, due_date__gte=timezone.localdate())),
                overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_date__lt=timezone.localdate())),
                submitted=Count("id", filter=Q(state=CheckinState.SUBMITTED)),
            )
        )
        body = f"{counts['due']} due, {counts['submitted']} submitted and waiting for you, {counts['overdue']} overdue."
        return "Your team's check-ins", body, reverse("checkins:board", kwargs={"org_slug": slug})
    # escalations
    employee = checkin.employee.user.full_name if checkin else "A report"
    path = (
        reverse("checkins:pair", kwargs={"org_slug": slug, "membership_id": checkin.employee_id}) if checkin else home
    )
    if row.kind == ReminderKind.ESCALATION:
        return (
            f"{employee} has missed a check-in",
            f"The check-in was due on {checkin.due_date:%-d %B}." if checkin else "",
            path,
        )
    return (
        f"{employee} has missed a check-in (in your reporting line)",
        f"It was due on {checkin.due_date:%-d %B} and is still open after the grace days." if checkin else "",
        path,
    )


def _email(organisation: Organisation, member: Membership, title: str, body: str, path: str) -> None:
    base = settings.ASCENT_BASE_URL.rstrip("/")
    unsubscribe = base + reverse("checkins_public:unsubscribe", kwargs={"token": unsubscribe_token(member)})
    context = {
        "title": title,
        "body": body,
        "url": base + path if path else "",
        "unsubscribe_url": unsubscribe,
        "organisation": organisation,
        "settings_url": base + "/profile/",
    }
    message = EmailMultiAlternatives(
        subject=title,
        body=render_to_string("emails/checkin_reminder.txt", context),
        to=[member.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("emails/checkin_reminder.html", context), "text/html")
    message.send()


@transaction.atomic
def unsubscribe(*, organisation_id: int, membership_id: int) -> bool:
    """Turn e-mail off for the member's person (in-app notifications stay). True if it was on."""
    with rls.tenant_context(organisation_id):
        member = (
            Membership.objects.in_organisation(organisation_id).select_related("user").filter(pk=membership_id).first()
        )
        if member is None or not member.user.email_notifications:
            return False
        member.user.email_notifications = False
        member.user.save(update_fields=["email_notifications"])
        return True
