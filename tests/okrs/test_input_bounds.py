"""Issue 7 items 16 and 18: input that used to be a 500 (weights past the column, long milestones,
NUL in a CSV) is refused with a message; the CSV export lets no formula out of any text column."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okrs import csv_io
from okrs.models import Alignment, Cycle, CycleKind, KeyResult
from organisations.models import User
from tests.conftest import World, login
from tests.okrs.factories import CycleFactory
from tests.okrs.worlds import OkrWorld

pytestmark = pytest.mark.usefixtures("frozen_time")

HEADER = "objective title,level,kind,owner email,key result title,key result kind,start,target,weight,milestones"


@pytest.fixture
def target(a: World, o: OkrWorld) -> Cycle:
    return CycleFactory(
        organisation=a.org,
        name="Q4 copy",
        kind=CycleKind.CUSTOM,
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
    )


def _kr_form(weight: str, milestones: str = "", kind: str = "number") -> dict[str, str]:
    return {
        "title": "Calls",
        "kind": kind,
        "start_value": "0",
        "target_value": "10",
        "weight": weight,
        "milestones": milestones,
        "progress_source": "manual",
    }


@pytest.mark.parametrize("weight", ["100000", "99999999999999", "1000.5"])
def test_key_result_form_refuses_a_weight_above_the_bound(a: World, o: OkrWorld, weight: str) -> None:
    url = reverse("okrs:key_result_create", kwargs={"org_slug": a.org.slug, "objective_id": o.individual.pk})
    response = login(Client(raise_request_exception=False), a.employee).post(
        url, {**_kr_form(weight), "owner": a.employee.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Past the bound, past a usable number, or past the field's length: a message on the form either way.
    assert any(m in html for m in ("The weight can be at most 100", "reasonable size", "at most 12 characters"))
    with a.tenant():
        assert not KeyResult.objects.filter(objective=o.individual, title="Calls").exists()


def test_key_result_form_refuses_a_milestone_longer_than_200(a: World, o: OkrWorld) -> None:
    url = reverse("okrs:key_result_create", kwargs={"org_slug": a.org.slug, "objective_id": o.individual.pk})
    response = login(Client(raise_request_exception=False), a.employee).post(
        url, {**_kr_form("1", "Short\n" + "x" * 201, kind="milestones"), "owner": a.employee.pk}
    )
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def test_align_form_refuses_a_weight_above_the_bound(a: World, o: OkrWorld) -> None:
    url = reverse("okrs:alignment_add", kwargs={"org_slug": a.org.slug, "objective_id": o.individual.pk})
    response = login(Client(raise_request_exception=False), a.owner).post(
        url, {"parent": f"objective:{o.company.pk}", "weight": "100000", "counts_toward_progress": "on"}
    )
    assert response.status_code in (200, 400)
    assert response.status_code != 500
    assert "The weight can be at most 100" in response.content.decode()
    with a.tenant():
        assert not Alignment.objects.filter(child=o.individual, parent_objective=o.company).exists()


def test_api_refuses_a_weight_above_the_bound(a: World, o: OkrWorld) -> None:
    url = f"/api/v1/orgs/{a.org.slug}/key-results/"
    response = login(Client(raise_request_exception=False), a.owner).post(
        url,
        {
            "objective": o.individual.pk,
            "title": "Calls",
            "kind": "number",
            "start_value": "0",
            "target_value": "10",
            "weight": "100000",
            "owner": a.employee.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert "weight" in response.json()


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("Calls,number,0,10,100000,", "above the largest weight, 100"),
        ("Calls,number,0,10,99999999999999999999999,", "Weight"),
        ("Launch,milestones,0,1,1," + "x" * 201, "milestone is longer than 200"),
    ],
)
def test_csv_import_refuses_a_bad_weight_or_milestone_on_its_row(
    a: World, o: OkrWorld, target: Cycle, cells: str, message: str
) -> None:
    text = f"{HEADER}\nGrow,team,standard,{a.manager.user.email},{cells}\n"
    with a.tenant():
        result = csv_io.import_cycle(actor=a.manager, cycle=target, csv_text=text, dry_run=True)
    assert not result.ok
    assert any(message in e for row in result.rows for e in row.errors), [r.errors for r in result.rows]


def test_csv_import_page_refuses_nul_in_a_field_with_a_message(a: World, o: OkrWorld, target: Cycle) -> None:
    text = f"{HEADER}\nGr\x00ow,team,standard,{a.manager.user.email},Calls,number,0,10,1,\n"
    file = SimpleUploadedFile("okrs.csv", text.encode(), content_type="text/csv")
    response = login(Client(raise_request_exception=False), a.manager).post(
        reverse("okrs:csv_import", kwargs={"org_slug": a.org.slug}), {"cycle": target.pk, "file": file}
    )
    assert response.status_code in (200, 400)
    assert "NUL" in response.content.decode()


def test_csv_export_neutralises_formulas_in_every_text_column(a: World, o: OkrWorld) -> None:
    """The owner e-mail went out raw (item 18)."""
    User.objects.filter(pk=a.employee.user_id).update(email="=1+1@example.test")
    with a.tenant():
        KeyResult.objects.filter(pk=o.individual_kr.pk).update(unit="+SUM(A1)")
    url = reverse("okrs:csv_export", kwargs={"org_slug": a.org.slug}) + f"?cycle={o.quarter.pk}"
    text = login(Client(), a.owner).get(url).getvalue().decode()
    assert "'=1+1@example.test" in text
    assert ",=1+1" not in text
    assert "'+SUM(A1)" in text
    # Numbers stay numbers.
    assert ",'0," not in text
    assert ",'-" not in text


def test_activity_never_names_an_objective_the_reader_cannot_see(a: World, o: OkrWorld) -> None:
    """Item 17: aligning to a private objective put its title in a feed others can read."""
    from okrs import services

    with a.tenant():
        services.alignment_create(actor=a.employee, child=o.individual, parent_objective=o.private)
    url = reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": o.individual.pk})
    colleague = login(Client(), a.report).get(url)
    assert colleague.status_code == 200
    page = colleague.content.decode()
    assert o.private.title not in page
    assert "aligned it to an objective you cannot see" in page
    own = login(Client(), a.employee).get(url).content.decode()
    assert f"aligned it to “{o.private.title}”" in own
