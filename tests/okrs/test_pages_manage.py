"""Managers' and HR's OKR pages: alignment tree, team view, cycles, carry-over, adoption, and
the periodic task that moves cycles by date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from okrs import services, tree
from okrs.models import Contributor, Cycle, CycleKind, CycleState, Objective
from okrs.tasks import advance_cycles
from okrs.views.common import objective_url
from tests.conftest import World, login
from tests.okrs.factories import CycleFactory, ObjectiveFactory
from tests.okrs.worlds import OkrWorld, build_okrs

# Inside the world's active quarter (1 Oct – 31 Dec 2026): 62 of 92 days elapsed, expected ≈ 0.67.
DEC_1 = datetime(2026, 12, 1, 10, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


pytestmark = pytest.mark.frozen_time(DEC_1)  # the clock of the ``w`` fixture (tests/okrs/conftest.py)


def url(w: World, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"org_slug": w.org.slug, **kwargs})


def get(w: World, who: object, name: str, query: str = "", **headers: str) -> tuple[int, str]:
    client = login(Client(), who)  # type: ignore[arg-type]
    response = client.get(url(w, name) + (f"?{query}" if query else ""), **headers)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def node_titles(html: str) -> list[str]:
    return re.findall(r'class="okr-node-title" href="[^"]*">([^<]*)</a>', html)


# ---------------------------------------------------------------- alignment tree


def test_tree_shows_roots_and_opens_children_without_javascript(w: World) -> None:
    okrs: OkrWorld = w.okrs
    status, html = get(w, w.admin, "okrs:tree")
    assert status == 200
    # Roots: the company objective and the private one (no parent); the others hang below.
    assert node_titles(html) == [okrs.company.title, okrs.private.title]
    expand = (
        f'href="/o/{w.org.slug}/okrs/tree/?cycle={okrs.quarter.pk}&amp;open={okrs.company.pk}#node-{okrs.company.pk}"'
    )
    assert expand in html
    assert 'aria-expanded="false"' in html

    status, html = get(w, w.admin, "okrs:tree", f"open={okrs.company.pk}&open={okrs.team.pk}")
    # Opened company: its department (aligned to it) and the team objective (aligned to its key result).
    assert node_titles(html) == [
        okrs.company.title,
        okrs.department.title,
        okrs.team.title,
        okrs.individual.title,
        okrs.private.title,
    ]
    assert f"supports “{okrs.company_kr.title}”" in html
    assert f'id="node-{okrs.company.pk}_{okrs.team.pk}_{okrs.individual.pk}"' in html


def test_tree_pages_its_roots_with_show_more(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The roots come a page at a time (keyset: after the last one shown); htmx appends the next
    page to the list, and without JavaScript the link shows it."""
    okrs: OkrWorld = w.okrs
    monkeypatch.setattr(tree, "ROOTS_PER_PAGE", 1)
    _, html = get(w, w.admin, "okrs:tree")
    assert node_titles(html) == [okrs.company.title]
    more = f"/o/{w.org.slug}/okrs/tree/?cycle={okrs.quarter.pk}&amp;after={okrs.company.pk}"
    assert f'href="{more}" hx-get="{more}" hx-target="#tree-more"' in html
    assert "2 at the top" in html

    status, html = get(w, w.admin, "okrs:tree", f"after={okrs.company.pk}", **HTMX)
    assert status == 200
    assert "<html" not in html
    assert 'hx-swap-oob="beforeend:#tree-roots"' in html
    assert node_titles(html) == [okrs.private.title]
    assert "Show more" not in html  # the last page

    _, html = get(w, w.admin, "okrs:tree", f"after={okrs.company.pk}")
    assert node_titles(html) == [okrs.private.title]
    assert "Back to the first objectives" in html
    # An objective the reader may not see is no cursor: nothing follows it.
    assert node_titles(get(w, w.report, "okrs:tree", f"after={okrs.private.pk}")[1]) == []
    assert get(w, w.admin, "okrs:tree", "after=x")[0] == 400


