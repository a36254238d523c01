"""The personal iCalendar feed: a member's open check-ins as all-day events on their due dates,
behind a secret token (only its hash is stored; revoking it ends the feed)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from checkins.models import OPEN_STATES, CalendarFeed, Checkin, CheckinKind
from organisations import rls
from organisations.models import Organisation
from organisations.tokens import hash_token


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def feed_for_token(token: str) -> str | None:
    """The feed's text, or None for an unknown, malformed or revoked token."""
    organisation_part, _, secret = token.partition(".")
    if not organisation_part.isdigit() or not secret:
        return None
    organisation = Organisation.objects.filter(pk=int(organisation_part)).first()
    if organisation is None:
        return None
    with rls.tenant_context(organisation.pk):
        feed = (
            CalendarFeed.objects.in_organisation(organisation.pk)
            .select_related("membership")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, membership__is_active=True)
            .first()
        )
        if feed is None:
            return None
        checkins = list(
            Checkin.objects.in_organisation(organisation.pk)
            .filter(employee=feed.membership, state__in=OPEN_STATES)
            .select_related("manager__user")
            .order_by("due_date")[:200]
        )
    base = settings.ASCENT_BASE_URL.rstrip("/")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ascent//Check-ins//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape('Check-ins · ' + organisation.name)}",
    ]
    for checkin in checkins:
        url = base + reverse("checkins:detail", kwargs={"org_slug": organisation.slug, "checkin_id": checkin.pk})
        with_whom = f" with {checkin.manager.user.full_name}" if checkin.manager else ""
        lines += [
            "BEGIN:VEVENT",
            f"UID:checkin-{checkin.pk}@ascent",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{checkin.due_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{checkin.due_date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(CheckinKind(checkin.kind).label + with_whom)}",
            f"URL:{url}",
            f"DESCRIPTION:{_escape('Your check-in is due. ' + url)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
