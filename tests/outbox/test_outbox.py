"""The outbox in-process: enqueue writes a row in the caller's transaction, the on-commit relay
and the beat tick publish it, the worker side records what happened, effects happen once.
(The same with a real broker and worker, and their faults: ``test_faults.py``.)"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from organisations import services as org_services
from organisations.models import Invitation
from organisations.tasks import INVITATION_EMAIL_TASK
from outbox import services
from outbox.effects import send_once
from outbox.models import Effect, JobState, OutboxJob
from outbox.tasks import run_job
from tests.conftest import World, login

pytestmark = pytest.mark.services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Point the app at a port nobody listens on: the broker is down."""
    saved = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_write_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved


def jobs(w: World) -> list[OutboxJob]:
    with w.tenant():
        return list(OutboxJob.objects.order_by("pk"))


def invite(w: World, email: str) -> Invitation:
    with w.tenant():
        invitation, raw = org_services.invitation_create(actor=w.admin, email=email)
    assert raw == ""  # the token exists only in the e-mail
    return invitation


def test_enqueue_records_the_job_in_the_caller_s_transaction(a: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite(a, "new@example.test")
    [job] = jobs(a)
    assert (job.task, job.state, job.attempts, job.published_at) == (INVITATION_EMAIL_TASK, JobState.PENDING, 0, None)
    assert job.kwargs == {"invitation_id": invitation.pk, "organisation_id": a.org.pk, "sending": 1}
    assert job.key == f"invitation:{invitation.pk}:1"
    assert len(callbacks) == 1  # the relay, on commit


def test_a_rolled_back_change_leaves_no_job(a: World) -> None:
    class AbortError(Exception):
        pass

    def invite_then_fail() -> None:
        with a.tenant():
            org_services.invitation_create(actor=a.admin, email="gone@example.test")
            raise AbortError

    with pytest.raises(AbortError):
        invite_then_fail()
    assert jobs(a) == []


def test_the_same_key_is_one_job(a: World) -> None:
    with a.tenant():
        first = services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"x": 1}, key="k")
        second = services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"x": 2}, key="k")
        services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={})
        services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={})
    assert first.pk == second.pk
    assert len(jobs(a)) == 3


def test_enqueue_refuses_what_it_could_not_run(a: World) -> None:
    with a.tenant():
        with pytest.raises(ValueError, match="registered"):
            services.enqueue("no.such.task", organisation_id=a.org.pk, kwargs={})
        with pytest.raises(ValueError, match="organisation"):
            services.enqueue(INVITATION_EMAIL_TASK, organisation_id=None, kwargs={})
        with pytest.raises(TypeError):
            services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"when": timezone.now()})
    assert jobs(a) == []


