"""The alignment map (issue 14, item 3): the manager's key results with the reports' objectives
beneath the ones they support, what supports nothing to the side, the levels and pages fetched on
demand, visibility (nothing outside the reporting line or unseen is drawn or counted) and a
constant number of queries whatever the team's size."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import Visibility
from okrs.selectors.alignment_map import GROUP_LIMIT
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import measure
from tests.okrs.factories import ObjectiveFactory
from tests.okrs.test_alignment_review import Team, team

__all__ = ["team"]  # the hand-built team of the alignment review, as a fixture here too


def _map(a: World, who: Any, t: Team, **params: Any) -> str:
    url = reverse("okrs:alignment_map", kwargs={"org_slug": a.org.slug})
    response = login(Client(), who).get(url, {"cycle": t.company.cycle_id, **params})
    assert response.status_code == 200
    return response.content.decode()


def _more(a: World, who: Any, t: Team, **params: Any) -> str:
    url = reverse("okrs:alignment_map_more", kwargs={"org_slug": a.org.slug})
    response = login(Client(), who).get(url, {"cycle": t.company.cycle_id, **params})
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_map_draws_supporters_beneath_key_results_and_the_unaligned_aside(a: World, team: Team) -> None:
    html = _map(a, a.manager, team)
    assert "Manager&#x27;s objective" in html
    kr_one = _section(html, ">KR one <span", "</li>\n        \n        <li")
    assert "Employee aligned" in kr_one
    assert "Report private" in kr_one
    assert "Nobody supports it yet" in html  # KR nobody supports
    side = _section(html, 'id="side-h"', "</aside>")
    assert "Employee loose" in side
    assert "Indirect to hidden" in side  # aligned to an objective the manager cannot see
    assert "Employee aligned" not in side
    assert team.admin_private.title not in html
    assert "1 objective supports something other than your objectives" in html  # r_company


def test_nothing_outside_the_line_or_unseen_is_drawn_or_counted(a: World, team: Team) -> None:
    outsider = MembershipFactory(organisation=a.org, team=a.team, manager=a.admin, user__full_name="Olga Outside")
    cycle = team.company.cycle
    hidden = ObjectiveFactory(cycle=cycle, owner=outsider, visibility=Visibility.PRIVATE, title="Outside secret")
    seen = ObjectiveFactory(cycle=cycle, owner=outsider, title="Outside but public")
    below = ObjectiveFactory(cycle=cycle, owner=team.indirect, title="Indirect under employee")
    secret_below = ObjectiveFactory(
        cycle=cycle, owner=outsider, visibility=Visibility.PRIVATE, title="Secret under employee"
    )
    with a.tenant():
        services.alignment_create(actor=a.owner, child=hidden, parent_key_result=team.m_kr1)
        services.alignment_create(actor=a.owner, child=seen, parent_key_result=team.m_kr1)
        services.alignment_create(actor=a.owner, child=below, parent_objective=team.e_mine)
        services.alignment_create(actor=a.owner, child=secret_below, parent_objective=team.e_mine)
    html = _map(a, a.manager, team)
    assert "Outside secret" not in html
    assert "Outside but public" not in html  # not of the manager's reporting line
    assert 'title="objectives supporting it">2</span>' in html  # KR one: the employee's and the report's
    assert "Show 1 below" in html  # under "Employee aligned": the indirect's, not the secret one
    level = _more(a, a.manager, team, parent=f"all:{team.e_mine.pk}")
    assert "Indirect under employee" in level
    assert "Secret under employee" not in level
    assert "Supporting “Employee aligned”" in level
    # The report, who is not the manager: the private objective is not theirs to see or count.
    as_report = _more(a, a.report, team, parent=f"kr:{team.m_kr1.pk}", manager="")
    assert "Outside secret" not in as_report


def test_a_big_key_result_is_cut_and_its_rest_comes_page_by_page(a: World, team: Team) -> None:
    cycle = team.company.cycle
    for i in range(GROUP_LIMIT + 3):
        member = MembershipFactory(organisation=a.org, team=a.team, manager=a.manager)
        child = ObjectiveFactory(cycle=cycle, owner=member, title=f"Supporter {i:02d}")
        with a.tenant():
            services.alignment_create(actor=a.owner, child=child, parent_key_result=team.m_kr2)
    html = _map(a, a.manager, team)
    assert "Supporter 00" in html
    assert f"Supporter {GROUP_LIMIT + 2:02d}" not in html
    more_count = GROUP_LIMIT + 3 - GROUP_LIMIT
    assert f"Show {more_count} more" in html
    rest = _more(a, a.manager, team, parent=f"kr:{team.m_kr2.pk}", offset=GROUP_LIMIT)
    assert f"Supporter {GROUP_LIMIT + 2:02d}" in rest
    assert "Supporter 00" not in rest
    unaligned = _more(a, a.manager, team)
    assert "Objectives that support nothing" in unaligned
    assert "Employee loose" in unaligned


def test_bad_parameters_are_400_and_foreign_parents_404(a: World, b: World, team: Team) -> None:
    url = reverse("okrs:alignment_map_more", kwargs={"org_slug": a.org.slug})
    client = login(Client(), a.manager)
    assert client.get(url, {"parent": "everything"}).status_code == 400
    assert client.get(url, {"parent": "kr:99999999"}).status_code == 404
    assert client.get(url, {"parent": f"all:{team.admin_private.pk}"}).status_code == 404  # unseen
    assert (
        client.get(reverse("okrs:alignment_map", kwargs={"org_slug": a.org.slug}), {"manager": a.owner.pk}).status_code
        == 403
    )


def test_the_map_runs_the_same_queries_for_a_team_of_3_and_of_60(a: World, team: Team) -> None:
    cycle = team.company.cycle
    url = reverse("okrs:alignment_map", kwargs={"org_slug": a.org.slug}) + f"?cycle={cycle.pk}"
    client = login(Client(), a.manager)

    def grow(n: int) -> None:
        for i in range(n):
            member = MembershipFactory(organisation=a.org, team=a.team, manager=a.employee if i % 2 else a.manager)
            child = ObjectiveFactory(
                cycle=cycle, owner=member, visibility=[Visibility.ORGANISATION, Visibility.PRIVATE][i % 2]
            )
            with a.tenant():
                if i % 3 == 0:
                    services.alignment_create(actor=a.owner, child=child, parent_key_result=team.m_kr1)
                elif i % 3 == 1:
                    services.alignment_create(actor=a.owner, child=child, parent_objective=team.e_mine)

    grow(1)
    small, _ = measure(client, url)
    grow(59)
    large, _ = measure(client, url)
    assert small == large, (small, large)
    more_url = reverse("okrs:alignment_map_more", kwargs={"org_slug": a.org.slug})
    first, _ = measure(client, f"{more_url}?cycle={cycle.pk}&parent=all:{team.e_mine.pk}")
    grow(20)
    second, _ = measure(client, f"{more_url}?cycle={cycle.pk}&parent=all:{team.e_mine.pk}")
    assert first == second, (first, second)