def test_tree_node_shows_status_progress_and_owner(w: World) -> None:
    okrs: OkrWorld = w.okrs
    _, html = get(w, w.admin, "okrs:tree", f"open={okrs.company.pk}&open={okrs.team.pk}")
    node = html[html.index(f'id="node-{okrs.company.pk}_{okrs.team.pk}_{okrs.individual.pk}"') :]
    node = node[: node.index("</li>")]
    # 40 of 100 on 1 December: expected 0.674 → 0.40 is at risk (≥ expected − 0.3).
    assert "okr-row-at_risk" in node
    assert ">At risk<" in node
    assert 'width="40"' in node
    assert "40%" in node
    assert w.employee.user.full_name in node
    assert f'href="{objective_url(w.org.slug, okrs.individual.pk)}"' in node


def test_tree_children_region_is_lazy_and_swaps_its_toggle(w: World) -> None:
    okrs: OkrWorld = w.okrs
    query = f"objective={okrs.team.pk}&key={okrs.company.pk}_{okrs.team.pk}&cycle={okrs.quarter.pk}"
    status, html = get(w, w.manager, "okrs:tree_children", query, **HTMX)
    assert status == 200
    assert "<html" not in html
    assert f'<div id="children-{okrs.company.pk}_{okrs.team.pk}"' in html
    assert node_titles(html) == [okrs.individual.title]
    toggle = re.search(rf'<a id="toggle-{okrs.company.pk}_{okrs.team.pk}"[^>]*>', html)
    assert toggle is not None
    assert 'hx-swap-oob="true"' in toggle.group(0)
    assert 'aria-expanded="true"' in toggle.group(0)
    # The grandchild's own toggle is not swapped out of band.
    assert html.count("hx-swap-oob") == 1

    status, html = get(w, w.manager, "okrs:tree_children", query + "&collapse=1", **HTMX)
    assert status == 200
    assert node_titles(html) == []
    assert 'aria-expanded="false"' in html


def test_tree_children_without_htmx_redirect_to_the_tree_with_the_node_open(w: World) -> None:
    okrs: OkrWorld = w.okrs
    client = login(Client(), w.employee)
    response = client.get(url(w, "okrs:tree_children") + f"?objective={okrs.company.pk}&open={okrs.team.pk}")
    assert response.status_code == 302
    assert response["Location"] == (
        url(w, "okrs:tree") + f"?cycle={okrs.quarter.pk}&open={okrs.team.pk}&open={okrs.company.pk}"
    )


def test_tree_hides_private_objectives_from_those_who_may_not_see_them(w: World) -> None:
    okrs: OkrWorld = w.okrs
    for who, sees in ((w.admin, True), (w.manager, True), (w.employee, True), (w.report, False)):
        _, html = get(w, who, "okrs:tree")
        assert (okrs.private.title in html) is sees, who
    # Nor can its children region be fetched, nor its id opened.
    status, _ = get(w, w.report, "okrs:tree_children", f"objective={okrs.private.pk}", **HTMX)
    assert status == 404
    _, html = get(w, w.report, "okrs:tree", f"open={okrs.private.pk}")
    assert okrs.private.title not in html


def test_a_child_of_an_invisible_parent_becomes_a_root(w: World) -> None:
    okrs: OkrWorld = w.okrs
    child = ObjectiveFactory(cycle=okrs.quarter, owner=w.employee, title="Below the private one")
    with w.tenant():
        services.alignment_create(actor=w.employee, child=child, parent_objective=okrs.private)
    assert "Below the private one" not in node_titles(get(w, w.employee, "okrs:tree")[1])  # under its parent
    assert "Below the private one" in node_titles(get(w, w.report, "okrs:tree")[1])  # a root: parent unseen


def test_tree_filters_by_owner_team_and_status(w: World) -> None:
    okrs: OkrWorld = w.okrs
    _, html = get(w, w.admin, "okrs:tree", f"owner={w.employee.pk}")
    assert node_titles(html) == [okrs.private.title, okrs.individual.title]  # same level: by title

    _, html = get(w, w.admin, "okrs:tree", f"team={w.team.pk}&open={okrs.team.pk}")
    assert node_titles(html) == [okrs.team.title, okrs.individual.title]

    _, html = get(w, w.admin, "okrs:tree", "status=at_risk")
    assert node_titles(html) == [okrs.individual.title]
    _, html = get(w, w.admin, "okrs:tree", "status=off_track")
    assert okrs.individual.title not in html
    # The objectives above it have nothing to measure yet: no pace, so not "off track" (issue 12.5).
    assert okrs.company.title not in html
    assert "matches these filters" in html

    _, html = get(w, w.admin, "okrs:tree", f"owner={w.report.pk}")
    assert "matches these filters" in html
    assert "Clear them" in html


