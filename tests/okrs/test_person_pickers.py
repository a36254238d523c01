"""The forms' person pickers (organisations.forms.PersonPicker): an objective's owner and
contributors, a key result's owner, whom to ask to align, a member's manager. None lists the
organisation; each offers the people found for the text typed (as one types, through
organisations:people_search; without JavaScript, by sending the form) beside those chosen."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from okrs.models import Objective
from organisations.models import Membership
from tests.conftest import World, login
from tests.factories import MembershipFactory
from tests.kit.queries import assert_constant_queries
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.usefixtures("frozen_time"), pytest.mark.frozen_time(datetime(2026, 11, 15, tzinfo=UTC))]


def url(w: World, name: str, **ids: int) -> str:
    return reverse(name, kwargs={"org_slug": w.org.slug, **ids})


def offered(html: str, field: str) -> list[str]:
    """The ids a page offers for ``field``, checked or not, in page order."""
    return re.findall(rf'name="{field}" value="(\d+)"', html)


def checked(html: str, field: str) -> list[str]:
    return re.findall(rf'name="{field}" value="(\d+)" checked', html)


def objective_data(w: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Picked by name",
        "cycle": w.okrs.quarter.pk,  # type: ignore[attr-defined]
        "level": "team",
        "kind": "standard",
        "team": w.team.pk,
        "visibility": "organisation",
        "progress_source": "key_results",
        "tags": "",
    }
    data.update(changes)
    return data


def test_the_objective_form_lists_nobody_but_the_owner_chosen(w: World) -> None:
    html = (
        login(Client(), w.manager).get(f"{url(w, 'okrs:objective_create')}?cycle={w.okrs.quarter.pk}").content.decode()
    )  # type: ignore[attr-defined]
    assert "<option" not in html.split('name="owner_q"')[1].split("</fieldset>")[0]
    assert offered(html, "owner") == checked(html, "owner") == [str(w.manager.pk)]  # the actor, preselected
    assert offered(html, "contributors") == []
    assert 'for="id_owner_q"' in html  # the label names the search box
    assert 'id="id_owner_q"' in html
    assert (
        reverse("organisations:people_search", kwargs={"org_slug": w.org.slug}) + "?field=contributors&amp;multiple=1"
        in html
    )


def test_a_name_typed_without_picking_brings_the_form_back_with_the_matches(w: World) -> None:
    zelda = MembershipFactory(organisation=w.org, team=w.team, user__full_name="Zelda Picked")
    client = login(Client(), w.manager)
    response = client.post(url(w, "okrs:objective_create"), objective_data(w, owner=w.manager.pk, owner_q="zelda"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pick one of the people matching “zelda”" in html
    assert 'value="zelda"' in html  # what was typed is kept
    assert offered(html, "owner") == [str(w.manager.pk), str(zelda.pk)]  # the earlier choice and the match
    assert 'value="Picked by name"' in html
    with w.tenant():
        assert not Objective.objects.filter(title="Picked by name").exists()

    # Picking the match (the search text still there, as a browser sends it) saves it.
    response = client.post(url(w, "okrs:objective_create"), objective_data(w, owner=zelda.pk, owner_q="zelda"))
    assert response.status_code == 302
    with w.tenant():
        assert Objective.objects.get(title="Picked by name").owner_id == zelda.pk


def test_a_name_nobody_has_says_so(w: World) -> None:
    client = login(Client(), w.manager)
    response = client.post(url(w, "okrs:objective_create"), objective_data(w, owner=w.manager.pk, owner_q="qqqxyz"))
    assert response.status_code == 200
    assert "Nobody active matches “qqqxyz”" in response.content.decode()


def test_contributors_are_picked_several_and_shown_checked_when_editing(w: World) -> None:
    client = login(Client(), w.manager)
    data = objective_data(w, owner=w.manager.pk, contributors=[w.employee.pk, w.report.pk])
    assert client.post(url(w, "okrs:objective_create"), data).status_code == 302
    with w.tenant():
        objective = Objective.objects.get(title="Picked by name")
        assert {c.pk for c in objective.contributors.all()} == {w.employee.pk, w.report.pk}
    html = client.get(url(w, "okrs:objective_edit", objective_id=objective.pk)).content.decode()
    assert sorted(checked(html, "contributors")) == sorted([str(w.employee.pk), str(w.report.pk)])
    assert 'type="checkbox" name="contributors"' in html


def test_another_organisations_member_is_not_a_valid_choice(w: World, b: World) -> None:
    client = login(Client(), w.manager)
    response = client.post(url(w, "okrs:objective_create"), objective_data(w, owner=b.manager.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        url(w, "okrs:objective_create"), objective_data(w, owner=w.manager.pk, contributors=[b.employee.pk])
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with w.tenant():
        assert not Objective.objects.filter(title="Picked by name").exists()


def test_the_key_result_owner_is_picked_by_search(w: World) -> None:
    with w.tenant():
        objective = ObjectiveFactory(organisation=w.org, cycle=w.okrs.quarter, owner=w.manager, team=w.team)  # type: ignore[attr-defined]
        kr = KeyResultFactory(objective=objective, owner=w.employee)
    client = login(Client(), w.manager)
    html = client.get(url(w, "okrs:key_result_edit", key_result_id=kr.pk)).content.decode()
    assert offered(html, "owner") == checked(html, "owner") == [str(w.employee.pk)]
    html = client.get(url(w, "okrs:key_result_create", objective_id=objective.pk)).content.decode()
    assert 'name="owner_q"' in html


def test_ask_to_align_searches_only_the_managers_reporting_line(w: World) -> None:
    client = login(Client(), w.manager)
    search = reverse("organisations:people_search", kwargs={"org_slug": w.org.slug})
    line = client.get(f"{search}?field=member&scope=line&q={w.org.name}", HTTP_HX_REQUEST="true").content.decode()
    assert sorted(offered(line, "member")) == sorted([str(w.employee.pk), str(w.report.pk)])
    everyone = client.get(f"{search}?field=member&q={w.org.name}", HTTP_HX_REQUEST="true").content.decode()
    assert str(w.admin.pk) in offered(everyone, "member")


def test_the_people_admin_picks_a_manager_or_nobody(w: World) -> None:
    client = login(Client(), w.admin)
    edit = url(w, "organisations:person_edit", membership_id=w.employee.pk)
    html = client.get(edit).content.decode()
    assert checked(html, "manager") == [str(w.manager.pk)]
    assert 'name="manager" value=""' in html  # "No manager" is a choice
    data = {"action": "save", "role": "employee", "team": w.team.pk, "job_title": "", "manager": ""}
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with w.tenant():
        w.employee.refresh_from_db()
    assert w.employee.manager_id is None
    response = client.post(edit, {**data, "manager": w.admin.pk})
    assert response.status_code == 302
    with w.tenant():
        w.employee.refresh_from_db()
    assert w.employee.manager_id == w.admin.pk


def test_the_forms_run_a_constant_number_of_queries_however_many_people(w: World) -> None:
    client = login(Client(), w.admin)

    def grow(n: int) -> None:
        for i in range(n):
            MembershipFactory(organisation=w.org, team=w.team, manager=w.manager, user__full_name=f"Many {i}")

    assert_constant_queries(
        client, f"{url(w, 'okrs:objective_create')}?cycle={w.okrs.quarter.pk}", grow, label="objective form"
    )  # type: ignore[attr-defined]
    assert_constant_queries(
        client, url(w, "organisations:person_edit", membership_id=w.employee.pk), grow, label="person edit"
    )
    with w.tenant():
        assert Membership.objects.filter(organisation=w.org).count() > 20


def test_ask_to_align_has_a_page_of_its_own_for_anyone_in_the_line(w: World) -> None:
    """The team view's one-click choice lists the people on its screen; its "Someone else…"
    opens the form, whose picker searches the whole reporting line."""
    with w.tenant():
        objective = ObjectiveFactory(organisation=w.org, cycle=w.okrs.quarter, owner=w.manager, team=w.team)  # type: ignore[attr-defined]
        kr = KeyResultFactory(objective=objective, owner=w.manager)
    page = url(w, "okrs:ask_to_align", key_result_id=kr.pk)
    response = login(Client(), w.manager).get(f"{page}?next={url(w, 'okrs:team')}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="member_q"' in html
    assert "scope=line" in html
    assert f'name="next" value="{url(w, "okrs:team")}"' in html
    assert offered(html, "member") == []  # nobody listed until a name is typed
    assert login(Client(), w.employee).get(page).status_code == 403
