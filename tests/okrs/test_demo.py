"""The demo OKRs (okrs.demo.seed_okrs, run by ``manage.py seed_demo``): idempotent, a real
cascade from employee@acme.test up to the company focus, every status, stale objectives, and
stored progress that agrees with a from-scratch recomputation."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from okrs import rollup, rules, services
from okrs.demo import ACME_FOCUS, GLOBEX_FOCUS
from okrs.models import (
    Activity,
    Alignment,
    Contributor,
    Cycle,
    CycleState,
    KeyResult,
    KeyResultSource,
    Milestone,
    Objective,
    ObjectiveKind,
    ProgressUpdate,
)
from organisations import rls
from organisations.models import Membership, Organisation

MODELS = (Cycle, Objective, KeyResult, Milestone, Alignment, Contributor, ProgressUpdate, Activity)


def counts(slug: str) -> dict[str, int]:
    organisation = Organisation.objects.get(slug=slug)
    with rls.tenant_context(organisation.pk):
        return {model.__name__: model.objects.count() for model in MODELS}


def acme() -> Organisation:
    return Organisation.objects.get(slug="acme")


pytestmark = pytest.mark.frozen_time(datetime(2026, 11, 22, 10, tzinfo=UTC))


def seed() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "seeded Acme" in out.getvalue()


@pytest.mark.django_db
def test_seeding_twice_creates_nothing_new(frozen_time: object) -> None:
    seed()
    first = {slug: counts(slug) for slug in ("acme", "globex")}
    seed()
    assert {slug: counts(slug) for slug in ("acme", "globex")} == first
    assert first["acme"]["Objective"] >= 15
    assert first["acme"]["ProgressUpdate"] > 100  # a quarter of weekly history
    assert first["acme"]["Cycle"] == 5  # FY2026 and its four quarters
    assert 0 < first["globex"]["Objective"] < first["acme"]["Objective"]
    assert first["globex"]["Cycle"] == 5


def _status(objective: Objective, today: date, organisation: Organisation) -> str | None:
    expected = rules.expected_progress(objective.cycle.start_date, objective.cycle.end_date, today)
    pace = (
        rules.pace_status(
            objective.worst_key_result_progress,
            expected,
            on_track_margin=organisation.pace_on_track_margin,
            at_risk_margin=organisation.pace_at_risk_margin,
        )
        if objective.worst_key_result_progress is not None
        else ""
    )
    return rules.worst(pace, objective.worst_confidence)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [date(2026, 10, 2), date(2026, 11, 22), date(2026, 12, 31), date(2027, 1, 5)],
    ids=["quarter-day-2", "mid-quarter", "quarter-last-day", "new-fiscal-year"],
)
def test_the_demo_shows_every_status_a_stale_objective_and_an_active_quarter(today: date) -> None:
    with time_machine.travel(datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)):
        seed()
        organisation = acme()
        with rls.tenant_context(organisation.pk):
            quarter = Cycle.objects.get(kind="quarter", start_date__lte=today, end_date__gte=today)
            assert quarter.state == CycleState.ACTIVE
            objectives = list(Objective.objects.filter(cycle=quarter).select_related("cycle"))
            statuses = {_status(o, today, organisation) for o in objectives}
            assert {"on_track", "at_risk", "off_track"} <= statuses
            stale = [o for o in objectives if o.last_update_at and o.last_update_at <= timezone.now() - timedelta(20)]
            assert {o.title for o in stale} >= {"Grow a team that wants to stay", "Rescue the renewals at risk"}
            # History lies in the past, ordered, and no row is from the future.
            times = list(ProgressUpdate.objects.values_list("created_at", flat=True))
            assert max(times) <= timezone.now()
            assert min(times) <= timezone.now() - timedelta(days=21)
            kinds = {o.kind for o in objectives}
            assert {ObjectiveKind.FOCUS, ObjectiveKind.DEPARTMENTAL, ObjectiveKind.THEMATIC} <= kinds
            departments = {o.team.name for o in objectives if o.kind == ObjectiveKind.DEPARTMENTAL and o.team}
            assert departments == {"Product", "Engineering", "Sales", "Customer Success", "People"}
            thematic = next(o for o in objectives if o.kind == ObjectiveKind.THEMATIC)
            contributor_teams = set(
                Contributor.objects.filter(objective=thematic).values_list("membership__team__name", flat=True)
            )
            assert len(contributor_teams) >= 3


@pytest.mark.django_db
def test_employee_progress_cascades_four_levels_up_to_the_company_focus(frozen_time: object) -> None:
    seed()
    organisation = acme()
    with rls.tenant_context(organisation.pk):
        emma = Membership.objects.get(user__email="employee@acme.test")
        own = Objective.objects.get(owner=emma, visibility="organisation")
        assert 2 <= own.key_results.count() <= 3
        # Walk up through counted alignments to parent key results fed by their children.
        chain = [own]
        node = own
        while True:
            link = Alignment.objects.filter(child=node, counts_toward_progress=True).first()
            if link is None:
                break
            parent_kr = link.parent_key_result
            assert parent_kr is not None
            assert parent_kr.progress_source == KeyResultSource.ALIGNED_CHILDREN
            node = parent_kr.objective
            chain.append(node)
        assert [o.level for o in chain] == ["individual", "team", "department", "company"]
        assert chain[1].owner.user.email == "manager@acme.test"
        assert chain[-1].title == ACME_FOCUS
        assert chain[-1].kind == ObjectiveKind.FOCUS
        before = {o.pk: o.progress for o in chain}
        kr = own.key_results.first()
        assert kr is not None
        services.progress_update_create(actor=emma, key_result=kr, value=kr.target_value, confidence="on_track")
        after = {o.pk: Objective.objects.get(pk=o.pk).progress for o in chain}
        assert all(after[pk] > before[pk] for pk in before), (before, after)


@pytest.mark.django_db
def test_stored_progress_equals_a_from_scratch_recomputation(frozen_time: object) -> None:
    seed()
    for slug in ("acme", "globex"):
        organisation = Organisation.objects.get(slug=slug)
        with rls.tenant_context(organisation.pk):
            fields = ("id", "progress", "worst_key_result_progress", "worst_confidence", "last_update_at")
            objectives = set(Objective.objects.values_list(*fields))
            key_results = set(KeyResult.objects.values_list("id", "progress", "current_value", "confidence"))
            rollup.recompute_everything(organisation.pk)
            assert set(Objective.objects.values_list(*fields)) == objectives
            assert set(KeyResult.objects.values_list("id", "progress", "current_value", "confidence")) == key_results
            # Every manual key result's stored state is what its latest history row says.
            for kr in KeyResult.objects.filter(progress_source=KeyResultSource.MANUAL):
                latest = ProgressUpdate.objects.filter(key_result=kr).order_by("created_at", "id").last()
                assert latest is not None, kr.title
                assert latest.progress == kr.progress, kr.title
                assert latest.created_at == kr.last_update_at, kr.title
                if latest.value is not None:
                    assert latest.value == kr.current_value
            focus = Objective.objects.get(title=ACME_FOCUS if slug == "acme" else GLOBEX_FOCUS)
            assert Decimal(0) < focus.progress < Decimal(1)


@pytest.mark.django_db
def test_integer_key_results_hold_whole_numbers(frozen_time: object) -> None:
    """Issue 7.11: "1.4 reviews of 2" — a number key result counted in whole units (whole start
    and target) holds whole values, in its current value and in every update of its history."""
    seed()
    with rls.tenant_context(acme().pk):
        whole = [
            kr
            for kr in KeyResult.objects.filter(kind="number", progress_source=KeyResultSource.MANUAL)
            if kr.start_value == kr.start_value.to_integral_value()
            and kr.target_value == kr.target_value.to_integral_value()
        ]
        assert whole
        for kr in whole:
            assert kr.current_value == kr.current_value.to_integral_value(), kr.title
            values = ProgressUpdate.objects.filter(key_result=kr).values_list("value", flat=True)
            assert all(v == v.to_integral_value() for v in values if v is not None), kr.title


@pytest.mark.django_db
def test_the_acme_manager_has_an_alignment_review_to_do(frozen_time: object) -> None:
    """manager@acme.test: one report objective that supports nothing, one key result nobody
    supports, one objective sent back with a comment, every other one approved."""
    from okrs.models import ApprovalState
    from okrs.permissions import Access
    from okrs.selectors.coverage import team_coverage, uncovered_key_results

    seed()
    organisation = acme()
    with rls.tenant_context(organisation.pk):
        manager = Membership.objects.select_related("organisation", "user").get(user__email="manager@acme.test")
        quarter = Objective.objects.get(title=ACME_FOCUS).cycle
        access = Access(manager)
        coverage = team_coverage(actor=manager, manager=manager, cycle=quarter, access=access)
        unaligned = [o.title for m in coverage.members for o in coverage.unaligned_of(m)]
        assert unaligned == ["Write the on-call runbook"]
        uncovered = uncovered_key_results(actor=manager, manager=manager, cycle=quarter, access=access)
        assert [kr.title for kr in uncovered] == ["Partner sandbox adopted by 10 teams"]
        sent_back = Objective.objects.filter(approval_state=ApprovalState.CHANGES_REQUESTED)
        assert [o.title for o in sent_back] == ["Harden the platform for launch"]
        assert sent_back[0].approval_comment
        needing = Objective.objects.filter(cycle=quarter, owner__manager__isnull=False)
        assert needing.exclude(approval_state=ApprovalState.APPROVED).count() == 1
        # Nothing waits: the company's focus (its owner has no manager) needs no approval.
        assert not needing.filter(approval_state=ApprovalState.PENDING).exists()
