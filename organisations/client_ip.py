"""The client's address, decided once for the login lockout, the password-reset limit and every
API throttle.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as the
operator says proxies stand in front of the app (``TRUSTED_PROXIES``, default 0): with *n*
proxies, the *n*-th address from the right is the one the outermost proxy saw. Anything to the
left of it was typed by the client and is ignored.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    if not chain:
        return remote
    # The last `proxies` hops were appended by our own proxies; the rightmost of the client's
    # part is the address the outermost proxy saw.
    return chain[-min(proxies, len(chain))]
