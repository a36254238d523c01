"""API throttles: every one identifies the caller by ``organisations.client_ip`` (TRUSTED_PROXIES),
never by a forwarded header anyone can write."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from organisations.client_ip import client_ip


class ClientScopedRateThrottle(ScopedRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)
