"""The OKR API lists, the tree and the CSV export run the same number of SQL queries for 1 and
for 50 objectives (each with key results, milestones, contributors, an alignment and updates)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import Contributor, Milestone
from tests.conftest import World, login
from tests.kit.queries import assert_constant_queries
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory
from tests.okrs.worlds import OkrWorld, build_okrs

pytestmark = pytest.mark.usefixtures("frozen_time")


def grow(w: World, n: int) -> None:
    o: OkrWorld = w.okrs
    owners = [w.manager, w.employee, w.report]
    for i in range(n):
        owner = owners[i % len(owners)]
        objective = ObjectiveFactory(
            cycle=o.quarter,
            owner=owner,
            team=w.team,
            level="individual",
            visibility=["organisation", "team", "private"][i % 3],
        )
        kr = KeyResultFactory(objective=objective, owner=owner)
        milestone_kr = KeyResultFactory(objective=objective, owner=owner, kind="milestones")
        with w.tenant():
            Milestone.objects.create(organisation=w.org, key_result=milestone_kr, title="Beta")
            Contributor.objects.create(organisation=w.org, objective=objective, membership=w.admin)
            services.alignment_create(actor=w.owner, child=objective, parent_key_result=o.company_kr)
            services.progress_update_create(actor=w.owner, key_result=kr, value=str(i), confidence="at_risk")


URLS = {
    "objectives": lambda w: f"/api/v1/orgs/{w.org.slug}/objectives/?cycle={w.okrs.quarter.pk}",
    "objectives by status": lambda w: f"/api/v1/orgs/{w.org.slug}/objectives/?status=off_track",
    "key results": lambda w: f"/api/v1/orgs/{w.org.slug}/key-results/",
    "alignments": lambda w: f"/api/v1/orgs/{w.org.slug}/alignments/",
    "progress updates": lambda w: f"/api/v1/orgs/{w.org.slug}/progress-updates/",
    "cycles": lambda w: f"/api/v1/orgs/{w.org.slug}/cycles/",
    "tree": lambda w: f"/api/v1/orgs/{w.org.slug}/cycles/{w.okrs.quarter.pk}/tree/",
    "export (API)": lambda w: f"/api/v1/orgs/{w.org.slug}/cycles/{w.okrs.quarter.pk}/export/",
    "export (page)": lambda w: (
        reverse("okrs:csv_export", kwargs={"org_slug": w.org.slug}) + f"?cycle={w.okrs.quarter.pk}"
    ),
    "export page": lambda w: reverse("okrs:csv_export", kwargs={"org_slug": w.org.slug}),
    "import page": lambda w: reverse("okrs:csv_import", kwargs={"org_slug": w.org.slug}),
}


@pytest.mark.parametrize("name", sorted(URLS))
def test_queries_do_not_grow_with_objectives(name: str, a: World) -> None:
    """As a manager: visibility is a real condition for them (for an admin it is none)."""
    who = "manager"
    a.okrs = build_okrs(a)
    client = login(Client(), getattr(a, who))
    url = URLS[name](a)
    assert_constant_queries(client, url, lambda n: grow(a, n), label=f"{name} as {who}")