def test_tree_owner_filter_searches_people_instead_of_listing_everyone(w: World) -> None:
    okrs: OkrWorld = w.okrs
    _, html = get(w, w.admin, "okrs:tree")
    assert 'id="f-owner-q"' in html
    assert f'hx-get="/o/{w.org.slug}/people/search/?field=owner"' in html
    assert w.report.user.full_name not in html  # owns nothing here: no longer one of every member's options
    # The chosen owner stays the filter, shown by name (a checked choice) on reload.
    _, html = get(w, w.admin, "okrs:tree", f"owner={w.report.pk}")
    assert re.search(rf'name="owner" value="{w.report.pk}" checked> <span>{w.report.user.full_name}<', html)
    # Without JavaScript the typed name is searched by the page itself: its matches to pick from.
    surname = w.report.user.full_name.split()[-1]
    _, html = get(w, w.admin, "okrs:tree", f"owner_q={surname}&owner={w.employee.pk}")
    assert f'name="owner" value="{w.report.pk}"' in html
    assert f'value="{surname}"' in html
    assert node_titles(html) == [okrs.private.title, okrs.individual.title]  # still the employee's


def test_tree_filter_by_status_follows_confidence_too(w: World) -> None:
    okrs: OkrWorld = w.okrs
    with w.tenant():
        services.progress_update_create(
            actor=w.employee, key_result=okrs.individual_kr, value="40", confidence="off_track", note=""
        )
    assert okrs.individual.title not in get(w, w.admin, "okrs:tree", "status=at_risk")[1]
    # Off track by its confidence alone; the objectives above have nothing to measure (no pace).
    html = get(w, w.admin, "okrs:tree", "status=off_track")[1]
    assert node_titles(html) == [okrs.individual.title]


def test_tree_filter_form_answers_htmx_with_the_tree_region(w: World) -> None:
    status, html = get(w, w.admin, "okrs:tree", f"owner={w.employee.pk}", **HTMX)
    assert status == 200
    assert html.lstrip().startswith('<section id="tree"')
    assert "<html" not in html
    assert w.okrs.individual.title in html


def test_tree_of_another_cycle_and_a_foreign_cycle(w: World, b: World) -> None:
    okrs: OkrWorld = w.okrs
    _, html = get(w, w.admin, "okrs:tree", f"cycle={okrs.year.pk}")
    assert node_titles(html) == []
    assert "No objectives in" in html
    b_cycle = CycleFactory(organisation=b.org)
    assert get(w, w.admin, "okrs:tree", f"cycle={b_cycle.pk}")[0] == 404
    assert (
        get(w, w.admin, "okrs:tree_children", f"objective={ObjectiveFactory(cycle=b_cycle, owner=b.owner).pk}", **HTMX)[
            0
        ]
        == 404
    )


def test_tree_without_any_cycle_says_what_to_do(a: World) -> None:
    status, html = get(a, a.admin, "okrs:tree")
    assert status == 200
    assert "Generate this fiscal year" in html
    assert "Ask HR" in get(a, a.employee, "okrs:tree")[1]


# ---------------------------------------------------------------- team view


def test_team_view_lists_reports_and_their_objectives(w: World) -> None:
    okrs: OkrWorld = w.okrs
    status, html = get(w, w.manager, "okrs:team")
    assert status == 200
    assert w.employee.user.full_name in html
    assert w.report.user.full_name in html
    assert okrs.individual.title in html
    assert okrs.private.title in html
    # The manager's own objective is not a report's: it shows only as what a report's supports.
    assert f">{okrs.team.title}</a><br>" not in html
    assert f">{okrs.individual.title}</a><br>" in html
    assert "No objective in" in html  # the report has none
    assert "direct report" in html


def test_team_view_reaches_indirect_reports(w: World) -> None:
    from tests.factories import MembershipFactory

    indirect = MembershipFactory(organisation=w.org, team=w.team, manager=w.employee, user__full_name="Ivy Indirect")
    ObjectiveFactory(cycle=w.okrs.quarter, owner=indirect, title="Indirect goal")
    _, html = get(w, w.manager, "okrs:team")
    assert "Ivy Indirect" in html
    assert "Indirect goal" in html
    assert f"reports to {w.employee.user.full_name}" in html


