"""Typed readers for environment variables.

Every reader raises ``ConfigError`` with one line that names the variable, so a
missing or malformed setting stops start-up with a message an operator can act on.
"""

import os
from typing import Any

import dj_database_url


class ConfigError(Exception):
    """A required environment variable is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str) -> dict[str, Any]:
    url = env_str(name)
    if not url.startswith(("postgres://", "postgresql://")):
        raise ConfigError(f"{name} must be a postgres:// URL, got scheme {url.split(':', 1)[0]!r}")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ConfigError(f"{name} is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ConfigError(f"{name} must name a database")
    return config


def env_redis(name: str) -> str | None:
    url = os.environ.get(name, "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://")):
        raise ConfigError(f"{name} must be a redis:// URL, got {url!r}")
    return url
