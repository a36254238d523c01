"""The employees' OKR pages: My OKRs, objective detail, the inline progress update (htmx and
plain), create / edit, alignment, scores, permissions and empty states."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from okrs import services
from okrs.models import (
    Alignment,
    CycleState,
    KeyResult,
    KeyResultKind,
    Milestone,
    Objective,
    ObjectiveSource,
    ProgressUpdate,
)
from tests.conftest import World, login
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.okrs.worlds import OkrWorld

HX = {"HTTP_HX_REQUEST": "true"}
# Half-way through the world's quarter, for every test (and for the ``w`` fixture's data).
pytestmark = [pytest.mark.usefixtures("frozen_time"), pytest.mark.frozen_time(datetime(2026, 11, 15, tzinfo=UTC))]


def url(w: World, name: str, **ids: int) -> str:
    return reverse(name, kwargs={"org_slug": w.org.slug, **ids})


def chain_counts(w: World) -> None:
    """Let the team objective take its progress from aligned objectives, so an individual update
    flows individual → team → company key result → company."""
    with w.tenant():
        team = Objective.objects.select_related("cycle").get(pk=w.okrs.team.pk)
        services.objective_update(
            actor=w.manager,
            objective=team,
            data=services.ObjectiveData(
                title=team.title,
                cycle=team.cycle,
                owner=w.manager,
                level=team.level,
                team=w.team,
                progress_source=ObjectiveSource.ALIGNED_CHILDREN,
            ),
        )


def progress(w: World, model: type[Objective] | type[KeyResult], pk: int) -> Decimal:
    with w.tenant():
        return model.objects.get(pk=pk).progress


# ---------------------------------------------------------------- pages render, per role


@pytest.mark.parametrize("role", ["owner", "admin", "manager", "employee"])
def test_my_okrs_and_detail_render_for_every_role(w: World, role: str) -> None:
    who = getattr(w, role)
    client = login(Client(), who)
    okrs: OkrWorld = w.okrs
    own = {"owner": okrs.company, "admin": okrs.department, "manager": okrs.team, "employee": okrs.individual}[role]

    page = client.get(url(w, "okrs:my_okrs"))

    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="objective-{own.pk}"' in html
    assert "My OKRs" in html
    assert okrs.quarter.name in html
    detail = client.get(url(w, "okrs:objective_detail", objective_id=okrs.individual.pk))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert okrs.individual_kr.title in body
    assert 'class="okr-chart"' in body  # the history chart
    assert "Activity" in body
    assert "updated “" in body
    # Parents: the individual objective supports the team objective.
    assert okrs.team.title in body


def test_my_okrs_row_shows_progress_status_sparkline_and_form(w: World) -> None:
    html = login(Client(), w.employee).get(url(w, "okrs:my_okrs")).content.decode()
    kr = w.okrs.individual_kr
    assert f'id="kr-{kr.pk}"' in html
    assert "40 of 100" in html  # current / target
    assert 'aria-label="Key result progress: 40%"' in html
    assert "Confidence: On track" in html
    # Half-way through the quarter with 40 %: within 10 points of the expected 50 % → on track.
    assert "Pace: On track" in html
    assert 'class="okr-spark"' in html
    assert f'hx-post="{url(w, "okrs:key_result_progress", key_result_id=kr.pk)}"' in html
    assert f'hx-target="#kr-{kr.pk}"' in html
    # The parent chip: the team objective's progress is on the page, so an update refreshes it.
    assert f"op-{w.okrs.team.pk}" in html


def test_private_objective_is_404_for_a_colleague_and_visible_to_the_owner_and_manager(w: World) -> None:
    private = w.okrs.private
    detail = url(w, "okrs:objective_detail", objective_id=private.pk)
    assert login(Client(), w.report).get(detail).status_code == 404
    assert login(Client(), w.employee).get(detail).status_code == 200
    assert login(Client(), w.manager).get(detail).status_code == 200
    assert login(Client(), w.admin).get(detail).status_code == 200
    # Nor can the colleague edit, align or update it.
    assert login(Client(), w.report).get(url(w, "okrs:objective_edit", objective_id=private.pk)).status_code == 404


# ---------------------------------------------------------------- inline progress update


def test_htmx_update_stores_progress_up_the_chain_and_swaps_every_shown_ancestor(w: World) -> None:
    chain_counts(w)
    okrs = w.okrs
    kr = okrs.individual_kr
    assert progress(w, Objective, okrs.company.pk) == Decimal("0.4")
    shown = f"{okrs.individual.pk} {okrs.team.pk} {okrs.company.pk} {okrs.department.pk}"

    response = login(Client(), w.employee).post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk),
        {"value": "70", "confidence": "at_risk", "note": "two more endpoints", "shown": shown},
        **HX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert progress(w, KeyResult, kr.pk) == Decimal("0.7")
    assert progress(w, Objective, okrs.individual.pk) == Decimal("0.7")
    assert progress(w, Objective, okrs.team.pk) == Decimal("0.7")
    assert progress(w, KeyResult, okrs.company_kr.pk) == Decimal("0.7")
    assert progress(w, Objective, okrs.company.pk) == Decimal("0.7")
    assert html.lstrip().startswith(f'<article class="kr-row" id="kr-{kr.pk}"')
    assert "70 of 100" in html
    assert "Confidence: At risk" in html
    for objective in (okrs.individual, okrs.team, okrs.company):
        assert f'hx-swap-oob="outerHTML:.op-{objective.pk}"' in html
    # The department is shown but no ancestor: no swap for it.
    assert f".op-{okrs.department.pk}" not in html
    assert html.count("hx-swap-oob") == 3
    with w.tenant():
        latest = ProgressUpdate.objects.filter(key_result=kr).order_by("-id").first()
    assert latest is not None
    assert (latest.value, latest.confidence, latest.note) == (Decimal(70), "at_risk", "two more endpoints")


def test_htmx_update_swaps_only_ancestors_whose_progress_changed_and_that_are_shown(w: World) -> None:
    okrs = w.okrs  # the team objective counts its key results (none), so the chain stops there
    shown = f"{okrs.individual.pk} {okrs.team.pk}"
    html = (
        login(Client(), w.employee)
        .post(
            url(w, "okrs:key_result_progress", key_result_id=okrs.individual_kr.pk),
            {"value": "55", "shown": shown},
            **HX,
        )
        .content.decode()
    )
    assert f'hx-swap-oob="outerHTML:.op-{okrs.individual.pk}"' in html  # its own header, always
    assert f".op-{okrs.team.pk}" not in html  # unchanged
    assert f".op-{okrs.company.pk}" not in html  # not shown


def test_plain_post_updates_and_redirects_back(w: World) -> None:
    kr = w.okrs.individual_kr
    back = url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk)
    response = login(Client(), w.employee).post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk), {"value": "90", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert progress(w, KeyResult, kr.pk) == Decimal("0.9")


def test_plain_post_never_redirects_off_site(w: World) -> None:
    kr = w.okrs.individual_kr
    response = login(Client(), w.employee).post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk), {"value": "90", "next": "https://evil.test/o/alpha/"}
    )
    assert response["Location"] == f"{url(w, 'okrs:my_okrs')}?cycle={w.okrs.quarter.pk}"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_invalid_value_shows_the_error_in_place_keeps_the_input_and_stores_nothing(w: World, htmx: bool) -> None:
    kr = w.okrs.individual_kr
    with w.tenant():
        updates = ProgressUpdate.objects.count()
    response = login(Client(), w.employee).post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk),
        {"value": "forty-two", "confidence": "off_track", "note": "my typed note"},
        **(HX if htmx else {}),
    )
    assert response.status_code == 200  # htmx 2 swaps 2xx only: the row with its error replaces the row
    html = response.content.decode()
    assert "Enter a number, e.g. 42 or 3.5." in html
    assert 'value="forty-two"' in html
    assert 'value="my typed note"' in html
    assert '<option value="off_track" selected>' in html
    assert "hx-swap-oob" not in html
    if htmx:
        assert html.lstrip().startswith(f'<article class="kr-row has-errors" id="kr-{kr.pk}"')
    else:
        assert "<html" in html  # the whole page, with the row in error
    with w.tenant():
        assert ProgressUpdate.objects.count() == updates
    assert progress(w, KeyResult, kr.pk) == Decimal("0.4")


def test_closed_cycle_refuses_a_non_admin_and_lets_an_admin_through(w: World) -> None:
    kr = w.okrs.individual_kr
    with w.tenant():
        w.okrs.quarter.state = CycleState.CLOSED
        w.okrs.quarter.save()
    endpoint = url(w, "okrs:key_result_progress", key_result_id=kr.pk)
    employee = login(Client(), w.employee)
    assert employee.post(endpoint, {"value": "80"}, **HX).status_code == 403
    assert progress(w, KeyResult, kr.pk) == Decimal("0.4")
    page = employee.get(f"{url(w, 'okrs:my_okrs')}?cycle={w.okrs.quarter.pk}").content.decode()
    assert f'id="kr-{kr.pk}"' in page
    assert 'class="kr-form"' not in page
    assert login(Client(), w.admin).post(endpoint, {"value": "80"}, **HX).status_code == 200
    assert progress(w, KeyResult, kr.pk) == Decimal("0.8")


def test_a_colleague_may_not_update_someone_elses_key_result(w: World) -> None:
    kr = w.okrs.individual_kr
    report = login(Client(), w.report)
    assert report.post(url(w, "okrs:key_result_progress", key_result_id=kr.pk), {"value": "99"}).status_code == 403
    detail = report.get(url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk)).content.decode()
    assert 'class="kr-form"' not in detail
    assert url(w, "okrs:objective_edit", objective_id=w.okrs.individual.pk) not in detail
    assert report.get(url(w, "okrs:objective_edit", objective_id=w.okrs.individual.pk)).status_code == 403
    assert progress(w, KeyResult, kr.pk) == Decimal("0.4")


def test_milestone_key_result_updates_through_checkboxes(w: World) -> None:
    with w.tenant():
        kr = services.key_result_create(
            actor=w.employee,
            objective=w.okrs.individual,
            data=services.KeyResultData(
                title="Launch steps", owner=w.employee, kind=KeyResultKind.MILESTONES, milestones=["Beta", "GA"]
            ),
        )
        beta, _ga = Milestone.objects.filter(key_result=kr).order_by("position")
    client = login(Client(), w.employee)
    page = client.get(url(w, "okrs:my_okrs")).content.decode()
    assert f'name="milestones_done" value="{beta.pk}"' in page
    response = client.post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk), {"milestones_done": [str(beta.pk)]}, **HX
    )
    assert response.status_code == 200
    assert "1 of 2 milestones done" in response.content.decode()
    assert progress(w, KeyResult, kr.pk) == Decimal("0.5")
    # Another key result's milestone is not a choice.
    response = client.post(
        url(w, "okrs:key_result_progress", key_result_id=kr.pk), {"milestones_done": ["999999"]}, **HX
    )
    assert "is not one of the available choices" in response.content.decode()


def _row_only(html: str) -> str:
    """A key result row's HTML without the out-of-band swaps and the per-render CSRF token."""
    row = html[html.index("<article") : html.index("</article>") + len("</article>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", row)


@pytest.mark.parametrize("variant", ["list", "detail"])
@pytest.mark.parametrize("kind", [KeyResultKind.NUMBER, KeyResultKind.MILESTONES])
def test_the_row_after_an_update_is_the_row_read_afresh(w: World, kind: str, variant: str) -> None:
    """The htmx answer to an update builds the row from what the update wrote (no second read);
    it must draw exactly what a fresh read draws: value, confidence, history, milestones."""
    with w.tenant():
        kr = services.key_result_create(
            actor=w.employee,
            objective=w.okrs.individual,
            data=services.KeyResultData(title="Drawn twice", owner=w.employee, kind=kind, milestones=["Beta", "GA"]),
        )
        services.progress_update_create(actor=w.employee, key_result=kr, value="10", milestones_done=[])
        beta = Milestone.objects.filter(key_result=kr).order_by("position").first()
    assert beta is not None
    client = login(Client(), w.employee)
    target = url(w, "okrs:key_result_progress", key_result_id=kr.pk)
    change = {"milestones_done": [str(beta.pk)]} if kind == KeyResultKind.MILESTONES else {"value": "35"}
    posted = client.post(target, {**change, "confidence": "at_risk", "note": "n", "variant": variant}, **HX)
    assert posted.status_code == 200
    row = _row_only(posted.content.decode())
    assert "At risk" in row
    if variant == "list":  # the form page's htmx GET draws the list row from a fresh read
        assert row == _row_only(client.get(target, **HX).content.decode())
    else:  # the objective page draws the detail row: the same history chart
        page = client.get(url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk)).content.decode()
        page_row = page[page.index(f'id="kr-{kr.pk}"') :]

        def chart(html: str) -> str:
            return html[html.index('<figure class="kr-history">') : html.index("</figure>")]

        assert chart(row) == chart(page_row)
        assert "2 updates" in chart(row)


