"""Faults with real parts (issue 11, item 6): a private ``redis-server`` started here, a real
Celery worker (prefork, so it has a pool process to kill) and a real beat running the outbox
relay, both against the test database (``tests.kit.real_parts.stack``); requests through the
whole Django stack.

Every test ends by counting: e-mails in the worker's file backend, effect rows, job states. Lost
and duplicated must both be 0. The figures the notes quote (docs/architecture.md, Background
jobs; /work/notes/outbox.md) are printed with ``-s``.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from config import cache as failsafe
from organisations.models import Invitation
from outbox import services
from outbox.models import Effect, JobState, OutboxJob
from tests.conftest import World, build_world, login
from tests.factories import PASSWORD
from tests.kit.real_parts import BROKER_DOWN_REQUEST_BOUND, Stack, stack  # noqa: F401  (the private Redis, worker and beat)
from tests.outbox.pausing import PAUSING_TASK

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REQUEST_BOUND = BROKER_DOWN_REQUEST_BOUND


def jobs(w: World) -> list[OutboxJob]:
    with w.tenant():
        return list(OutboxJob.objects.order_by("pk"))


def effects(w: World) -> list[str]:
    with w.tenant():
        return list(Effect.objects.order_by("key").values_list("key", flat=True))


def invite_through_the_page(client: Client, w: World, email: str) -> tuple[int, float]:
    started = time.monotonic()
    response = client.post(
        reverse("organisations:invitations", kwargs={"org_slug": w.org.slug}), {"email": email, "role": "employee"}
    )
    return response.status_code, time.monotonic() - started


def report(line: str) -> None:
    print(f"\n[outbox faults] {line}")


def test_redis_stopped_during_requests_loses_nothing_and_sends_once(stack: Stack) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")
    client = login(Client(), a.admin)
    # One invitation while all is well: delivered, and the worker is proven up.
    assert invite_through_the_page(client, a, "before@example.test")[0] == 302
    stack.wait("the first e-mail", lambda: stack.mails_to("before@example.test") == 1)

    assert services.broker_reachable() is True
    stack.redis.stop()
    assert services.broker_reachable() is False
    answers = [invite_through_the_page(client, a, f"outage{i}@example.test") for i in range(5)]
    assert [code for code, _ in answers] == [302] * 5, answers
    slowest = max(seconds for _, seconds in answers)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.2f}s with Redis stopped"
    with a.tenant():
        assert Invitation.objects.filter(email__startswith="outage").count() == 5
    assert [j.state for j in jobs(a)].count(JobState.PENDING) == 5  # owed, and recorded as owed

    time.sleep(3)  # the outage lasts a while; nothing goes out, nothing is dropped
    assert sum(stack.mails_to(f"outage{i}@example.test") for i in range(5)) == 0
    stack.redis.start()  # empty: a Redis without persistence lost everything it held
    delivered = stack.wait(
        "the outage's e-mails after Redis came back",
        lambda: all(stack.mails_to(f"outage{i}@example.test") == 1 for i in range(5)),
        timeout=45,
    )
    time.sleep(6)  # longer than the relay's republish delay: a duplicate would show now
    counts = [stack.mails_to(f"outage{i}@example.test") for i in range(5)] + [stack.mails_to("before@example.test")]
    assert counts == [1] * 6, counts
    assert [j.state for j in jobs(a)] == [JobState.SENT] * 6
    assert len(effects(a)) == 6
    report(
        f"redis stopped: 5/5 requests 302, slowest {slowest * 1000:.0f} ms; all delivered {delivered:.1f}s "
        "after restart; lost 0, duplicated 0"
    )


def test_redis_frozen_costs_a_request_at_most_the_bound(stack: Stack) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")
    client = login(Client(), a.admin)
    assert invite_through_the_page(client, a, "warm@example.test")[0] == 302
    stack.wait("the first e-mail", lambda: stack.mails_to("warm@example.test") == 1)

    caches = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": stack.redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    stack.redis.freeze()
    try:
        assert services.broker_reachable() is False
        answers = [invite_through_the_page(client, a, f"frozen{i}@example.test") for i in range(3)]
        failsafe.forget_failures()
        with override_settings(CACHES=caches):  # the token rate limit's cache is the frozen Redis too
            started = time.monotonic()
            token = Client().post(
                "/api/v1/auth/tokens/",
                {"email": a.admin.user.email, "password": PASSWORD, "name": "s"},
                content_type="application/json",
            )
            token_seconds = time.monotonic() - started
        failsafe.forget_failures()
    finally:
        stack.redis.thaw()
    assert services.broker_reachable() is True
    assert [code for code, _ in answers] == [302] * 3, answers
    slowest = max(seconds for _, seconds in answers)
    assert slowest < REQUEST_BOUND, f"a request took {slowest:.2f}s with Redis frozen"
    assert token.status_code == 201, token.content
    assert token_seconds < REQUEST_BOUND, f"token creation took {token_seconds:.2f}s with Redis frozen"
    stack.wait(
        "the frozen-time e-mails after thawing",
        lambda: all(stack.mails_to(f"frozen{i}@example.test") == 1 for i in range(3)),
        timeout=45,
    )
    time.sleep(6)
    assert [stack.mails_to(f"frozen{i}@example.test") for i in range(3)] == [1, 1, 1]
    assert [j.state for j in jobs(a)] == [JobState.SENT] * 4
    report(
        f"redis frozen: invitation requests answered in at most {slowest * 1000:.0f} ms, token creation in "
        f"{token_seconds * 1000:.0f} ms; lost 0, duplicated 0"
    )


@pytest.mark.parametrize("stage", ["before", "after"])
def test_pool_process_killed_before_or_after_the_send_sends_exactly_once(stack: Stack, stage: str) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")
    address = f"{stage}@example.test"
    with a.tenant():
        services.enqueue(
            PAUSING_TASK,
            organisation_id=a.org.pk,
            kwargs={"to": address, "key": f"once:{stage}", "stage": stage, "control": str(stack.control)},
        )
    marker = stack.control / f"{stage}.pid"
    stack.wait(f"the job to stop {stage} the send", marker.exists)
    time.sleep(0.2)
    if stage == "after":
        assert stack.mails_to(address) == 1  # it went out; the job has not finished
    else:
        assert stack.mails_to(address) == 0
    pool_pid = int(marker.read_text())
    assert pool_pid != stack.processes["worker"].pid  # the pool process, not the worker's main one
    os.kill(pool_pid, signal.SIGKILL)
    took = stack.wait("the job to finish after the redelivery", lambda: jobs(a)[0].state == JobState.SENT)
    time.sleep(5)  # longer than the republish delay
    assert stack.mails_to(address) == 1
    assert effects(a) == [f"once:{stage}"]
    [job] = jobs(a)
    assert job.attempts == 2  # the killed delivery and the one that finished
    assert "exited with 'signal 9 (SIGKILL)'" in (stack.base / "worker.log").read_text(errors="replace")
    report(f"pool process killed {stage} the send: done {took:.1f}s after the kill; e-mails 1 (lost 0, duplicated 0)")


def test_worker_main_process_killed_jobs_are_delivered_after_restart(stack: Stack) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")
    address = "main@example.test"
    with a.tenant():
        services.enqueue(
            PAUSING_TASK,
            organisation_id=a.org.pk,
            kwargs={"to": address, "key": "once:main", "stage": "before", "control": str(stack.control)},
        )
    stack.wait("the job to start", (stack.control / "before.pid").exists)
    stack.kill("worker")  # the main process and its pool, at once, as a crashed machine would
    client = login(Client(), a.admin)
    assert invite_through_the_page(client, a, "while-down@example.test")[0] == 302  # queued meanwhile
    time.sleep(1)
    assert stack.mails_to(address) == 0
    log = stack.base / "worker.log"
    offset = log.stat().st_size
    stack.start("worker")
    restarted = time.monotonic()
    stack.wait("the worker to be ready again", lambda: "ready." in log.read_text(errors="replace")[offset:])
    ready = time.monotonic()
    stack.wait(
        "both jobs after the worker restarted",
        lambda: stack.mails_to(address) == 1 and stack.mails_to("while-down@example.test") == 1,
        timeout=45,
    )
    took = time.monotonic() - ready
    time.sleep(5)
    assert (stack.mails_to(address), stack.mails_to("while-down@example.test")) == (1, 1)
    assert [j.state for j in jobs(a)] == [JobState.SENT, JobState.SENT]
    report(
        f"worker main process killed: both jobs delivered {took:.1f}s after the new worker was ready "
        f"({ready - restarted:.1f}s to start it); lost 0, duplicated 0"
    )
