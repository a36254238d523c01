"""The team view at any size (issue 10 item 2): past ``SMALL_LINE`` people it lists the direct
reports a page at a time, each with their line's summary counted in SQL, and opens a report
(their objectives and reports) on demand; the counts follow the same rules as the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from okrs import services
from okrs import status as okr_status
from okrs.models import Cycle, Objective
from okrs.permissions import Access
from okrs.selectors.team import line_summaries, reports_overview
from okrs.views import team as team_view
from organisations.models import Membership
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import assert_constant_queries
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

DEC_1 = datetime(2026, 12, 1, 10, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.frozen_time(DEC_1)


@pytest.fixture
def paged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line counts as large: the page is paged and nothing opens by itself."""
    monkeypatch.setattr(team_view, "SMALL_LINE", 0)


def _url(w: World, name: str = "okrs:team", query: str = "") -> str:
    base = reverse(name, kwargs={"org_slug": w.org.slug})
    return f"{base}?cycle={w.okrs.quarter.pk}{query}"


def _get(w: World, who: Membership, name: str = "okrs:team", query: str = "", **headers: str) -> tuple[int, str]:
    response = login(Client(), who).get(_url(w, name, query), **headers)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def _indirect(w: World) -> Membership:
    """Someone who reports to the employee, with an objective of the quarter that supports nothing."""
    indirect = MembershipFactory(organisation=w.org, team=w.team, manager=w.employee, user__full_name="Ivy Indirect")
    ObjectiveFactory(cycle=w.okrs.quarter, owner=indirect, title="Indirect goal")
    return indirect


def test_a_large_line_lists_direct_reports_with_their_line_and_no_objective(w: World, paged: None) -> None:
    _indirect(w)
    status, html = _get(w, w.manager)
    assert status == 200
    assert w.employee.user.full_name in html
    assert w.report.user.full_name in html
    assert "Ivy Indirect" not in html  # one level at a time
    assert w.okrs.individual.title not in html  # objectives open on demand
    # The employee's line: themselves and Ivy; their two objectives and Ivy's, one unaligned... two.
    employee = html[html.index(f'id="report-{w.employee.pk}"') :]
    employee = employee[: employee.index("</li>")]
    assert "Leads 1 person" in employee
    assert "3 objectives in the line" in employee
    assert "2 unaligned" in employee  # the private objective and Ivy's support nothing
    assert "50% aligned" in employee  # of the employee's own two
    person = reverse("okrs:team_person", kwargs={"org_slug": w.org.slug})
    assert f'href="{person}?cycle={w.okrs.quarter.pk}&amp;member={w.employee.pk}"' in employee
    assert 'hx-get="' in employee
    # The header still counts the whole line below the manager.
    assert "3 reports · 3 objectives" in html


def test_opening_a_report_shows_their_objectives_and_their_reports(w: World, paged: None) -> None:
    indirect = _indirect(w)
    status, part = _get(w, w.manager, "okrs:team_person", f"&member={w.employee.pk}", **HTMX)
    assert status == 200
    assert "<html" not in part
    assert f">{w.okrs.individual.title}</a><br>" in part
    assert f'>{w.okrs.private.title}</a> <span class="badge okr-private">' in part
    assert f'id="report-{indirect.pk}"' in part  # their report, closed
    assert "Indirect goal" not in part
    assert f"reports to {w.employee.user.full_name}" in part
    # Without JavaScript the same link is a page of its own.
    status, page = _get(w, w.manager, "okrs:team_person", f"&member={w.employee.pk}")
    assert status == 200
    assert "<html" in page
    assert w.okrs.individual.title in page