def test_aligned_key_result_has_no_value_input(w: World) -> None:
    html = login(Client(), w.owner).get(url(w, "okrs:my_okrs")).content.decode()
    kr = w.okrs.company_kr
    row = html[html.index(f'id="kr-{kr.pk}"') :]
    row = row[: row.index("</article>")]
    assert "From the objectives aligned to it" in row
    assert 'name="value"' not in row
    assert 'name="confidence"' in row


# ---------------------------------------------------------------- create, edit, key results, delete


def test_employee_creates_an_objective_with_key_results_and_aligns_it(w: World) -> None:
    client = login(Client(), w.employee)
    form = client.get(f"{url(w, 'okrs:objective_create')}?cycle={w.okrs.quarter.pk}")
    assert form.status_code == 200
    assert 'type="hidden" name="owner"' in form.content.decode()  # employees own what they create

    response = client.post(
        url(w, "okrs:objective_create"),
        {
            "title": "Faster builds",
            "cycle": w.okrs.quarter.pk,
            "owner": w.employee.pk,
            "level": "individual",
            "kind": "standard",
            "team": w.team.pk,
            "visibility": "team",
            "progress_source": "key_results",
            "contributors": [w.report.pk],
            "tags": "dx, Speed",
        },
    )
    assert response.status_code == 302
    with w.tenant():
        objective = Objective.objects.get(title="Faster builds")
        assert objective.tags == ["dx", "speed"]
        assert list(objective.contributors.all()) == [w.report]
    assert response["Location"] == url(w, "okrs:objective_detail", objective_id=objective.pk)

    response = client.post(
        url(w, "okrs:key_result_create", objective_id=objective.pk),
        {
            "title": "Build time under 5 minutes",
            "kind": "number",
            "start_value": "12",
            "target_value": "5",
            "unit": "min",
            "weight": "1",
            "owner": w.employee.pk,
            "progress_source": "manual",
        },
    )
    assert response.status_code == 302
    with w.tenant():
        kr = KeyResult.objects.get(objective=objective)
    assert (kr.start_value, kr.target_value, kr.unit) == (Decimal(12), Decimal(5), "min")

    search = client.get(f"{url(w, 'okrs:alignment_search', objective_id=objective.pk)}?q=platform", **HX)
    assert search.status_code == 200
    results = search.content.decode()
    assert results.lstrip().startswith('<div id="alignment-results"')
    assert f'value="objective:{w.okrs.team.pk}"' in results
    assert f'value="objective:{objective.pk}"' not in results  # never itself

    response = client.post(
        url(w, "okrs:alignment_add", objective_id=objective.pk),
        # The child's owner aligns with the default weight: the parent's editor sets another (issue 7.7).
        {"parent": f"objective:{w.okrs.team.pk}", "weight": "1", "counts_toward_progress": "on"},
    )
    assert response.status_code == 302
    with w.tenant():
        link = Alignment.objects.get(child=objective)
    assert (link.parent_objective_id, link.weight, link.counts_toward_progress) == (w.okrs.team.pk, 1, True)

    # Edit: the title changes, contributors are cleared.
    response = client.post(
        url(w, "okrs:objective_edit", objective_id=objective.pk),
        {
            "title": "Much faster builds",
            "cycle": w.okrs.quarter.pk,
            "owner": w.employee.pk,
            "level": "individual",
            "kind": "standard",
            "visibility": "organisation",
            "progress_source": "key_results",
            "tags": "",
        },
    )
    assert response.status_code == 302
    with w.tenant():
        objective.refresh_from_db()
        assert objective.title == "Much faster builds"
        assert not objective.contributors.exists()

    # Delete the key result, then the objective.
    assert client.post(url(w, "okrs:key_result_delete", key_result_id=kr.pk)).status_code == 302
    assert client.post(url(w, "okrs:objective_delete", objective_id=objective.pk)).status_code == 302
    with w.tenant():
        assert not Objective.objects.filter(pk=objective.pk).exists()


