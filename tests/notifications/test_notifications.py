"""Notifications: idempotent by key, private to their recipient (admins included), read and
unread in the centre, the bell and the API, e-mailed at most once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import send_notification_email
from organisations.models import Membership
from tests.conftest import World, login
from tests.kit.queries import assert_constant_queries


def note(w: World, who: Membership, **extra: Any) -> Notification:
    with w.tenant():
        notification = notify(recipient=who, kind="test", title=extra.pop("title", "Hello"), **extra)
    assert notification is not None
    return notification


def centre(w: World, query: str = "") -> str:
    return reverse("notifications:centre", kwargs={"org_slug": w.org.slug}) + query


def test_a_key_makes_notify_idempotent(a: World) -> None:
    first = note(a, a.employee, key="checkin:2026-W48")
    with a.tenant():
        again = notify(recipient=a.employee, kind="test", title="Hello again", key="checkin:2026-W48")
        other_person = notify(recipient=a.report, kind="test", title="Hello", key="checkin:2026-W48")
        assert again is None
        assert other_person is not None  # the key is per recipient
        assert Notification.objects.filter(recipient=a.employee).count() == 1
    assert first.title == "Hello"


def test_nothing_is_sent_to_deactivated_members_or_off_site(a: World) -> None:
    with a.tenant():
        Membership.objects.filter(pk=a.report.pk).update(is_active=False)
        gone = Membership.objects.get(pk=a.report.pk)
        assert notify(recipient=gone, kind="test", title="Hi") is None
        from django.core.exceptions import ValidationError

        for url in ("https://evil.test/", "//evil.test/x"):
            with pytest.raises(ValidationError):
                notify(recipient=a.employee, kind="test", title="Hi", url=url)


def test_the_centre_shows_only_ones_own_notifications(a: World) -> None:
    note(a, a.employee, title="For the employee")
    note(a, a.manager, title="For the manager")
    employee = login(Client(), a.employee).get(centre(a)).content.decode()
    assert "For the employee" in employee
    assert "For the manager" not in employee
    # Nobody reads another member's, admins and owners included.
    for boss in (a.admin, a.owner):
        html = login(Client(), boss).get(centre(a)).content.decode()
        assert "For the employee" not in html


def test_another_members_notification_is_404_on_page_and_api(a: World) -> None:
    theirs = note(a, a.manager)
    client = login(Client(), a.admin)
    url = reverse("notifications:mark_read", kwargs={"org_slug": a.org.slug, "notification_id": theirs.pk})
    assert client.post(url).status_code == 404
    assert client.get(f"/api/v1/orgs/{a.org.slug}/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/orgs/{a.org.slug}/notifications/{theirs.pk}/read/").status_code == 404
    with a.tenant():
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_bell_counts_unread_and_marking_read_clears_it(a: World) -> None:
    first = note(a, a.employee, title="One", url=f"/o/{a.org.slug}/okrs/")
    note(a, a.employee, title="Two")
    client = login(Client(), a.employee)
    home = client.get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})).content.decode()
    assert 'aria-label="Notifications, 2 unread"' in home
    opened = client.post(
        reverse("notifications:mark_read", kwargs={"org_slug": a.org.slug, "notification_id": first.pk}),
        {"open": "1"},
    )
    assert opened.status_code == 302
    assert opened["Location"] == f"/o/{a.org.slug}/okrs/"
    assert 'aria-label="Notifications, 1 unread"' in client.get(centre(a)).content.decode()
    unread = client.get(centre(a, "?show=unread")).content.decode()
    assert "Two" in unread
    assert ">One<" not in unread
    client.post(reverse("notifications:mark_all_read", kwargs={"org_slug": a.org.slug}))
    page = client.get(centre(a)).content.decode()
    assert 'aria-label="Notifications"' in page
    assert "Mark all read" not in page
    assert "Nothing unread" in client.get(centre(a, "?show=unread")).content.decode()


def test_htmx_mark_read_swaps_the_item(a: World) -> None:
    notification = note(a, a.employee, title="Swap me")
    response = login(Client(), a.employee).post(
        reverse("notifications:mark_read", kwargs={"org_slug": a.org.slug, "notification_id": notification.pk}),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li id="notification-{notification.pk}"')
    assert "unread" not in html.split(">", 1)[0]


def test_a_malformed_filter_is_a_400(a: World) -> None:
    client = login(Client(), a.employee)
    assert client.get(centre(a, "?show=everything")).status_code == 400
    assert client.get(f"/api/v1/orgs/{a.org.slug}/notifications/?unread=perhaps").status_code == 400


def test_api_lists_filters_and_marks_read(a: World) -> None:
    one = note(a, a.employee, title="One")
    note(a, a.employee, title="Two")
    note(a, a.report, title="Not mine")
    client = login(Client(), a.employee)
    base = f"/api/v1/orgs/{a.org.slug}/notifications/"
    assert [n["title"] for n in client.get(base).json()["results"]] == ["Two", "One"]
    read = client.post(f"{base}{one.pk}/read/").json()
    assert read["is_read"] is True
    assert [n["title"] for n in client.get(base, {"unread": "true"}).json()["results"]] == ["Two"]
    assert client.post(f"{base}read-all/").json() == {"marked": 1}
    assert client.get(base, {"unread": "true"}).json()["count"] == 0


@pytest.mark.usefixtures("eager_celery")
def test_email_goes_out_once_to_those_who_want_it(a: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification = note(a, a.employee, title="Your check-in is due", url=f"/o/{a.org.slug}/", email=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [a.employee.user.email]
    assert message.subject == "Your check-in is due"
    assert f"http://127.0.0.1:8000/o/{a.org.slug}/" in message.body
    assert message.alternatives[0][1] == "text/html"
    # A redelivered task sends nothing more.
    assert send_notification_email(notification_id=notification.pk, organisation_id=a.org.pk) is False
    assert len(mail.outbox) == 1
    # Someone who turned e-mail off gets the notification in the app only.
    a.report.user.email_notifications = False
    a.report.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        note(a, a.report, title="Quiet", email=True)
    assert len(mail.outbox) == 1


def test_centre_queries_do_not_grow(a: World) -> None:
    client = login(Client(), a.employee)

    def grow(n: int) -> None:
        for i in range(n):
            note(a, a.employee, title=f"Note {i}", url=f"/o/{a.org.slug}/")

    assert_constant_queries(client, centre(a), grow, label="notification centre")
    assert_constant_queries(client, f"/api/v1/orgs/{a.org.slug}/notifications/", grow, label="API notifications")