def test_team_view_without_reports_shows_an_empty_state(w: World) -> None:
    status, html = get(w, w.employee, "okrs:team")
    assert status == 200
    assert "No one reports to you" in html
    assert "My OKRs" in html
    assert w.okrs.individual.title not in html


def test_admins_pick_any_manager_of_their_organisation(w: World, b: World) -> None:
    status, html = get(w, w.admin, "okrs:team", f"manager={w.manager.pk}")
    assert status == 200
    assert w.okrs.individual.title in html
    assert f"{w.manager.user.full_name}'s team" in html
    assert f'<option value="{w.manager.pk}" selected>' in html
    assert get(w, w.admin, "okrs:team", f"manager={b.manager.pk}")[0] == 404
    assert get(w, w.admin, "okrs:team", "manager=nope")[0] == 404
    assert get(w, w.employee, "okrs:team", f"manager={w.manager.pk}")[0] == 403
    assert get(w, w.manager, "okrs:team", f"manager={w.manager.pk}")[0] == 200  # oneself: fine


def _team_row(html: str, title: str) -> str:
    start = html.rindex("<tr", 0, html.index(title))
    return html[start : html.index("</tr>", start)]


def test_stale_flag_after_fourteen_days_without_an_update(a: World) -> None:
    with time_machine.travel(datetime(2026, 10, 5, 9, tzinfo=UTC), tick=False):
        okrs = build_okrs(a)  # the employee's key result is updated now
        never = ObjectiveFactory(cycle=okrs.quarter, owner=a.report, title="Never updated")
    with time_machine.travel(datetime(2026, 10, 15, 9, tzinfo=UTC), tick=False):
        # 10 days since the update; the quarter started 14 days ago: nothing is stale yet.
        html = get(a, a.manager, "okrs:team")[1]
        assert "Stale" not in _team_row(html, okrs.individual.title)
        assert "Stale" not in _team_row(html, never.title)
        assert "none stale" in html
    with time_machine.travel(datetime(2026, 10, 16, 9, tzinfo=UTC), tick=False):
        # The quarter started 15 days ago, but that objective was created 11 days ago: staleness
        # counts from the later of the last update and the creation (issue 7.6).
        html = get(a, a.manager, "okrs:team")[1]
        assert "Stale" not in _team_row(html, never.title)
        assert "Stale" not in _team_row(html, okrs.individual.title)
    with time_machine.travel(datetime(2026, 10, 19, 9, tzinfo=UTC), tick=False):
        html = get(a, a.manager, "okrs:team")[1]
        assert "Stale" in _team_row(html, never.title)  # 14 days since it was created
        assert "Stale" in _team_row(html, okrs.individual.title)
        assert "2\xa0weeks ago" in _team_row(html, okrs.individual.title)
        assert "2 stale" in html
    with a.tenant():
        Cycle.objects.filter(pk=okrs.quarter.pk).update(state=CycleState.CLOSED)
    with time_machine.travel(datetime(2026, 10, 19, 9, tzinfo=UTC), tick=False):
        assert "none stale" in get(a, a.manager, "okrs:team")[1]  # nothing to chase in a closed cycle


# ---------------------------------------------------------------- cycles (HR)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_cycles_page_lists_cycles_for_admins(w: World, who: str) -> None:
    status, html = get(w, getattr(w, who), "okrs:cycles")
    assert status == 200
    assert w.okrs.quarter.name in html
    assert w.okrs.year.name in html
    assert "okr-state-active" in html


@pytest.mark.parametrize("name", ["okrs:cycles", "okrs:adoption"])
def test_hr_pages_refuse_managers_and_employees(w: World, name: str) -> None:
    for who in (w.manager, w.employee):
        assert get(w, who, name)[0] == 403
        assert login(Client(), who).post(url(w, name), {"action": "custom", "name": "X"}).status_code in (403, 405)
    with w.tenant():
        assert not Cycle.objects.filter(name="X").exists()