def test_key_result_form_shows_service_errors_on_fields(w: World) -> None:
    response = login(Client(), w.employee).post(
        url(w, "okrs:key_result_create", objective_id=w.okrs.individual.pk),
        {
            "title": "Revenue",
            "kind": "currency",
            "start_value": "0",
            "target_value": "1000",
            "currency": "",
            "weight": "1",
            "owner": w.employee.pk,
            "progress_source": "manual",
        },
    )
    assert response.status_code == 200
    assert "Give a three-letter currency code, e.g. EUR." in response.content.decode()


def test_key_result_edit_changes_target_and_rolls_up(w: World) -> None:
    kr = w.okrs.individual_kr
    client = login(Client(), w.employee)
    assert client.get(url(w, "okrs:key_result_edit", key_result_id=kr.pk)).status_code == 200
    response = client.post(
        url(w, "okrs:key_result_edit", key_result_id=kr.pk),
        {
            "title": kr.title,
            "kind": "number",
            "start_value": "0",
            "target_value": "50",
            "weight": "1",
            "owner": w.employee.pk,
            "progress_source": "manual",
        },
    )
    assert response.status_code == 302
    assert progress(w, KeyResult, kr.pk) == Decimal("0.8")
    assert progress(w, Objective, w.okrs.individual.pk) == Decimal("0.8")


