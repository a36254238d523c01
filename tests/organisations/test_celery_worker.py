"""Celery with a real worker process: tasks go through the configured broker (Redis when
REDIS_URL is set, kombu's filesystem transport otherwise) and a worker started here
(``tests.kit.real_parts.worker``, on a queue of this run only) runs them against the test
database. Everything else is the application's configuration.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from organisations import services
from organisations.models import Invitation, Role
from organisations.tasks import clear_expired_sessions
from organisations.tokens import hash_token
from tests.conftest import build_world
from tests.kit.real_parts import Worker, worker  # noqa: F401  (the real worker, on this run's queue)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_sends_the_invitation_email(worker: Worker) -> None:  # noqa: F811
    a = build_world("alpha", "Alpha")

    with a.tenant():  # as the request's middleware would; the job is published when this commits
        invitation, _ = services.invitation_create(actor=a.admin, email="New.Hire@Example.test", role=Role.EMPLOYEE)

    link = re.compile(rf"{re.escape(settings.ASCENT_BASE_URL.rstrip('/'))}/join/{a.org.slug}/(?P<token>[\w-]+)/")

    def delivered() -> bool:
        return any(link.search(m.as_string()) for m in worker.messages())

    worker.wait_for("invitation e-mail", delivered)
    [mail] = [m.as_string() for m in worker.messages() if link.search(m.as_string())]
    assert "To: new.hire@example.test" in mail
    assert "Subject: You are invited to Alpha on Ascent" in mail
    match = link.search(mail)
    assert match
    raw = match["token"]
    # It was this worker, on the broker the settings name, that ran the job.
    worker.wait_for("the worker's log of the job", lambda: "send_invitation_email) done" in worker.output())
    assert f"transport:   {settings.CELERY_BROKER_URL.split('://')[0]}://" in worker.output()
    with a.tenant():
        stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.email == "new.hire@example.test"
    assert stored.is_pending
    assert stored.token_hash == hash_token(raw)  # only a hash of the e-mailed token is stored
    assert raw not in stored.token_hash


def test_beat_schedules_clearing_expired_sessions() -> None:
    entry = app.conf.beat_schedule["clear-expired-sessions"]
    assert entry["task"] == "organisations.tasks.clear_expired_sessions"
    assert entry["task"] == clear_expired_sessions.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 3600


def test_worker_clears_expired_sessions_and_keeps_live_ones(worker: Worker) -> None:  # noqa: F811
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 25, session_data="e30", expire_date=now - timedelta(hours=1))
    Session.objects.create(session_key="live" + "y" * 28, session_data="e30", expire_date=now + timedelta(days=1))

    clear_expired_sessions.delay()

    worker.wait_for(
        "deletion of the expired session",
        lambda: not Session.objects.filter(session_key="expired" + "x" * 25).exists(),
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" + "y" * 28]
