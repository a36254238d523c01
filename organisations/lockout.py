"""The sign-in lockout (django-axes), keyed on what identifies an account and a caller.

- The address is normalised the way the backend signs in with it (stripped, lower case), so
  ``LOCK1@…`` is the same account as ``lock1@…`` for the lockout too.
- A pair (address, IP) locks after ``AXES_FAILURE_LIMIT`` failures; an IP alone locks after
  ``ASCENT_IP_FAILURE_LIMIT`` failures over any accounts, so one caller cannot try many accounts.
- The IP is ``organisations.client_ip`` (``TRUSTED_PROXIES``), like every throttle's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from organisations.client_ip import client_ip


def normalise_email(value: object) -> str:
    return str(value or "").strip().lower()


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """AXES_USERNAME_CALLABLE: the address from the credentials (API) or the form (page)."""
    if credentials and credentials.get(settings.AXES_USERNAME_FORM_FIELD) is not None:
        return normalise_email(credentials[settings.AXES_USERNAME_FORM_FIELD])
    if credentials and credentials.get("email") is not None:
        return normalise_email(credentials["email"])
    if request is not None and request.method == "POST":
        return normalise_email(request.POST.get(settings.AXES_USERNAME_FORM_FIELD))
    return ""


def lockout_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE (None when there is no address, e.g. a test's force_login)."""
    return client_ip(request) or None


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-IP limit over all accounts."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if request is None:
            return False
        since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
        failures = (
            AccessAttempt.objects.filter(ip_address=client_ip(request), attempt_time__gte=since).aggregate(
                total=Sum("failures_since_start")
            )["total"]
            or 0
        )
        return bool(failures >= settings.ASCENT_IP_FAILURE_LIMIT)

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes flags the request from the pair's count alone; the per-IP limit must answer with
        # the lockout page too.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and self.is_locked(request, credentials)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