def test_alignment_loop_is_refused_with_a_field_error(w: World) -> None:
    # individual → team already; aligning team to individual would make a loop.
    response = login(Client(), w.manager).post(
        url(w, "okrs:alignment_add", objective_id=w.okrs.team.pk),
        {"parent": f"objective:{w.okrs.individual.pk}", "weight": "1", "counts_toward_progress": "on"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "aligning would make a loop" in html
    assert 'id="parent_error"' in html
    with w.tenant():
        assert not Alignment.objects.filter(child=w.okrs.team, parent_objective=w.okrs.individual).exists()


def test_alignment_to_a_shorter_cycle_is_refused_and_not_offered(w: World) -> None:
    other = CycleFactory(organisation=w.org, name="Sprint", start_date=date(2026, 11, 1), end_date=date(2026, 11, 30))
    sprint_objective = ObjectiveFactory(cycle=other, owner=w.manager, title="Sprint platform goal")
    client = login(Client(), w.employee)
    search = client.get(f"{url(w, 'okrs:alignment_search', objective_id=w.okrs.individual.pk)}?q=platform", **HX)
    assert f"objective:{sprint_objective.pk}" not in search.content.decode()
    response = client.post(
        url(w, "okrs:alignment_add", objective_id=w.okrs.individual.pk),
        {"parent": f"objective:{sprint_objective.pk}", "weight": "1"},
    )
    assert response.status_code == 200
    assert "or of a cycle that contains it" in response.content.decode()


def test_alignment_to_an_invisible_parent_reads_as_missing(w: World) -> None:
    # The report cannot see the employee's private objective: same answer as a missing one.
    own = ObjectiveFactory(cycle=w.okrs.quarter, owner=w.report, title="Report's objective")
    response = login(Client(), w.report).post(
        url(w, "okrs:alignment_add", objective_id=own.pk), {"parent": f"objective:{w.okrs.private.pk}", "weight": "1"}
    )
    assert response.status_code == 200
    assert "No such objective or key result." in response.content.decode()


def test_removing_an_alignment(w: World) -> None:
    with w.tenant():
        link = Alignment.objects.get(child=w.okrs.individual)
    client = login(Client(), w.employee)
    assert client.post(url(w, "okrs:alignment_delete", alignment_id=link.pk)).status_code == 302
    with w.tenant():
        assert not Alignment.objects.filter(pk=link.pk).exists()


# ---------------------------------------------------------------- review: scores and reflection


def test_scores_and_reflection_in_review(w: World) -> None:
    kr = w.okrs.individual_kr
    with w.tenant():
        w.okrs.quarter.state = CycleState.REVIEW
        w.okrs.quarter.save()
    client = login(Client(), w.employee)
    detail = client.get(url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk)).content.decode()
    assert 'name="score" value="0.400"' in detail  # defaults to the progress

    # A different score without a note is refused, on the field, and nothing is stored.
    response = client.post(url(w, "okrs:key_result_score", key_result_id=kr.pk), {"score": "0.6", "score_note": ""})
    assert response.status_code == 200
    assert "Say why the score differs from the measured progress." in response.content.decode()
    with w.tenant():
        assert KeyResult.objects.get(pk=kr.pk).score is None

    response = client.post(
        url(w, "okrs:key_result_score", key_result_id=kr.pk), {"score": "0.6", "score_note": "API done, docs late"}
    )
    assert response.status_code == 302
    response = client.post(
        url(w, "okrs:objective_reflect", objective_id=w.okrs.individual.pk), {"reflection": "Scope was too wide."}
    )
    assert response.status_code == 302
    with w.tenant():
        kr.refresh_from_db()
        objective = Objective.objects.get(pk=w.okrs.individual.pk)
    assert (kr.score, kr.score_note) == (Decimal("0.600"), "API done, docs late")
    assert (objective.score, objective.reflection) == (Decimal("0.600"), "Scope was too wide.")
    detail = client.get(url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk)).content.decode()
    assert "Objective score: <strong>0.600</strong>" in detail


