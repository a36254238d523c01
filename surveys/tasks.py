"""Periodic survey work: close the surveys whose close time has passed, and aggregate them."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from organisations import rls
from organisations.models import Organisation
from surveys import services

logger = logging.getLogger(__name__)


@shared_task(name="surveys.tasks.close_due_surveys")
def close_due_surveys() -> int:
    """Every few minutes (beat, UTC): per organisation, in its own tenant, close the surveys
    whose close instant has passed (stored as instants, so the organisation's time zone is
    already in them). Idempotent: a closed survey is no longer due."""
    closed = 0
    now = timezone.now()
    for organisation in Organisation.objects.order_by("pk").only("pk"):
        try:
            with rls.tenant_context(organisation.pk):
                closed += services.surveys_close_due(organisation_id=organisation.pk, now=now)
        except Exception:  # one organisation's failure must not hold the others back
            logger.exception("close_due_surveys failed for organisation %s", organisation.pk)
    return closed


INVITATIONS_TASK = "surveys.send_invitations"


@shared_task(name=INVITATIONS_TASK)
def send_invitations(survey_id: int, organisation_id: int) -> int:
    """An outbox job (enqueued at launch): invite the survey's audience in the app and by e-mail.
    ``notify`` is idempotent per person by its key, so a redelivered job invites nobody twice."""
    with rls.tenant_context(organisation_id):
        return services.survey_invite(survey_id=survey_id)