def test_show_more_pages_the_direct_reports_by_name(w: World, paged: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(team_view, "REPORTS_PAGE", 1)
    first, second = sorted([w.employee, w.report], key=lambda m: (m.user.full_name, m.pk))
    html = _get(w, w.manager)[1]
    assert f'id="report-{first.pk}"' in html
    assert f'id="report-{second.pk}"' not in html
    more = f"after={first.pk}"
    assert more in html
    assert "Show more reports" in html
    status, part = _get(w, w.manager, query=f"&{more}", **HTMX)
    assert status == 200
    assert part.lstrip().startswith("<li")
    assert f'id="report-{second.pk}"' in part
    assert f'id="report-{first.pk}"' not in part
    assert "Show more reports" not in part  # the last page
    status, page = _get(w, w.manager, query=f"&{more}")  # the link, without JavaScript
    assert status == 200
    assert f'id="report-{second.pk}"' in page
    assert "back to the first" in page


def test_the_unaligned_filter_keeps_only_lines_with_something_unaligned(w: World, paged: None) -> None:
    html = _get(w, w.manager, query="&alignment=unaligned")[1]
    assert f'id="report-{w.employee.pk}"' in html  # their private objective supports nothing
    assert f'id="report-{w.report.pk}"' not in html  # no objective at all
    part = _get(w, w.manager, "okrs:team_person", f"&member={w.employee.pk}&alignment=unaligned", **HTMX)[1]
    assert w.okrs.private.title in part
    assert w.okrs.individual.title not in part  # aligned to the team objective


def test_a_report_outside_the_line_or_organisation_is_a_404_and_bad_input_a_400(
    w: World, b: World, paged: None
) -> None:
    assert _get(w, w.manager, "okrs:team_person", f"&member={w.owner.pk}")[0] == 404  # above, not below
    assert _get(w, w.manager, "okrs:team_person", f"&member={b.employee.pk}")[0] == 404
    assert _get(w, w.manager, query=f"&after={b.employee.pk}")[0] == 404
    lost = login(Client(), w.manager).get(_url(w, "okrs:team_person", ""))
    assert lost.status_code == 302  # a link that lost its report: back to the team view
    assert lost["Location"].startswith(reverse("okrs:team", kwargs={"org_slug": w.org.slug}))
    assert _get(w, w.manager, "okrs:team_person", "&member=x")[0] == 400
    assert _get(w, w.manager, query="&after=-3")[0] == 400
    assert _get(w, w.employee, "okrs:team_person", f"&member={w.report.pk}&manager={w.manager.pk}")[0] == 403
    # HR opens a report of any manager's team.
    status, part = _get(w, w.admin, "okrs:team_person", f"&member={w.employee.pk}&manager={w.manager.pk}", **HTMX)
    assert status == 200
    assert w.okrs.individual.title in part


def test_the_line_counts_follow_the_row_rules(w: World) -> None:
    """Stale, at risk / off track and aligned, counted in SQL, agree with the Python rules the
    rows use, and only visible objectives count."""
    okrs = w.okrs
    _indirect(w)
    with time_machine.travel(DEC_1 + timedelta(days=20), tick=False), w.tenant():
        today = w.org.today()
        now = timezone.now()
        cycle = Cycle.objects.get(pk=okrs.quarter.pk)
        mine = list(
            Objective.objects.filter(cycle=cycle, owner__manager=w.manager)
            | Objective.objects.filter(cycle=cycle, owner__manager__manager=w.manager)
        )
        for o in mine:
            o.cycle = cycle
        period = okr_status.stale_after(w.org)
        stale = sum(okr_status.is_stale(o, cycle, now=now, today=today, period=period) for o in mine)
        statuses = [okr_status.objective_status(o, organisation=w.org, today=today) for o in mine]
        totals, per_head = reports_overview(
            actor=w.manager,
            access=Access(w.manager),
            manager=w.manager,
            page=[w.employee.pk],
            cycle=cycle,
            today=today,
            now=now,
        )
        # The report sees only their own private objective: the employee's is not counted.
        as_report = line_summaries(
            actor=w.report, access=Access(w.report), heads=[w.employee.pk], cycle=cycle, today=today, now=now
        )
    assert totals.objectives == len(mine) == 3
    assert totals.stale == stale
    assert totals.at_risk == statuses.count("at_risk")
    assert totals.off_track == statuses.count("off_track")
    assert totals.unaligned == 2
    assert totals.people == 3
    assert totals.without_objectives == 1  # the report owns nothing
    assert per_head[w.employee.pk].people == 2
    assert per_head[w.employee.pk].own_objectives == 2
    assert as_report[w.employee.pk].objectives == 2  # the individual one and Ivy's; not the private one


def test_stale_q_matches_is_stale(w: World) -> None:
    """The SQL staleness condition selects exactly the objectives ``is_stale`` flags."""
    with w.tenant():
        fresh = ObjectiveFactory(cycle=w.okrs.quarter, owner=w.employee, title="Fresh")
        KeyResultFactory(objective=fresh)
    for days in (0, 10, 15, 30):
        with time_machine.travel(DEC_1 + timedelta(days=days), tick=False), w.tenant():
            cycle = Cycle.objects.get(pk=w.okrs.quarter.pk)
            today, now = w.org.today(), timezone.now()
            rows = list(Objective.objects.filter(cycle=cycle))
            expected = {o.pk for o in rows if okr_status.is_stale(o, cycle, now=now, today=today)}
            found = set(
                Objective.objects.filter(cycle=cycle)
                .annotate(stale_since=okr_status.stale_since())
                .filter(okr_status.stale_q(cycle, now=now, today=today))
                .values_list("pk", flat=True)
            )
            assert found == expected, days


def _grow_reports(w: World, n: int) -> None:
    """Direct reports of the manager, each with an objective and a report of their own."""
    for _ in range(n):
        member = MembershipFactory(organisation=w.org, team=w.team, manager=w.manager)
        below = MembershipFactory(organisation=w.org, team=w.team, manager=member)
        for owner in (member, below):
            objective = ObjectiveFactory(cycle=w.okrs.quarter, owner=owner)
            KeyResultFactory(objective=objective)
            with w.tenant():
                services.alignment_create(actor=w.owner, child=objective, parent_objective=w.okrs.company)


def _grow_line_of_employee(w: World, n: int) -> None:
    for _ in range(n):
        member = MembershipFactory(organisation=w.org, team=w.team, manager=w.employee)
        KeyResultFactory(objective=ObjectiveFactory(cycle=w.okrs.quarter, owner=member))
        KeyResultFactory(objective=ObjectiveFactory(cycle=w.okrs.quarter, owner=w.employee))


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_the_paged_team_view_runs_the_same_queries_whatever_the_line(w: World, paged: None, who: str) -> None:
    viewer = getattr(w, who)
    query = "" if who == "manager" else f"&manager={w.manager.pk}"
    count = assert_constant_queries(
        login(Client(), viewer), _url(w, query=query), lambda n: _grow_reports(w, n), label=f"team view as {who}"
    )
    assert count <= 20


def test_opening_a_report_runs_the_same_queries_whatever_their_line(w: World, paged: None) -> None:
    count = assert_constant_queries(
        login(Client(), w.manager),
        _url(w, "okrs:team_person", f"&member={w.employee.pk}"),
        lambda n: _grow_line_of_employee(w, n),
        label="team person",
        **HTMX,
    )
    assert count <= 20
