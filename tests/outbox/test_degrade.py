"""Degrade, don't fail: with the cache's Redis unreachable, what uses the cache (the API token
rate limit) keeps answering, and keeps limiting. (Frozen rather than refused: test_faults.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from config import cache as failsafe
from organisations.models import ApiToken
from tests.conftest import World
from tests.factories import PASSWORD
from tests.outbox.test_outbox import free_port

pytestmark = pytest.mark.services


@pytest.fixture
def cache_down() -> Iterator[None]:
    location = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    caches = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    failsafe.forget_failures()
    with override_settings(CACHES=caches):
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


def test_the_real_redis_cache_is_the_fail_safe_one() -> None:
    """The settings' cache (Redis in the tests, as in production) is the fail-safe backend."""
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "FailSafeRedisCache"
    failsafe.forget_failures()
    caches["default"].set("outbox-degrade-probe", "up", 5)
    assert caches["default"].get("outbox-degrade-probe") == "up"
