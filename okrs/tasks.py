"""Periodic OKR work: move cycles through their states by date (DESIGN.md, Cycle)."""

from __future__ import annotations

import logging

from celery import shared_task

from okrs import services
from organisations import rls
from organisations.models import Organisation

logger = logging.getLogger(__name__)


@shared_task
def advance_cycles() -> int:
    """Every 15 minutes (beat, UTC): per organisation, in its own tenant and on its own local
    date, move every cycle not pinned by hand to the state its dates give. Idempotent, so a
    retried or doubled tick changes nothing; a quarter turns at local midnight, not UTC's.

    The organisation table is not row-level protected (it is how a tenant is found), so listing
    it needs no cross-tenant helper; each organisation's cycles are read inside its tenant.
    """
    moved = 0
    for organisation in Organisation.objects.order_by("pk").only("pk", "time_zone"):
        try:
            with rls.tenant_context(organisation.pk):
                moved += services.cycles_advance(organisation_id=organisation.pk, today=organisation.today())
        except Exception:  # one organisation's failure must not hold the others back
            logger.exception("advance_cycles failed for organisation %s", organisation.pk)
    return moved