def test_generate_a_fiscal_year_starting_in_april(a: World, frozen_time: object) -> None:
    a.org.fiscal_year_start_month = 4
    a.org.save(update_fields=["fiscal_year_start_month"])
    client = login(Client(), a.admin)
    html = client.get(url(a, "okrs:cycles")).content.decode()
    # 1 December 2026 lies in FY2026/27 (April 2026 – March 2027), not generated yet: the default.
    assert '<option value="2026" selected>FY2026/27 (from April 2026)</option>' in html

    response = client.post(url(a, "okrs:cycles"), {"action": "generate", "start_year": "2026"}, follow=True)
    assert response.status_code == 200
    assert "Generated FY2026/27, Q1 FY2026/27, Q2 FY2026/27, Q3 FY2026/27, Q4 FY2026/27." in response.content.decode()
    with a.tenant():
        cycles = {c.name: c for c in Cycle.objects.all()}
    assert (cycles["FY2026/27"].start_date, cycles["FY2026/27"].end_date) == (date(2026, 4, 1), date(2027, 3, 31))
    assert (cycles["Q3 FY2026/27"].start_date, cycles["Q3 FY2026/27"].end_date) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert cycles["Q3 FY2026/27"].state == CycleState.ACTIVE
    assert cycles["Q1 FY2026/27"].state == CycleState.CLOSED
    assert cycles["Q4 FY2026/27"].state == CycleState.PLANNING
    html = response.content.decode()
    assert '<option value="2027" selected>FY2027/28 (from April 2027)</option>' in html  # the next one now
    assert "FY2026/27 (from April 2026) — already generated" in html

    again = client.post(url(a, "okrs:cycles"), {"action": "generate", "start_year": "2026"})
    assert again.status_code == 200
    assert "FY2026/27 already exists." in again.content.decode()
    with a.tenant():
        assert Cycle.objects.count() == 5


