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


# ---------------------------------------------------------------- key results nobody supports


def _ask(a: World, who: Membership, kr: KeyResult, member: Membership) -> object:
    url = reverse("okrs:ask_to_align", kwargs={"org_slug": a.org.slug, "key_result_id": kr.pk})
    return login(Client(), who).post(url, {"member": member.pk})


def test_team_view_lists_the_key_results_nobody_supports_with_an_ask_button(a: World, team: Team) -> None:
    html = _team_page(a, a.manager)
    assert "Key results nobody supports" in html
    assert "KR nobody supports" in html
    assert "KR with a non-counting child" in html
    assert "aligned objectives do not count toward it" in html
    assert ">KR one</a>" not in html.split("Key results nobody supports")[1].split("</section>")[0]
    assert reverse("okrs:ask_to_align", kwargs={"org_slug": a.org.slug, "key_result_id": team.m_kr2.pk}) in html
    assert "Ask to align" in html
    ask = reverse("okrs:ask_to_align", kwargs={"org_slug": a.org.slug, "key_result_id": team.m_kr2.pk})
    assert f'href="{ask}?next=' in html  # "Someone else…": the form whose picker searches the whole line


def test_asking_a_report_to_align_notifies_them_in_the_app_and_by_email_once_a_day(a: World, team: Team) -> None:
    from notifications.models import Notification
    from okrs.models import Activity
    from outbox.models import OutboxJob

    response = _ask(a, a.manager, team.m_kr2, a.employee)
    assert response.status_code == 302  # type: ignore[attr-defined]
    with a.tenant():
        notes = list(Notification.objects.filter(recipient=a.employee, kind="okrs.align_request"))
        assert len(notes) == 1
        assert "KR nobody supports" in notes[0].title
        assert notes[0].url.endswith(f"#kr-{team.m_kr2.pk}")
        assert notes[0].email_requested
        assert OutboxJob.objects.filter(key=f"notification:{notes[0].pk}").exists()
        assert Activity.objects.filter(objective=team.mine, verb="asked to align").count() == 1
    _ask(a, a.manager, team.m_kr2, a.employee)  # a second click the same day
    with a.tenant():
        assert Notification.objects.filter(recipient=a.employee, kind="okrs.align_request").count() == 1
        assert Activity.objects.filter(objective=team.mine, verb="asked to align").count() == 1


def test_only_reports_can_be_asked_and_only_by_an_editor_of_the_key_result(a: World, team: Team) -> None:
    from notifications.models import Notification

    refused = _ask(a, a.manager, team.m_kr2, a.admin)  # not a report: not one of the choices
    assert refused.status_code == 200  # type: ignore[attr-defined]
    assert "Select a valid choice" in refused.content.decode()  # type: ignore[attr-defined]
    assert _ask(a, a.employee, team.m_kr2, team.indirect).status_code == 403  # type: ignore[attr-defined]  # role
    with a.tenant():
        assert not Notification.objects.filter(kind="okrs.align_request").exists()


# ---------------------------------------------------------------- the API


def _api(a: World, path: str) -> str:
    return f"/api/v1/orgs/{a.org.slug}/{path}"


def test_api_coverage_gives_the_page_numbers_per_report_and_for_the_team(a: World, team: Team) -> None:
    client = login(Client(), a.manager)
    response = client.get(_api(a, "team-alignment/coverage/"), {"cycle": team.company.cycle_id})
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == {"aligned": 4, "total": 6, "percent": 67}
    by_member = {r["member"]: r for r in body["reports"]}
    assert by_member[a.employee.pk]["coverage"] == {"aligned": 1, "total": 2, "percent": 50}
    assert by_member[a.employee.pk]["unaligned_objectives"] == [team.e_loose.pk]
    assert by_member[a.employee.pk]["direct"] is True
    assert by_member[team.indirect.pk]["direct"] is False
    assert by_member[team.indirect.pk]["unaligned_objectives"] == [team.i_hidden.pk]
    # Someone else's team is HR's to look at; a bad parameter is a 400 naming it.
    assert client.get(_api(a, "team-alignment/coverage/"), {"manager": a.owner.pk}).status_code == 403
    bad = client.get(_api(a, "team-alignment/coverage/"), {"cycle": "x"})
    assert bad.status_code == 400
    assert "cycle" in bad.json()


def test_api_uncovered_key_results_and_ask_to_align(a: World, team: Team) -> None:
    client = login(Client(), a.manager)
    response = client.get(_api(a, "team-alignment/uncovered-key-results/"), {"cycle": team.company.cycle_id})
    assert response.status_code == 200
    assert [(k["title"], k["has_any_child"]) for k in response.json()] == [
        ("KR nobody supports", False),
        ("KR with a non-counting child", True),
    ]
    url = _api(a, f"key-results/{team.m_kr2.pk}/ask-to-align/")
    first = client.post(url, {"member": a.report.pk}, content_type="application/json")
    assert first.status_code == 200
    assert first.json() == {"notified": True}
    again = client.post(url, {"member": a.report.pk}, content_type="application/json")
    assert again.json() == {"notified": False}
    outside = client.post(url, {"member": a.owner.pk}, content_type="application/json")
    assert outside.status_code == 403
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400
    assert "member" in missing.json()