@pytest.mark.usefixtures("eager_celery")
def test_the_relay_runs_the_job_and_the_email_goes_out_once(
    a: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(a, "once@example.test")
    [job] = jobs(a)
    assert job.state == JobState.SENT
    assert job.attempts == 1
    assert job.published_at is not None
    assert len(mail.outbox) == 1
    # A second delivery of the same message, and the task run by hand again, send nothing.
    run_job(job.pk, a.org.pk)
    with a.tenant():
        OutboxJob.objects.filter(pk=job.pk).update(state=JobState.PENDING)
    run_job(job.pk, a.org.pk)
    assert len(mail.outbox) == 1
    with a.tenant():
        assert list(Effect.objects.values_list("key", flat=True)) == [f"invitation:{invitation.pk}:1"]


@pytest.mark.usefixtures("broker_down")
def test_with_the_broker_down_the_request_succeeds_fast_and_the_job_waits(
    client: Client, a: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    login(client, a.admin)
    url = reverse("organisations:invitations", kwargs={"org_slug": a.org.slug})
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "outage@example.test", "role": "employee"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 1.0, f"a refused broker cost the request {elapsed:.2f}s"
    [job] = jobs(a)
    assert (job.state, job.published_at) == (JobState.PENDING, None)
    # Still down at the next tick: nothing published, nothing lost.
    assert services.relay_pending(now=timezone.now() + timedelta(minutes=1)) == 0
    assert jobs(a)[0].state == JobState.PENDING


@pytest.mark.usefixtures("eager_celery")
def test_the_beat_tick_publishes_what_is_owed_in_every_organisation(a: World, b: World) -> None:
    with a.tenant():
        services.enqueue(
            INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"invitation_id": 0, "organisation_id": a.org.pk}
        )
    with b.tenant():
        services.enqueue(
            INVITATION_EMAIL_TASK, organisation_id=b.org.pk, kwargs={"invitation_id": 0, "organisation_id": b.org.pk}
        )
    now = timezone.now()
    assert services.relay_pending(now=now) == 0  # within the grace: the requests' own relays go first
    assert services.relay_pending(now=now + timedelta(seconds=30)) == 2
    assert [j.state for j in jobs(a) + jobs(b)] == [JobState.SENT, JobState.SENT]
    assert services.relay_pending(now=now + timedelta(hours=1)) == 0  # nothing is owed any more


@pytest.mark.usefixtures("eager_celery")
def test_a_published_job_no_worker_finished_is_published_again(a: World) -> None:
    """Its message died with a broker restart or a killed worker: the tick publishes it again."""
    with a.tenant():
        job = services.enqueue(
            INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"invitation_id": 0, "organisation_id": a.org.pk}
        )
        published = timezone.now()
        OutboxJob.objects.filter(pk=job.pk).update(published_at=published)
    assert services.relay_pending(now=published + timedelta(seconds=60)) == 0  # may still be queued
    assert services.relay_pending(now=published + timedelta(seconds=121)) == 1
    assert jobs(a)[0].state == JobState.SENT


def test_a_failing_job_is_retried_with_backoff_then_failed(a: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with a.tenant():
        job = services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"bad": 1})
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        run_job(job.pk, a.org.pk)  # the task refuses the unexpected argument: a failure
        [stored] = jobs(a)
        assert stored.attempts == attempt
        assert "bad" in stored.last_error
        if attempt < services.MAX_ATTEMPTS:
            assert stored.state == JobState.PENDING
            assert stored.available_at > timezone.now() + timedelta(seconds=9 * 2 ** (attempt - 1))
            assert stored.published_at is None
    assert stored.state == JobState.FAILED
    run_job(job.pk, a.org.pk)
    assert jobs(a)[0].attempts == services.MAX_ATTEMPTS  # a failed job does not run again by itself


def test_a_job_whose_deliveries_never_return_ends_failed(a: World) -> None:
    """A delivery that killed its worker left attempts counted and nothing recorded."""
    with a.tenant():
        job = services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={})
        OutboxJob.objects.filter(pk=job.pk).update(attempts=services.MAX_ATTEMPTS)
    run_job(job.pk, a.org.pk)
    [stored] = jobs(a)
    assert stored.state == JobState.FAILED
    assert stored.last_error == "the worker died while running it"


def test_send_once_sends_once_and_a_failed_send_can_be_retried(a: World) -> None:
    sent: list[str] = []

    def send() -> None:
        sent.append("x")

    def broken() -> None:
        raise OSError("mail server away")

    with pytest.raises(OSError, match="away"):
        send_once("k1", broken, organisation_id=a.org.pk)
    assert send_once("k1", send, organisation_id=a.org.pk) is True
    assert send_once("k1", send, organisation_id=a.org.pk) is False
    assert send_once("k1", send, organisation_id=a.org.pk) is False
    assert sent == ["x"]
    with pytest.raises(ValueError, match="organisation"):
        send_once("k2", send)


def test_effects_and_jobs_are_per_organisation(a: World, b: World) -> None:
    assert send_once("same", lambda: None, organisation_id=a.org.pk) is True
    assert send_once("same", lambda: None, organisation_id=b.org.pk) is True
    with a.tenant():
        services.enqueue(INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={}, key="same")
    with b.tenant():
        assert list(OutboxJob.objects.all()) == []
        assert list(Effect.objects.values_list("organisation_id", flat=True)) == [b.org.pk]


