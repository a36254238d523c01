"""A manager's alignment review (issue 14): what each report's objective supports, coverage per
report and for the team, the filters, and visibility (nothing a manager may not see counts)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import KeyResult, KeyResultSource, Objective, Visibility
from okrs.permissions import Access
from okrs.selectors.coverage import Coverage, coverage_of, team_alignment, uncovered_key_results
from organisations.models import Membership
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory


@dataclass
class Team:
    """The hand-built team: the manager (a) has three direct reports and one indirect.

    - employee: ``e_mine`` → manager's key result ``m_kr1``; ``e_loose`` supports nothing
    - report: ``r_company`` → the company objective; ``r_private`` (private) → ``m_kr1``
    - indirect (reports to employee): ``i_hidden`` → a private objective of the admin (outside the
      manager's line, invisible to them: so unaligned, for the manager)
    - nobody supports ``m_kr2`` (aligned children); ``m_kr3`` has a child that does not count
    """

    manager: Membership
    indirect: Membership
    company: Objective
    mine: Objective
    m_kr1: KeyResult
    m_kr2: KeyResult
    m_kr3: KeyResult
    m_manual: KeyResult
    e_mine: Objective
    e_loose: Objective
    r_company: Objective
    r_private: Objective
    i_hidden: Objective
    admin_private: Objective


@pytest.fixture
def team(a: World, frozen_time: object) -> Team:
    cycle = CycleFactory(organisation=a.org, name="Q4")
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company", title="Company wins")
    mine = ObjectiveFactory(cycle=cycle, owner=a.manager, level="team", team=a.team, title="Manager's objective")
    kr = {"objective": mine, "progress_source": KeyResultSource.ALIGNED_CHILDREN}
    m_kr1 = KeyResultFactory(title="KR one", **kr)
    m_kr2 = KeyResultFactory(title="KR nobody supports", **kr)
    m_kr3 = KeyResultFactory(title="KR with a non-counting child", **kr)
    m_manual = KeyResultFactory(objective=mine, title="Manual KR")  # updated by hand: never "uncovered"
    indirect = MembershipFactory(organisation=a.org, team=a.team, manager=a.employee, user__full_name="Ivy Indirect")
    admin_private = ObjectiveFactory(cycle=cycle, owner=a.admin, visibility=Visibility.PRIVATE, title="HR secret")
    e_mine = ObjectiveFactory(cycle=cycle, owner=a.employee, title="Employee aligned")
    e_loose = ObjectiveFactory(cycle=cycle, owner=a.employee, title="Employee loose")
    r_company = ObjectiveFactory(cycle=cycle, owner=a.report, title="Report to company")
    r_private = ObjectiveFactory(cycle=cycle, owner=a.report, visibility=Visibility.PRIVATE, title="Report private")
    i_hidden = ObjectiveFactory(cycle=cycle, owner=indirect, title="Indirect to hidden")
    other = ObjectiveFactory(cycle=cycle, owner=a.report, title="Report non-counting")
    with a.tenant():
        services.alignment_create(actor=a.owner, child=e_mine, parent_key_result=m_kr1)
        services.alignment_create(actor=a.owner, child=r_company, parent_objective=company)
        services.alignment_create(actor=a.owner, child=r_private, parent_key_result=m_kr1)
        services.alignment_create(actor=a.owner, child=i_hidden, parent_objective=admin_private)
        link = services.alignment_create(actor=a.owner, child=other, parent_key_result=m_kr3)
        link.counts_toward_progress = False
        link.save()
        services.alignment_create(actor=a.owner, child=mine, parent_objective=company)
    return Team(
        a.manager,
        indirect,
        company,
        mine,
        m_kr1,
        m_kr2,
        m_kr3,
        m_manual,
        e_mine,
        e_loose,
        r_company,
        r_private,
        i_hidden,
        admin_private,
    )


def _alignment(a: World, t: Team, actor: Membership) -> dict[int, object]:
    objectives = list(Objective.objects.for_actor(actor).filter(cycle=t.company.cycle).exclude(owner=a.owner))
    with a.tenant():
        access = Access(actor)
        visible = [o for o in objectives if access.can_view(o)]
        return team_alignment(actor=actor, manager=t.manager, objectives=visible, access=access)  # type: ignore[return-value]


def test_coverage_numbers_of_a_hand_built_team(a: World, team: Team) -> None:
    t = team
    with a.tenant():
        alignment = _alignment(a, t, a.manager)
        report_objectives = list(Objective.objects.filter(owner=a.report).values_list("pk", flat=True))
    assert coverage_of([t.e_mine.pk, t.e_loose.pk], alignment) == Coverage(1, 2)  # type: ignore[arg-type]
    assert coverage_of(report_objectives, alignment) == Coverage(3, 3)  # type: ignore[arg-type]
    # The indirect report's objective supports an objective the manager may not see: unaligned.
    assert coverage_of([t.i_hidden.pk], alignment) == Coverage(0, 1)  # type: ignore[arg-type]
    assert Coverage(1, 2).percent == 50
    assert Coverage(0, 0).percent is None
    e_mine = alignment[t.e_mine.pk]
    assert [p.title for p in e_mine.parents] == ["KR one"]  # type: ignore[attr-defined]
    assert e_mine.to_managers_key_result  # type: ignore[attr-defined]
    # The chain to the company level: the manager's objective, then the company's, company first.
    assert [o.title for o in e_mine.chain] == ["Company wins", "Manager's objective"]  # type: ignore[attr-defined]
    assert not alignment[t.r_company.pk].to_managers_key_result  # type: ignore[attr-defined]


def test_an_admin_sees_the_hidden_parent_so_the_indirect_objective_is_aligned_for_them(a: World, team: Team) -> None:
    with a.tenant():
        alignment = _alignment(a, team, a.admin)
    assert alignment[team.i_hidden.pk].aligned  # type: ignore[attr-defined]


def test_uncovered_key_results_are_those_fed_by_children_with_none_that_counts(a: World, team: Team) -> None:
    with a.tenant():
        found = uncovered_key_results(
            actor=a.manager, manager=a.manager, cycle=team.company.cycle, access=Access(a.manager)
        )
    assert [kr.title for kr in found] == ["KR nobody supports", "KR with a non-counting child"]
    assert [kr.has_any_child for kr in found] == [False, True]  # type: ignore[attr-defined]


def test_a_private_child_the_viewer_cannot_see_does_not_cover_a_key_result(a: World, team: Team) -> None:
    """The employee's private objective covers the manager's KR for the manager, who may see it,
    but not for a colleague who may not: the count would reveal it."""
    secret = ObjectiveFactory(cycle=team.company.cycle, owner=a.employee, visibility=Visibility.PRIVATE)
    with a.tenant():
        services.alignment_create(actor=a.owner, child=secret, parent_key_result=team.m_kr2)
        for_manager = uncovered_key_results(
            actor=a.manager, manager=a.manager, cycle=team.company.cycle, access=Access(a.manager)
        )
        for_report = uncovered_key_results(
            actor=a.report, manager=a.manager, cycle=team.company.cycle, access=Access(a.report)
        )
    assert "KR nobody supports" not in [kr.title for kr in for_manager]
    assert "KR nobody supports" in [kr.title for kr in for_report]


# ---------------------------------------------------------------- the team view


def _team_page(a: World, who: Membership, query: str = "") -> str:
    url = reverse("okrs:team", kwargs={"org_slug": a.org.slug})
    with a.tenant():
        cycle = Objective.objects.filter(title="Company wins").values_list("cycle_id", flat=True).first()
    response = login(Client(), who).get(f"{url}?cycle={cycle}{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_team_view_shows_what_each_objective_supports_and_the_coverage(a: World, team: Team) -> None:
    html = _team_page(a, a.manager)
    # 6 objectives of reports: e_mine, e_loose, r_company, r_private, non-counting, i_hidden; 4 aligned.
    assert "<strong>67%</strong> of the team's objectives support" in html
    assert "(4 of 6)" in html
    assert "2 support nothing" in html
    assert "Supports nothing" in html
    assert "Your key result" in html
    assert "Chain to the company" in html
    assert "50% aligned" in html  # the employee
    assert "100% aligned" in html  # the report
    assert "0% aligned" in html  # the indirect report
    assert team.admin_private.title not in html  # the hidden parent is never named


def test_team_view_filters_unaligned_only_and_aligned_to_my_key_results(a: World, team: Team) -> None:
    html = _team_page(a, a.manager, "&alignment=unaligned")
    assert ">Employee loose</a>" in html
    assert ">Indirect to hidden</a>" in html
    assert ">Employee aligned</a>" not in html
    assert ">Report to company</a>" not in html
    assert "(4 of 6)" in html  # the summary still counts everyone
    html = _team_page(a, a.manager, "&alignment=mine")
    assert ">Employee aligned</a>" in html
    assert ">Report private</a>" in html
    assert ">Employee loose</a>" not in html
    assert ">Report to company</a>" not in html
    assert Client().get(reverse("okrs:team", kwargs={"org_slug": a.org.slug})).status_code == 302


def test_a_malformed_alignment_filter_is_a_400(a: World, team: Team) -> None:
    url = reverse("okrs:team", kwargs={"org_slug": a.org.slug})
    assert login(Client(), a.manager).get(f"{url}?alignment=everything").status_code == 400
