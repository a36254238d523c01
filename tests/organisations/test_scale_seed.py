"""The scale seed at a hundredth of its size (``manage.py seed_demo --size large --scale 0.01``):
the counts, the six alignment levels, stored roll-up progress equal to a full recompute (also
after a live update through the service), and tenants that cannot see each other."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from checkins.models import Checkin
from goals.models import Goal
from okrs import rollup, services
from okrs.models import Alignment, KeyResult, KeyResultKind, KeyResultSource, Objective, ProgressUpdate
from organisations import rls
from organisations.models import Membership, Organisation, Team
from organisations.scale_seed import LARGE_SLUG, Sizes
from surveys.models import GroupResult, Response

SCALE = 0.01


def _stored(org_id: int) -> tuple[dict[int, tuple[object, ...]], dict[int, tuple[object, ...]]]:
    objectives = {
        pk: rest
        for pk, *rest in Objective.objects.in_organisation(org_id).values_list(
            "pk", "progress", "measured", "worst_key_result_progress", "worst_confidence", "last_update_at"
        )
    }
    krs = {
        pk: rest for pk, *rest in KeyResult.objects.in_organisation(org_id).values_list("pk", "progress", "measured")
    }
    return objectives, krs


def _depth(org_id: int) -> int:
    parents: dict[int, set[int]] = defaultdict(set)
    kr_objective = dict(KeyResult.objects.in_organisation(org_id).values_list("pk", "objective_id"))
    for child, parent, parent_kr in Alignment.objects.in_organisation(org_id).values_list(
        "child_id", "parent_objective_id", "parent_key_result_id"
    ):
        parents[child].add(parent or kr_objective[parent_kr])
    memo: dict[int, int] = {}

    def depth(objective: int) -> int:
        if objective not in memo:
            memo[objective] = 1 + max((depth(p) for p in parents[objective]), default=0)
        return memo[objective]

    return max(depth(pk) for pk in Objective.objects.in_organisation(org_id).values_list("pk", flat=True))


@pytest.mark.django_db
def test_scale_seed_small_version_keeps_the_invariants() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--size", "large", "--scale", str(SCALE), "--small", "2", stdout=out)
    sizes = Sizes.large(SCALE)
    large = Organisation.objects.get(slug=LARGE_SLUG)
    small = Organisation.objects.get(slug="small-01")
    assert Organisation.objects.filter(slug__startswith="small-").count() == 2

    with rls.tenant_context(large.pk):
        assert Membership.objects.count() == sizes.members
        assert Team.objects.count() == sizes.teams
        assert Objective.objects.count() == sizes.objectives
        assert KeyResult.objects.count() == sizes.key_results
        assert ProgressUpdate.objects.count() == sizes.progress_updates
        assert Goal.objects.count() == sizes.goals
        assert Response.objects.count() == sizes.survey_responses
        assert GroupResult.objects.filter(kind="organisation").count() == 1
        assert Checkin.objects.filter(state="completed").exists()
        assert Checkin.objects.filter(state="due").exists()
        # Reporting line: everyone but the CEO has a manager; the CEO has the department heads.
        assert Membership.objects.filter(manager__isnull=True).count() == 1
        assert _depth(large.pk) == 6

        # Every manual key result stores what its latest update says.
        for kr in KeyResult.objects.filter(progress_source=KeyResultSource.MANUAL).exclude(
            kind=KeyResultKind.MILESTONES
        ):
            last = ProgressUpdate.objects.filter(key_result=kr).order_by("created_at", "id").last()
            assert last is not None
            assert (last.value, last.progress) == (kr.current_value, kr.progress), kr.pk

        # Stored progress is a fixed point of the full recompute ...
        before = _stored(large.pk)
        rollup.recompute_everything(large.pk)
        assert _stored(large.pk) == before
        # ... and stays one after a live update rolled up incrementally by the service.
        leaf = (
            KeyResult.objects.filter(progress_source=KeyResultSource.MANUAL, kind=KeyResultKind.NUMBER)
            .filter(objective__parent_links__isnull=False, objective__level="individual")
            .select_related("owner__user", "owner__organisation")
            .first()
        )
        assert leaf is not None
        services.progress_update_create(actor=leaf.owner, key_result=leaf, value=str(leaf.target_value))
        after_update = _stored(large.pk)
        rollup.recompute_everything(large.pk)
        assert _stored(large.pk) == after_update

    # Row-level security: inside a small organisation, nothing of the large one is seen.
    with rls.tenant_context(small.pk):
        assert not Objective.objects.filter(organisation_id=large.pk).exists()
        assert not Membership.objects.filter(organisation_id=large.pk).exists()
        assert Membership.objects.count() == Sizes.small().members

    # A second run leaves everything alone.
    again = io.StringIO()
    call_command("seed_demo", "--size", "large", "--scale", str(SCALE), "--small", "2", stdout=again)
    assert "already there" in again.getvalue()
    with rls.tenant_context(large.pk):
        assert Objective.objects.count() == sizes.objectives