def test_broker_reachable_says_whether_the_broker_answers(broker_down: None) -> None:
    started = time.monotonic()
    assert services.broker_reachable() is False
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_celery")
def test_a_second_beat_tick_at_the_same_time_skips_the_rows_the_first_holds() -> None:
    """Two beats (or two ticks) relaying at once: rows one tick holds are skipped by the other,
    so each owed job is published by one of them (and once-only effects cover the rest)."""
    import threading

    from django.db import connection, transaction

    from organisations import rls
    from tests.conftest import build_world

    a = build_world("alpha", "Alpha")
    with a.tenant():
        job = services.enqueue(
            INVITATION_EMAIL_TASK, organisation_id=a.org.pk, kwargs={"invitation_id": 0, "organisation_id": a.org.pk}
        )
    with a.tenant():  # its on-commit relay ran (eagerly); make it owed again, as if that publish failed
        OutboxJob.objects.filter(pk=job.pk).update(state=JobState.PENDING, published_at=None, attempts=0)
    holding, release = threading.Event(), threading.Event()

    def first_tick() -> None:  # holds the row as a relay mid-publish does
        try:
            with transaction.atomic(), rls.tenant_context(a.org.pk):
                list(OutboxJob.objects.select_for_update().filter(pk=job.pk))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_tick)
    thread.start()
    assert holding.wait(10)
    later = timezone.now() + timedelta(seconds=30)
    try:
        assert services.relay_pending(now=later) == 0  # skipped, not waited for
    finally:
        release.set()
        thread.join(10)
    assert services.relay_pending(now=later) == 1
    assert jobs(a)[0].state == JobState.SENT
    assert services.relay_pending(now=later) == 0


# ---------------------------------------------------------------- many jobs at once (a dispatcher's batches)

BATCH_TASK = "checkins.tasks.send_reminders"  # a real task; with no ids it sends nothing


def batches(w: World, n: int, start: int = 0) -> list[tuple[str, dict[str, Any]]]:
    return [(f"batch:{i}", {"organisation_id": w.org.pk, "delivery_ids": []}) for i in range(start, start + n)]


def test_enqueue_many_writes_every_job_with_one_publish_on_commit(
    a: World, django_capture_on_commit_callbacks: Any
) -> None:
    import checkins.tasks  # noqa: F401  (registers the task)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, a.tenant():
        written = services.enqueue_many(BATCH_TASK, organisation_id=a.org.pk, jobs=batches(a, 3))
    assert written == [job.pk for job in jobs(a)]
    assert [(job.key, job.state, job.published_at) for job in jobs(a)] == [
        (f"batch:{i}", JobState.PENDING, None) for i in range(3)
    ]
    assert len(callbacks) == 1  # one relay for all of them
    with a.tenant():  # keys recorded already give no second job
        assert services.enqueue_many(BATCH_TASK, organisation_id=a.org.pk, jobs=batches(a, 4)) == [jobs(a)[-1].pk]
    assert len(jobs(a)) == 4
    with pytest.raises(ValueError, match="needs a key"), a.tenant():
        services.enqueue_many(BATCH_TASK, organisation_id=a.org.pk, jobs=[("", {})])
    with pytest.raises(ValueError, match="no Celery task"), a.tenant():
        services.enqueue_many("nope.task", organisation_id=a.org.pk, jobs=batches(a, 1, start=9))


@pytest.mark.usefixtures("eager_celery")
def test_enqueue_many_jobs_run_once_committed(a: World, django_capture_on_commit_callbacks: Any) -> None:
    import checkins.tasks  # noqa: F401

    with django_capture_on_commit_callbacks(execute=True), a.tenant():
        services.enqueue_many(BATCH_TASK, organisation_id=a.org.pk, jobs=batches(a, 5))
    assert [(job.state, job.attempts) for job in jobs(a)] == [(JobState.SENT, 1)] * 5
    assert all(job.published_at is not None for job in jobs(a))


@pytest.mark.usefixtures("broker_down")
def test_enqueue_many_with_the_broker_down_costs_one_failed_connection(
    a: World, django_capture_on_commit_callbacks: Any
) -> None:
    import checkins.tasks  # noqa: F401

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), a.tenant():
        services.enqueue_many(BATCH_TASK, organisation_id=a.org.pk, jobs=batches(a, 200))
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"200 jobs with the broker down cost {elapsed:.2f}s"
    assert {(job.state, job.published_at) for job in jobs(a)} == {(JobState.PENDING, None)}
    assert len(jobs(a)) == 200
