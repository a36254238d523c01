"""The isolation sweep's cases for the notification centre (discovered by tests.kit.isolation)."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification
from notifications.services import notify
from tests.conftest import World
from tests.kit.sweep_types import Case, Ids, no_ids


def build(w: World) -> Notification:
    """A notification of the owner (b's owner is the prober: their own lists stay theirs)."""
    with w.tenant():
        notification = notify(recipient=w.owner, kind="test", title=f"{w.org.name} news", url=f"/o/{w.org.slug}/")
    assert notification is not None
    return notification


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return tuple(sorted(Notification.objects.values_list("id", "recipient_id", "read_at")))


NOTIFICATION: Ids = lambda w: {"notification_id": w.notifications.pk}  # noqa: E731

HTML_CASES = [
    Case("notifications:centre"),
    Case("notifications:mark_read", NOTIFICATION, ("post",)),
    Case("notifications:mark_all_read", methods=("post",)),
]

P = "/api/v1/orgs/{org_slug}/notifications"
API_CASES = {
    (f"{P}/", "get"): no_ids,
    (f"{P}/{{id}}/", "get"): lambda w: {"id": w.notifications.pk},
    (f"{P}/{{id}}/read/", "post"): lambda w: {"id": w.notifications.pk},
    (f"{P}/read-all/", "post"): no_ids,
}
