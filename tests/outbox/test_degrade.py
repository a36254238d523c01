"""Degrade, don't fail: with the cache's Redis unreachable, what uses the cache (the API token
rate limit) keeps answering, and keeps limiting. (Frozen rather than refused: test_faults.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from config import cache as failsafe
from organisations.models import ApiToken
from tests.conftest import World
from tests.factories import PASSWORD
from tests.kit.real_parts import Redis, free_port

pytestmark = pytest.mark.services


@pytest.fixture
def cache_down() -> Iterator[None]:
    location = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    failsafe.forget_failures()
    with override_settings(CACHES={"default": failsafe.failsafe_redis_cache(location)}):
        yield
    failsafe.forget_failures()


def create_token(client: Client, email: str) -> int:
    response = client.post(
        "/api/v1/auth/tokens/", {"email": email, "password": PASSWORD, "name": "s"}, content_type="application/json"
    )
    return int(response.status_code)


@pytest.mark.usefixtures("cache_down")
def test_token_creation_works_and_is_still_rate_limited_with_the_cache_down(a: World) -> None:
    client = Client()
    started = time.monotonic()
    codes = [create_token(client, a.employee.user.email) for _ in range(11)]
    elapsed = time.monotonic() - started
    assert codes == [201] * 10 + [429]
    assert ApiToken.objects.filter(user=a.employee.user).count() == 10
    assert elapsed < 8, f"eleven requests took {elapsed:.1f}s with the cache down"


@pytest.mark.usefixtures("cache_down")
def test_every_cache_operation_answers_with_redis_unreachable() -> None:
    assert cache.get("missing", "default") == "default"
    cache.set("k", 1)
    assert cache.get("k") == 1
    assert cache.add("k", 2) is False
    assert cache.incr("k") == 2
    assert cache.get_many(["k"]) == {"k": 2}
    cache.set_many({"x": 1, "y": 2})
    assert cache.has_key("x")
    cache.delete_many(["x", "y"])
    cache.delete("k")
    assert cache.touch("k") is False
    cache.clear()


@pytest.fixture
def real_redis() -> Iterator[str]:
    """The configured Redis (CI, production), or with none configured a private redis-server."""
    if settings.REDIS_URL:
        yield settings.REDIS_URL
        return
    private = Redis(port=free_port())
    private.start()
    try:
        yield private.url
    finally:
        private.stop()


def test_the_settings_cache_is_the_fail_safe_redis_one_when_redis_is_configured() -> None:
    """With REDIS_URL the cache is the fail-safe Redis backend; without it (``make run`` with no
    services) it is the process's memory, which cannot fail."""
    from django.core.cache import caches

    expected = "FailSafeRedisCache" if settings.REDIS_URL else "LocMemCache"
    assert type(caches["default"]).__name__ == expected


def test_the_fail_safe_cache_works_on_a_real_redis(real_redis: str) -> None:
    from django.core.cache import caches

    failsafe.forget_failures()
    with override_settings(CACHES={"default": failsafe.failsafe_redis_cache(real_redis)}):
        assert type(caches["default"]).__name__ == "FailSafeRedisCache"
        caches["default"].set("outbox-degrade-probe", "up", 5)
        assert caches["default"].get("outbox-degrade-probe") == "up"
        # Stored in Redis itself, not answered by the in-memory fallback.
        assert redis.Redis.from_url(real_redis).exists(caches["default"].make_key("outbox-degrade-probe")) == 1
