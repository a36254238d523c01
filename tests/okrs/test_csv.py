"""CSV export and import of OKRs: visibility, the round trip, the dry run, per-row errors and
all-or-nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okrs import csv_io, services
from okrs.models import Alignment, Cycle, CycleKind, KeyResult, Objective
from tests.conftest import World, login
from tests.kit.isolation import fingerprint
from tests.okrs.factories import CycleFactory
from tests.okrs.worlds import OkrWorld, build_okrs

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
HEADER = (
    "objective title,level,kind,owner email,team path,key result title,key result kind,start,target,unit,weight,"
    "parent objective title"
)


pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def target(a: World, o: OkrWorld) -> Cycle:
    return CycleFactory(
        organisation=a.org,
        name="Q4 copy",
        kind=CycleKind.CUSTOM,
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
    )


def export_url(w: World, cycle: Cycle | None = None) -> str:
    url = reverse("okrs:csv_export", kwargs={"org_slug": w.org.slug})
    return f"{url}?cycle={cycle.pk}" if cycle else url


def import_url(w: World) -> str:
    return reverse("okrs:csv_import", kwargs={"org_slug": w.org.slug})


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def structure(text: str) -> list[tuple[str, ...]]:
    """What an import reproduces: every column but the informative ones."""
    keep = [header for key, header in csv_io.COLUMNS if key not in csv_io.INFORMATIVE]
    return sorted(tuple(r[h] for h in keep) for r in rows(text))


def upload(client: Client, w: World, cycle: Cycle, text: str) -> Any:
    file = SimpleUploadedFile("okrs.csv", text.encode(), content_type="text/csv")
    return client.post(import_url(w), {"cycle": cycle.pk, "file": file})


def email(m: Any) -> str:
    return str(m.user.email)


# ---------------------------------------------------------------- export


def test_export_page_offers_the_cycles(a: World, o: OkrWorld) -> None:
    response = login(Client(), a.employee).get(export_url(a))
    assert response.status_code == 200
    page = response.content.decode()
    assert o.quarter.name in page
    assert "Download CSV" in page
    assert "Import from CSV" not in page  # employees do not import


def test_export_is_one_row_per_key_result_with_the_objective_repeated(a: World, o: OkrWorld) -> None:
    response = login(Client(), a.owner).get(export_url(a, o.quarter))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    exported = rows(response.getvalue().decode("utf-8"))
    by_title = {r["objective title"]: r for r in exported}
    assert len(exported) == 5  # five objectives, at most one key result and one parent each
    individual = by_title[o.individual.title]
    assert individual["key result title"] == o.individual_kr.title
    assert individual["owner email"] == email(a.employee)
    assert individual["team path"] == "Alpha / Alpha Engineering / Alpha Platform"
    assert individual["parent objective title"] == o.team.title
    assert individual["current"] == "40"
    assert individual["progress %"] == "40"
    assert individual["status"] == "on_track"
    team = by_title[o.team.title]
    assert (team["parent objective title"], team["parent key result title"]) == (o.company.title, o.company_kr.title)
    assert by_title[o.company.title]["key result source"] == "aligned_children"


def test_export_shows_only_what_the_actor_may_see(a: World, o: OkrWorld) -> None:
    colleague = login(Client(), a.report).get(export_url(a, o.quarter)).getvalue().decode()
    manager = login(Client(), a.manager).get(export_url(a, o.quarter)).getvalue().decode()
    assert o.private.title not in colleague
    assert o.individual.title in colleague
    assert o.private.title in manager


def test_export_of_another_tenants_cycle_is_404_and_nonsense_is_a_form_error(a: World, b: World, o: OkrWorld) -> None:
    b.okrs = build_okrs(b)
    client = login(Client(), a.owner)
    assert client.get(export_url(a, b.okrs.quarter)).status_code == 404
    response = client.get(export_url(a) + "?cycle=abc")
    assert response.status_code == 200
    assert "Choose a cycle." in response.content.decode()


def test_export_neutralises_spreadsheet_formulas(a: World, o: OkrWorld) -> None:
    with a.tenant():
        Objective.objects.filter(pk=o.individual.pk).update(title="=HYPERLINK(1)")
    text = login(Client(), a.owner).get(export_url(a, o.quarter)).getvalue().decode()
    assert "'=HYPERLINK(1)" in text


# ---------------------------------------------------------------- round trip


def test_round_trip_into_another_cycle_keeps_the_structure(a: World, o: OkrWorld, target: Cycle) -> None:
    with a.tenant():
        # Richer than the world: two parents, a milestone and a currency key result, a formula-like title.
        services.alignment_create(actor=a.owner, child=o.individual, parent_objective=o.company)
        services.key_result_create(
            actor=a.owner,
            objective=o.team,
            data=services.KeyResultData(
                title="Launch", owner=a.manager, kind="milestones", milestones=["Beta", "GA"], weight=2
            ),
        )
        services.key_result_create(
            actor=a.owner,
            objective=o.department,
            data=services.KeyResultData(
                title="-Cost down", owner=a.admin, kind="currency", currency="EUR", start_value=100, target_value=40
            ),
        )
    client = login(Client(), a.owner)
    exported = client.get(export_url(a, o.quarter)).getvalue().decode("utf-8")
    preview = upload(client, a, target, exported.lstrip("\ufeff"))
    assert preview.status_code == 200
    assert "problem" not in preview.content.decode(), preview.content.decode()
    with a.tenant():
        assert not Objective.objects.filter(cycle=target).exists()  # only a preview
    confirmed = client.post(import_url(a), {"action": "confirm"})
    assert confirmed.status_code == 302
    again = client.get(export_url(a, target)).getvalue().decode("utf-8")
    assert structure(again) == structure(exported)
    with a.tenant():
        copies = Objective.objects.filter(cycle=target)
        assert copies.count() == 5
        assert KeyResult.objects.filter(objective__cycle=target).count() == 4
        assert Alignment.objects.filter(child__cycle=target).count() == 4
        assert Alignment.objects.filter(child__cycle=target, parent_objective__cycle=o.quarter).count() == 0
        assert copies.get(title=o.private.title).visibility == "private"
        assert KeyResult.objects.get(objective__cycle=target, title="-Cost down").currency == "EUR"


# ---------------------------------------------------------------- import: dry run, errors, all or nothing


def test_dry_run_writes_nothing(a: World, o: OkrWorld, target: Cycle) -> None:
    text = f"{HEADER}\nGrow,team,standard,{email(a.manager)},Alpha Engineering / Alpha Platform,Deals,number,0,10,deals,1,\n"
    before = fingerprint(a)
    response = upload(login(Client(), a.manager), a, target, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview for Q4 copy: 1 objective, 1 key result, 0 alignments" in page
    assert fingerprint(a) == before


def test_preview_then_confirm_imports(a: World, o: OkrWorld, target: Cycle) -> None:
    text = (
        f"{HEADER}\n"
        f"Grow,team,standard,{email(a.manager)},Alpha Engineering / Alpha Platform,Deals,number,0,10,deals,1,"
        f"{o.company.title}\n"
        f"Grow,team,standard,{email(a.manager)},,Calls,percentage,10,50,%,2,\n"
        f"Learn,,,{email(a.employee)},,,,,,,,Grow\n"
    )
    client = login(Client(), a.manager)
    assert upload(client, a, target, text).status_code == 200
    response = client.post(import_url(a), {"action": "confirm"})
    assert response.status_code == 302
    with a.tenant():
        grow = Objective.objects.get(cycle=target, title="Grow")
        assert grow.team_id == a.team.pk
        assert [kr.title for kr in grow.key_results.all()] == ["Deals", "Calls"]
        assert grow.parent_links.get().parent_objective_id == o.company.pk  # a parent in a containing cycle
        learn = Objective.objects.get(cycle=target, title="Learn")
        assert learn.owner_id == a.employee.pk
        assert learn.parent_links.get().parent_objective_id == grow.pk
    # The preview is consumed: confirming again needs a new upload.
    again = client.post(import_url(a), {"action": "confirm"})
    assert again.status_code == 302
    with a.tenant():
        assert Objective.objects.filter(cycle=target).count() == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Grow,team,standard,nobody@example.test,,Deals,number,0,10,,1,", "Unknown owner e-mail"),
        ("Grow,team,standard,{manager},,Deals,number,0,10,,1,No such parent", "Unknown parent objective"),
        ("Grow,team,standard,{manager},,Deals,number,zero,10,,1,", "Start “zero” is not a number"),
        ("Grow,team,standard,{manager},,Deals,number,0,10,,heavy,", "Weight “heavy” is not a number"),
        ("Grow,team,standard,{manager},,Deals,vibes,0,10,,1,", "Unknown key result kind “vibes”"),
        ("Grow,team,galactic,{manager},,Deals,number,0,10,,1,", "Unknown kind “galactic”"),
        ("Grow,planet,standard,{manager},,Deals,number,0,10,,1,", "Unknown level “planet”"),
        ("Grow,team,standard,{manager},Nowhere / Team,Deals,number,0,10,,1,", "Unknown team “Nowhere / Team”"),
        ("Grow,team,standard,{manager},,Deals,number,5,5,,1,", "The target must differ from the start"),
        ("Grow,company,standard,{employee},,Deals,number,0,10,,1,", "Company and department objectives"),
        ("{team_title},team,standard,{manager},,Deals,number,0,10,,1,", "already exists in"),
        (",team,standard,{manager},,Deals,number,0,10,,1,", "The objective title is empty"),
        ("Grow,team,standard,{manager},,,number,0,10,,1,", "The key result title is empty"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_imported(
    line: str, message: str, a: World, o: OkrWorld, target: Cycle
) -> None:
    filled = line.format(manager=email(a.manager), employee=email(a.employee), team_title=o.team.title)
    # A good row first: it must not be imported either.
    text = f"{HEADER}\nFine,individual,standard,{email(a.manager)},,Ok,number,0,10,,1,\n{filled}\n"
    if "already exists" in message:
        target = o.quarter
    before = fingerprint(a)
    with a.tenant():
        result = csv_io.import_cycle(actor=a.manager, cycle=target, csv_text=text, dry_run=False)
    assert not result.ok
    bad = [row for row in result.rows if row.errors]
    assert [row.line for row in bad] == [3], [(r.line, r.errors) for r in result.rows]
    assert any(message in e for e in bad[0].errors), bad[0].errors
    assert fingerprint(a) == before
    assert (result.objectives, result.key_results, result.alignments) == (0, 0, 0)


def test_duplicate_key_result_and_inconsistent_objective_columns(a: World, o: OkrWorld, target: Cycle) -> None:
    m = email(a.manager)
    text = (
        f"{HEADER}\n"
        f"Grow,team,standard,{m},,Deals,number,0,10,,1,\n"
        f"Grow,team,standard,{m},,deals,number,0,20,,1,\n"
        f"Grow,individual,standard,{m},,Calls,number,0,20,,1,\n"
    )
    with a.tenant():
        result = csv_io.import_cycle(actor=a.manager, cycle=target, csv_text=text, dry_run=True)
    errors = {row.line: row.errors for row in result.rows}
    assert "Duplicate key result" in errors[3][0]
    assert "also on line 2" in errors[3][0]
    assert "The level differs from line 2" in errors[4][0]


def test_file_level_errors(a: World, o: OkrWorld, target: Cycle) -> None:
    with a.tenant():
        unknown = csv_io.import_cycle(actor=a.admin, cycle=target, csv_text="title,colour\nx,red\n", dry_run=True)
        empty = csv_io.import_cycle(actor=a.admin, cycle=target, csv_text=f"{HEADER}\n", dry_run=True)
    assert any("Unknown column(s): title, colour" in e for e in unknown.errors)
    assert any("objective title" in e for e in unknown.errors)
    assert empty.errors == ["The file has a header but no objectives."]


def test_a_service_refusal_found_by_the_dry_run_shows_on_its_row(a: World, o: OkrWorld, target: Cycle) -> None:
    """Only the services know some rules (a loop between two file objectives); the dry run runs
    them and rolls back."""
    m = email(a.manager)
    text = f"{HEADER}\nA,team,standard,{m},,,,,,,,B\nB,team,standard,{m},,,,,,,,A\n"
    before = fingerprint(a)
    response = upload(login(Client(), a.manager), a, target, text)
    page = response.content.decode()
    assert "nothing was imported" in page
    assert "loop" in page
    assert fingerprint(a) == before


def test_page_shows_per_row_errors_and_no_confirm_button(a: World, o: OkrWorld, target: Cycle) -> None:
    text = f"{HEADER}\nGrow,team,standard,ghost@example.test,,Deals,number,0,10,,1,\n"
    response = upload(login(Client(), a.admin), a, target, text)
    page = response.content.decode()
    assert "Unknown owner e-mail “ghost@example.test”" in page
    assert 'value="confirm"' not in page


def test_import_needs_a_manager(a: World, o: OkrWorld) -> None:
    assert login(Client(), a.employee).get(import_url(a)).status_code == 403
    page = login(Client(), a.manager).get(import_url(a))
    assert page.status_code == 200
    assert "Import OKRs" in page.content.decode()


def test_confirm_without_a_preview_asks_to_upload_again(a: World, o: OkrWorld) -> None:
    response = login(Client(), a.manager).post(import_url(a), {"action": "confirm"}, follow=True)
    assert "The preview expired" in response.content.decode()


def test_a_non_utf8_file_is_a_form_error(a: World, o: OkrWorld, target: Cycle) -> None:
    file = SimpleUploadedFile("okrs.csv", "Objectif,é".encode("latin-1"), content_type="text/csv")
    response = login(Client(), a.manager).post(import_url(a), {"cycle": target.pk, "file": file})
    assert "UTF-8" in response.content.decode()


# ---------------------------------------------------------------- streamed in batches


def test_export_is_streamed_and_read_batch_by_batch_in_the_tenant_context(
    a: World, b: World, o: OkrWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The download is a StreamingHttpResponse whose body is read after the view (and the
    request's transaction, with its tenant setting) has ended: each batch sets the tenant again.
    As the application role (RLS enforced), a body read without it would be empty; b's OKRs,
    in the same cycle-sized world, never appear."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
    b.okrs = build_okrs(b)
    with a.tenant():
        all_at_once = csv_io.export_cycle(actor=a.owner, cycle=o.quarter)
    monkeypatch.setattr(csv_io, "EXPORT_BATCH", 2)  # five objectives: three batches
    response = login(Client(), a.owner).get(export_url(a, o.quarter))
    assert response.status_code == 200
    assert response.streaming
    text = response.getvalue().decode("utf-8")
    assert text == "\ufeff" + all_at_once
    assert len(rows(text)) == 5
    with b.tenant():
        b_titles = list(Objective.objects.filter(organisation=b.org).values_list("title", flat=True))
    assert b_titles
    assert not [title for title in b_titles if title in text]


def test_export_chunks_outside_any_transaction_set_the_tenant_per_batch(
    a: World, o: OkrWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No tenant is set here: the rows come only because every batch sets it itself."""
    from organisations import rls

    assert rls.current_tenant() is None
    monkeypatch.setattr(csv_io, "EXPORT_BATCH", 2)
    chunks = list(csv_io.export_chunks(actor=a.owner, cycle=o.quarter))
    assert len(chunks) == 1 + 3  # the header, then one chunk per batch of two objectives
    assert len(rows("".join(chunks))) == 5
    assert rls.current_tenant() is None


def test_export_queries_are_the_same_for_every_batch(a: World, o: OkrWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """A constant number of queries a batch (tenant, objectives, key results with their
    milestones, parents; the teams once, in the first): memory and queries follow the batch size,
    not the cycle's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(csv_io, "EXPORT_BATCH", 1)
    chunks = csv_io.export_chunks(actor=a.owner, cycle=o.quarter)
    counts = []
    while True:
        with CaptureQueriesContext(connection) as captured:
            chunk = next(chunks, None)
        if chunk is None:
            break
        counts.append(len(captured))
    _header, first, *others = counts
    assert len(others) == 4  # five objectives, one a batch
    assert first == others[0] + 1  # the teams
    assert len(set(others)) == 1, counts
