"""Shapes of the isolation sweep's cases (tests.kit.isolation): what a `tests/<app>/sweep.py` declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import World

Ids = Callable[[World], dict[str, Any]]
Body = Callable[[World, World], dict[str, Any]]


def no_ids(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """A tenant route: how to fill its ids from a world, which methods to try."""

    url_name: str
    ids: Ids = no_ids
    methods: tuple[str, ...] = ("get",)


@dataclass(frozen=True)
class BodyCase:
    """A write whose body names related objects: the other tenant's ids must be refused."""

    url_name: str
    ids: Ids  # ids of the *caller's own* object (world b)
    body: Body  # (a, b) → a body carrying a's ids
    unchanged: Callable[[World, World], Any]  # a snapshot that must not change


#: (path template, method, ids of b's own object, body carrying a's ids, field that must carry the error)
ApiBodyCase = tuple[str, str, Ids, Body, str]