def test_generate_refuses_a_year_outside_the_offered_range(a: World, frozen_time: object) -> None:
    response = login(Client(), a.admin).post(url(a, "okrs:cycles"), {"action": "generate", "start_year": "1999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with a.tenant():
        assert Cycle.objects.count() == 0


def test_custom_cycle_with_the_end_before_the_start_keeps_what_was_typed(a: World) -> None:
    body = {
        "action": "custom",
        "name": "Launch sprint",
        "start_date": "2026-12-01",
        "end_date": "2026-11-30",
        "review_window_days": "5",
    }
    response = login(Client(), a.admin).post(url(a, "okrs:cycles"), body)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end must be on or after the start." in html
    assert 'value="Launch sprint"' in html
    assert 'value="2026-12-01"' in html
    assert 'value="2026-11-30"' in html
    assert 'value="5"' in html
    with a.tenant():
        assert not Cycle.objects.exists()


def test_custom_cycle_is_created(a: World) -> None:
    body = {"action": "custom", "name": "Launch sprint", "start_date": "2026-11-01", "end_date": "2026-11-30"}
    body["review_window_days"] = "3"
    response = login(Client(), a.admin).post(url(a, "okrs:cycles"), body)
    assert response.status_code == 302
    with a.tenant():
        cycle = Cycle.objects.get()
    assert (cycle.name, cycle.kind, cycle.review_window_days) == ("Launch sprint", CycleKind.CUSTOM, 3)


def test_admin_sets_a_cycle_state_by_hand(w: World) -> None:
    client = login(Client(), w.admin)
    quarter = w.okrs.quarter
    response = client.post(url(w, "okrs:cycle_state", cycle_id=quarter.pk), {"state": "review"}, follow=True)
    assert "is now review" in response.content.decode()
    with w.tenant():
        quarter.refresh_from_db()
    assert (quarter.state, quarter.state_pinned) == (CycleState.REVIEW, True)

    response = client.post(url(w, "okrs:cycle_state", cycle_id=quarter.pk), {"state": "bogus"}, follow=True)
    assert "Choose planning, active, review or closed." in response.content.decode()
    with w.tenant():
        quarter.refresh_from_db()
    assert quarter.state == CycleState.REVIEW
    assert (
        login(Client(), w.manager)
        .post(url(w, "okrs:cycle_state", cycle_id=quarter.pk), {"state": "closed"})
        .status_code
        == 403
    )
    assert client.get(url(w, "okrs:cycle_state", cycle_id=quarter.pk)).status_code == 405


def _next_quarter(w: World) -> Cycle:
    return CycleFactory(
        organisation=w.org,
        name="Q1 2027",
        kind=CycleKind.QUARTER,
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
        state=CycleState.PLANNING,
    )


def _titles_in(w: World, cycle: Cycle) -> set[str]:
    with w.tenant():
        return set(Objective.objects.filter(cycle=cycle).values_list("title", flat=True))


def test_admin_carries_unfinished_okrs_over_from_the_cycles_page(w: World) -> None:
    okrs: OkrWorld = w.okrs
    target = _next_quarter(w)
    client = login(Client(), w.admin)
    html = client.get(url(w, "okrs:cycles")).content.decode()
    assert f'action="{url(w, "okrs:carry_over")}"' in html

    response = client.post(url(w, "okrs:carry_over"), {"source": okrs.quarter.pk, "target": target.pk}, follow=True)
    assert response.redirect_chain[-1][0] == url(w, "okrs:cycles")
    assert "Carried 5 unfinished objective(s) from" in response.content.decode()
    assert _titles_in(w, target) == {
        okrs.company.title,
        okrs.department.title,
        okrs.team.title,
        okrs.individual.title,
        okrs.private.title,
    }
    with w.tenant():
        copy = Objective.objects.get(cycle=target, title=okrs.individual.title)
        assert copy.carried_from_id == okrs.individual.pk
        assert copy.key_results.get().start_value == Decimal(40)

    again = client.post(url(w, "okrs:carry_over"), {"source": okrs.quarter.pk, "target": target.pk}, follow=True)
    assert "Nothing to carry" in again.content.decode()


def test_manager_carries_their_team_over_from_the_team_page(w: World) -> None:
    okrs: OkrWorld = w.okrs
    target = _next_quarter(w)
    client = login(Client(), w.manager)
    assert f'href="{url(w, "okrs:carry_over")}"' in client.get(url(w, "okrs:team")).content.decode()
    page = client.get(url(w, "okrs:carry_over"))
    assert page.status_code == 200
    assert "your reports'" in page.content.decode()

    response = client.post(url(w, "okrs:carry_over"), {"source": okrs.quarter.pk, "target": target.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{url(w, 'okrs:team')}?cycle={target.pk}"
    # Theirs, their reports' (the private one included) — not the company's nor the department's.
    assert _titles_in(w, target) == {okrs.team.title, okrs.individual.title, okrs.private.title}


def test_carry_over_refuses_employees_and_the_same_cycle(w: World) -> None:
    okrs: OkrWorld = w.okrs
    assert get(w, w.employee, "okrs:carry_over")[0] == 403
    response = login(Client(), w.admin).post(
        url(w, "okrs:carry_over"), {"source": okrs.quarter.pk, "target": okrs.quarter.pk}
    )
    assert response.status_code == 200
    assert "Choose another cycle than the one you carry from." in response.content.decode()
    assert _titles_in(w, okrs.quarter) == {
        okrs.company.title,
        okrs.department.title,
        okrs.team.title,
        okrs.individual.title,
        okrs.private.title,
    }


# ---------------------------------------------------------------- adoption (HR)


def test_adoption_lists_members_without_objectives_and_fresh_key_results_by_team(w: World) -> None:
    okrs: OkrWorld = w.okrs
    status, html = get(w, w.admin, "okrs:adoption")
    assert status == 200
    without = html[html.index('id="without-heading"') :]
    assert w.report.user.full_name in without  # the only active member with no objective
    assert w.employee.user.full_name not in without
    assert w.owner.user.full_name not in without
    assert "80%" in html  # 4 of 5 active members
    # The individual key result (Platform team) was updated today; the company's never was.
    assert re.search(rf"<td>{w.team.name}</td><td>1</td><td>1</td><td>1</td><td>100%</td>", html)
    assert re.search(rf"<td>{w.org.name}</td><td>1</td><td>1</td><td>0</td><td>0%</td>", html)
    assert '<svg class="okr-chart"' in html
    assert 'width="160"' in html

    with w.tenant():
        Contributor.objects.create(organisation=w.org, objective=okrs.team, membership=w.report)
    html = get(w, w.admin, "okrs:adoption")[1]
    assert "Everyone has an objective" in html


def test_adoption_counts_a_key_result_stale_after_fourteen_days(w: World) -> None:
    with time_machine.travel(DEC_1 + timedelta(days=15), tick=False):
        html = get(w, w.admin, "okrs:adoption", f"cycle={w.okrs.quarter.pk}")[1]
    assert re.search(rf"<td>{w.team.name}</td><td>1</td><td>1</td><td>0</td><td>0%</td>", html)


def test_adoption_without_cycles_says_what_to_do(a: World) -> None:
    status, html = get(a, a.admin, "okrs:adoption")
    assert status == 200
    assert "Generate this fiscal year" in html


# ---------------------------------------------------------------- the periodic task


def test_advance_cycles_moves_states_by_each_organisations_local_date(a: World, b: World) -> None:
    b.org.time_zone = "Pacific/Auckland"  # UTC+13 in January
    b.org.save(update_fields=["time_zone"])
    cycles = {}
    for w in (a, b):
        cycles[w.org.slug] = CycleFactory(
            organisation=w.org,
            kind=CycleKind.QUARTER,
            start_date=date(2027, 1, 1),
            end_date=date(2027, 3, 31),
            state=CycleState.PLANNING,
        )
    pinned = CycleFactory(
        organisation=a.org, start_date=date(2026, 1, 1), end_date=date(2026, 1, 31), state="active", state_pinned=True
    )
    # 31 Dec 2026 12:00 UTC: already 1 January 2027 in Auckland, still 31 December in UTC.
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=UTC), tick=False):
        advance_cycles()
    with a.tenant():
        cycles["alpha"].refresh_from_db()
        pinned.refresh_from_db()
    with b.tenant():
        cycles["beta"].refresh_from_db()
    assert cycles["alpha"].state == CycleState.PLANNING
    assert cycles["beta"].state == CycleState.ACTIVE
    assert pinned.state == CycleState.ACTIVE  # set by hand: left alone
    with time_machine.travel(datetime(2027, 1, 1, 0, 5, tzinfo=UTC), tick=False):
        assert advance_cycles() == 1
        assert advance_cycles() == 0  # a second tick changes nothing
    with a.tenant():
        cycles["alpha"].refresh_from_db()
    assert cycles["alpha"].state == CycleState.ACTIVE


def test_advance_cycles_across_a_quarter_boundary(a: World) -> None:
    with time_machine.travel(datetime(2026, 3, 20, 12, tzinfo=UTC), tick=False), a.tenant():
        services.cycles_generate_year(actor=a.admin, start_year=2026)

    def states() -> dict[str, str]:
        with a.tenant():
            return dict(Cycle.objects.values_list("name", "state"))

    assert states() == {
        "FY2026": "active",
        "Q1 FY2026": "active",
        "Q2 FY2026": "planning",
        "Q3 FY2026": "planning",
        "Q4 FY2026": "planning",
    }
    with time_machine.travel(datetime(2026, 4, 1, 0, 10, tzinfo=UTC), tick=False):
        advance_cycles()
    assert states()["Q1 FY2026"] == "review"
    assert states()["Q2 FY2026"] == "active"
    with time_machine.travel(datetime(2026, 4, 8, 0, 10, tzinfo=UTC), tick=False):
        advance_cycles()
    assert states()["Q1 FY2026"] == "closed"
    assert states()["FY2026"] == "active"


def test_advance_cycles_is_on_the_beat_schedule() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["okrs-advance-cycles"]
    assert entry == {"task": "okrs.tasks.advance_cycles", "schedule": 900}
    assert advance_cycles.name == "okrs.tasks.advance_cycles"


def test_carry_over_page_proposes_the_ended_quarter_into_the_next(w: World) -> None:
    target = _next_quarter(w)
    with time_machine.travel(datetime(2027, 1, 3, 10, tzinfo=UTC), tick=False):
        html = get(w, w.admin, "okrs:carry_over")[1]
    assert f'<option value="{w.okrs.quarter.pk}" selected>' in html
    assert f'<option value="{target.pk}" selected>' in html
    # Before the quarter ends there is no next one to guess: the target waits for a choice.
    with w.tenant():
        Cycle.objects.filter(pk=target.pk).delete()
    html = get(w, w.admin, "okrs:carry_over")[1]
    assert f'<option value="{w.okrs.quarter.pk}" selected>' in html
    assert '<option value="" selected>Choose a cycle</option>' in html


@pytest.mark.parametrize(("name", "region"), [("okrs:team", "team-table"), ("okrs:adoption", "adoption-report")])
def test_htmx_filters_get_only_their_region(w: World, name: str, region: str) -> None:
    status, html = get(w, w.admin, name, f"cycle={w.okrs.quarter.pk}", **HTMX)
    assert status == 200
    assert html.lstrip().startswith(f'<section id="{region}"') or html.lstrip().startswith(f'<div id="{region}"')
    assert "<html" not in html
