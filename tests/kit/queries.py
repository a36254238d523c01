"""The shared query-budget check: a page or an API list runs the same number of SQL queries for
1 and for 50 objects (DESIGN.md, Testing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext


def measure(
    client: Client, url: str, *, method: str = "get", data: Any = None, **extra: Any
) -> tuple[int, HttpResponse]:
    """(SQL queries, response) of one request, which must succeed (200)."""
    send = getattr(client, method)
    with CaptureQueriesContext(connection) as captured:
        response = send(url, data, **extra) if data is not None else send(url, **extra)
        if response.streaming:
            # A streamed body (the CSV export) runs its queries while it is read: count them too.
            response.getvalue()
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return len(captured), response


def count_queries(client: Client, url: str, **request: Any) -> int:
    return measure(client, url, **request)[0]


def assert_constant_queries(
    client: Client, url: str, grow: Callable[[int], object], *, label: str = "", **request: Any
) -> int:
    """Grow the data by 1 object and count; grow it by 49 more and count again: the counts must be
    equal. Returns the count (printed too, so a closing note can quote the figures)."""
    grow(1)
    small = count_queries(client, url, **request)
    grow(49)
    large = count_queries(client, url, **request)
    assert small == large, f"{label or url}: {small} queries with 1 object, {large} with 50"
    print(f"{label or url}: {large} queries")
    return large