def test_no_score_forms_while_active(w: World) -> None:
    detail = (
        login(Client(), w.employee)
        .get(url(w, "okrs:objective_detail", objective_id=w.okrs.individual.pk))
        .content.decode()
    )
    assert 'name="score"' not in detail


# ---------------------------------------------------------------- cycle picker and empty states


def test_empty_state_without_cycles(a: World) -> None:
    html = login(Client(), a.employee).get(reverse("okrs:my_okrs", kwargs={"org_slug": a.org.slug})).content.decode()
    assert "No OKR cycle yet" in html
    assert "Your HR admin creates the cycles" in html
    assert "Create the cycles" not in html  # only admins get the link


def test_empty_state_without_objectives_offers_to_create_one(w: World) -> None:
    html = login(Client(), w.report).get(url(w, "okrs:my_okrs")).content.decode()
    assert f"No objectives in {w.okrs.quarter.name} yet" in html
    assert f"{url(w, 'okrs:objective_create')}?cycle={w.okrs.quarter.pk}" in html


def test_cycle_picker_chooses_the_cycle_and_htmx_swaps_the_list(w: World) -> None:
    client = login(Client(), w.employee)
    year = client.get(f"{url(w, 'okrs:my_okrs')}?cycle={w.okrs.year.pk}", **HX)
    assert year.status_code == 200
    html = year.content.decode()
    assert html.lstrip().startswith('<section id="my-okrs"')
    assert f"No objectives in {w.okrs.year.name} yet" in html
    assert client.get(f"{url(w, 'okrs:my_okrs')}?cycle=999999").status_code == 404


def test_contributed_objectives_appear_on_my_okrs(w: World) -> None:
    other = ObjectiveFactory(cycle=w.okrs.quarter, owner=w.manager, title="Shared goal", visibility="team", team=w.team)
    with w.tenant():
        from okrs.models import Contributor

        Contributor.objects.create(organisation=w.org, objective=other, membership=w.report)
        KeyResultFactory(objective=other, title="Shared measure")
    html = login(Client(), w.report).get(url(w, "okrs:my_okrs")).content.decode()
    assert "Shared goal" in html
    assert "you contribute" in html
    assert "Shared measure" in html
