"""Fixed-window counters in the cache for rate limits that have no DRF view to hang on (the
password-reset form). Callers identify the client with ``organisations.client_ip``.

If the cache cannot be reached the limit fails closed (the action is not taken) while the page
gives the same answer as ever: a reset mail delayed by an outage is better than an unlimited one.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count in the current window is within ``limit``."""
    # Hash the identity: keys stay short and an address never appears in the cache in clear.
    key = f"limit:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return limit >= 1
        return int(cache.incr(key)) <= limit
    except Exception:  # any cache failure means "no proof we are within the limit"
        log.warning("rate limit %s: cache unavailable, refusing", scope)
        return False
