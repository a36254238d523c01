"""The operator's view: the jobs page (per kind, retry), ``manage.py outbox``, and resending an
invitation whose e-mail never went out."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from organisations import services as org_services
from organisations.models import Invitation
from organisations.tasks import INVITATION_EMAIL_TASK
from outbox import services
from outbox.models import JobState, OutboxJob
from tests.conftest import World, login
from tests.kit.queries import assert_constant_queries

JOIN_RE = re.compile(r"/join/[\w-]+/(?P<token>[\w-]+)/")


def jobs_url(w: World, query: str = "") -> str:
    return reverse("outbox:jobs", kwargs={"org_slug": w.org.slug}) + query


def failed_job(w: World, n: int = 1) -> OutboxJob:
    with w.tenant():
        job = services.enqueue(INVITATION_EMAIL_TASK, organisation_id=w.org.pk, kwargs={"n": n})
        OutboxJob.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, attempts=services.MAX_ATTEMPTS, last_error="SMTPServerDisconnected: gone"
        )
    return job


def test_jobs_page_lists_jobs_per_kind_and_state(client: Client, a: World) -> None:
    failed_job(a)
    with a.tenant():
        services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={})
    login(client, a.admin)
    page = client.get(jobs_url(a)).content.decode()
    assert "Send invitation email" in page
    assert re.search(
        r"Send invitation email</a></th>\s*<td><a [^>]*>1</a></td>\s*<td><a [^>]*><strong>1</strong>", page
    )
    assert "SMTPServerDisconnected: gone" in page
    assert page.count(">Retry<") == 2  # pending and failed may be retried; none is done
    only_failed = client.get(jobs_url(a, "?state=failed")).content.decode()
    assert only_failed.count(">Retry<") == 1


def test_jobs_page_is_reachable_from_the_admin_tabs_and_has_an_empty_state(client: Client, a: World) -> None:
    login(client, a.owner)
    people = client.get(reverse("organisations:people", kwargs={"org_slug": a.org.slug})).content.decode()
    assert jobs_url(a) in people
    page = client.get(jobs_url(a)).content.decode()
    assert "No background jobs yet" in page


@pytest.mark.parametrize("who", ["manager", "employee"])
def test_only_hr_admins_and_owners_see_jobs(client: Client, a: World, who: str) -> None:
    job = failed_job(a)
    login(client, getattr(a, who))
    assert client.get(jobs_url(a)).status_code == 403
    retry = reverse("outbox:job_retry", kwargs={"org_slug": a.org.slug, "job_id": job.pk})
    assert client.post(retry).status_code == 403
    with a.tenant():
        assert OutboxJob.objects.get(pk=job.pk).state == JobState.FAILED


def test_bad_filters_are_a_400(client: Client, a: World) -> None:
    login(client, a.admin)
    assert client.get(jobs_url(a, "?state=lost")).status_code == 400
    assert client.get(jobs_url(a, "?task=%00")).status_code == 400


@pytest.mark.usefixtures("eager_celery")
def test_retry_runs_a_failed_job_again(
    client: Client, a: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with a.tenant():
        invitation, _ = org_services.invitation_create(actor=a.admin, email="late@example.test", send=False)
        job = services.enqueue(
            INVITATION_EMAIL_TASK,
            organisation_id=a.org.pk,
            kwargs={"invitation_id": invitation.pk, "organisation_id": a.org.pk},
        )
        OutboxJob.objects.filter(pk=job.pk).update(state=JobState.FAILED, attempts=8, last_error="boom")
    login(client, a.admin)
    retry = reverse("outbox:job_retry", kwargs={"org_slug": a.org.slug, "job_id": job.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, {"next": jobs_url(a, "?state=failed")})
    assert response.status_code == 302
    assert response.url == jobs_url(a, "?state=failed")
    with a.tenant():
        stored = OutboxJob.objects.get(pk=job.pk)
    assert (stored.state, stored.attempts, stored.last_error) == (JobState.SENT, 1, "")
    assert [m.to for m in mail.outbox] == [["late@example.test"]]
    # A done job is not retried: the page says so instead.
    response = client.post(retry, follow=True)
    assert "already ran" in response.content.decode()
    assert len(mail.outbox) == 1


def test_jobs_page_queries_do_not_grow(client: Client, a: World) -> None:
    login(client, a.admin)

    def grow(n: int) -> None:
        for i in range(n):
            failed_job(a, i)

    assert_constant_queries(client, jobs_url(a), grow, label="outbox jobs page")


def test_the_command_lists_per_kind_and_retries(a: World, b: World) -> None:
    first = failed_job(a)
    failed_job(b)
    with a.tenant():
        services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={})
    out = StringIO()
    call_command("outbox", stdout=out)
    text = out.getvalue()
    assert re.search(r"organisations\.tasks\.send_invitation_email\s+1\s+2\s+0\s+\d+s ago", text), text
    assert f"failed #{first.pk} (organisation {a.org.pk})" in text

    out = StringIO()
    call_command("outbox", "--retry", str(first.pk), stdout=out)
    assert f"Job {first.pk} (organisations.tasks.send_invitation_email) queued again." in out.getvalue()
    with a.tenant():
        assert OutboxJob.objects.get(pk=first.pk).state == JobState.PENDING

    out = StringIO()
    call_command("outbox", "--retry-failed", stdout=out)
    assert "1 failed job(s) queued again." in out.getvalue()
    with b.tenant():
        assert list(OutboxJob.objects.values_list("state", flat=True)) == [JobState.PENDING]


def test_the_command_refuses_an_unknown_or_finished_job(a: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no job 999999"):
        call_command("outbox", "--retry", "999999", stdout=StringIO())


# ---------------------------------------------------------------- resending an invitation


@pytest.mark.usefixtures("eager_celery")
def test_an_invitation_whose_email_never_went_out_is_resent_from_the_page(
    client: Client, a: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    login(client, a.admin)
    invitations = reverse("organisations:invitations", kwargs={"org_slug": a.org.slug})
    # The broker was down when it was created: the job waits (no relay ran).
    with django_capture_on_commit_callbacks(execute=False):
        client.post(invitations, {"email": "stuck@example.test", "role": "employee"})
    with a.tenant():
        invitation = Invitation.objects.get(email="stuck@example.test")
    page = client.get(invitations).content.decode()
    assert "E-mail waiting to go out" in page
    resend = reverse("organisations:invitation_resend", kwargs={"org_slug": a.org.slug, "invitation_id": invitation.pk})
    assert resend in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, follow=True)
    assert "is on its way again" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["stuck@example.test"]]  # the waiting job ran: one e-mail
    assert "E-mail sent" in client.get(invitations).content.decode()
    first = JOIN_RE.search(mail.outbox[0].body)
    assert first

    # Resending a sent one mails a new link; the first link stops working.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(resend)
    assert len(mail.outbox) == 2
    second = JOIN_RE.search(mail.outbox[1].body)
    assert second
    assert second["token"] != first["token"]
    accept = Client()
    assert (
        accept.get(reverse("invitation_accept", kwargs={"join_slug": a.org.slug, "token": first["token"]})).status_code
        == 404
    )
    assert (
        accept.get(reverse("invitation_accept", kwargs={"join_slug": a.org.slug, "token": second["token"]})).status_code
        == 200
    )
    with a.tenant():
        assert sorted(OutboxJob.objects.values_list("key", flat=True)) == [
            f"invitation:{invitation.pk}:1",
            f"invitation:{invitation.pk}:2",
        ]


def test_a_revoked_invitation_is_not_resent(client: Client, a: World) -> None:
    with a.tenant():
        invitation, _ = org_services.invitation_create(actor=a.admin, email="gone@example.test", send=False)
        org_services.invitation_revoke(actor=a.admin, invitation=invitation)
    login(client, a.admin)
    resend = reverse("organisations:invitation_resend", kwargs={"org_slug": a.org.slug, "invitation_id": invitation.pk})
    response = client.post(resend, follow=True)
    assert "invite the address again instead" in response.content.decode()
    with a.tenant():
        assert not OutboxJob.objects.exists()


@pytest.mark.usefixtures("eager_celery")
def test_an_invitation_is_resent_through_the_api(
    client: Client, a: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with a.tenant():
        invitation, _ = org_services.invitation_create(actor=a.admin, email="api.resend@example.test", send=False)
    login(client, a.admin)
    url = f"/api/v1/orgs/{a.org.slug}/invitations/{invitation.pk}/resend/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert [m.to for m in mail.outbox] == [["api.resend@example.test"]]
    login(client, a.employee)
    assert client.post(url).status_code == 403
    with a.tenant():
        org_services.invitation_revoke(actor=a.admin, invitation=invitation)
    login(client, a.admin)
    refused = client.post(url)
    assert refused.status_code == 400
    assert "invite the address again" in str(refused.json())
