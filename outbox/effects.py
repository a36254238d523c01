"""Effects that must happen at most once whatever runs a job again: ``send_once``.

Celery with late acknowledgement delivers a job at least once (a worker killed after the e-mail
went out but before the acknowledgement gets the message again), the relay may publish a job
twice, and an operator may retry. So a job that sends something first records the send under a
unique key and sends only if the record is new.

The choice, deliberately: the record is **committed before** the send. A worker killed after the
send finds the record on redelivery and sends nothing (no duplicate). If the send itself raises,
the record is removed again so the retry sends. The only window left is a process killed between
the record's commit and the hand-over of the message to the mail server (microseconds of
``send()``); that e-mail is then not sent and the operator's view shows the job as finished. An
e-mail sent twice cannot be taken back; one lost in that window is the smaller harm. Inside an
enclosing transaction (tests, a synchronous command) the record simply joins it.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from organisations import rls
from outbox.models import Effect

logger = logging.getLogger(__name__)

#: The organisation of the job being run (set by ``outbox.tasks.run_job``).
_job_organisation: contextvars.ContextVar[int | None] = contextvars.ContextVar("outbox_job_organisation", default=None)


@contextmanager
def running_for(organisation_id: int) -> Iterator[None]:
    token = _job_organisation.set(organisation_id)
    try:
        yield
    finally:
        _job_organisation.reset(token)


def send_once(key: str, send: Callable[[], None], *, organisation_id: int | None = None) -> bool:
    """Run ``send`` unless an effect with ``key`` was recorded before; True if it ran now.

    The organisation is the running job's (or ``organisation_id``). Call it outside any
    transaction you hold open, so that the record is committed before the send (see above).
    """
    organisation_id = organisation_id if organisation_id is not None else _job_organisation.get()
    if organisation_id is None:
        raise ValueError("send_once() needs the organisation: call it from an outbox job or pass organisation_id")
    key = key.strip()
    if not key or len(key) > 200:
        raise ValueError("an effect key is 1 to 200 characters")
    try:
        with rls.tenant_context(organisation_id), transaction.atomic():
            Effect.objects.create(organisation_id=organisation_id, key=key)
    except IntegrityError:
        logger.info("outbox: effect %s happened already; not repeated", key)
        return False
    try:
        send()
    except BaseException:
        with rls.tenant_context(organisation_id):
            Effect.objects.in_organisation(organisation_id).filter(key=key).delete()
        raise
    return True
