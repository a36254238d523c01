"""Issue 7 items 1-4 and 12, as a new user would find them: the OKR sub-navigation on every OKR
page (per role), My work as the real start page, the main menu on the profile, progress notes in
the history and the activity, "just now", the saved announcement, the people import's sample."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from okrs import services
from tests.conftest import World, login
from tests.okrs.worlds import OkrWorld

pytestmark = pytest.mark.usefixtures("frozen_time")

SUBNAV = re.compile(r'<nav class="subnav" aria-label="OKRs pages">(.*?)</nav>', re.S)
EXPECTED = {
    "employee": ["My OKRs", "Alignment tree", "Export CSV"],
    "manager": ["My OKRs", "Alignment tree", "Team view", "Alignment map", "Carry over", "Export CSV", "Import CSV"],
    "admin": [
        "My OKRs", "Alignment tree", "Team view", "Alignment map", "Carry over", "Cycles", "Adoption report",
        "Close summary",
        "Export CSV", "Import CSV",
    ],
}  # fmt: skip


def _subnav(html: str) -> list[str]:
    match = SUBNAV.search(html)
    assert match, "no OKR sub-navigation on the page"
    return re.findall(r">([^<>]+)</a>", match.group(1))


@pytest.mark.parametrize("role", ["employee", "manager", "admin"])
def test_every_okr_page_has_the_sub_navigation_of_what_the_role_may_use(role: str, a: World, o: OkrWorld) -> None:
    member = getattr(a, role)
    client = login(Client(), member)
    slug = a.org.slug
    pages = [
        reverse("okrs:my_okrs", kwargs={"org_slug": slug}),
        reverse("okrs:objective_detail", kwargs={"org_slug": slug, "objective_id": o.company.pk}),
        reverse("okrs:tree", kwargs={"org_slug": slug}),
        reverse("okrs:csv_export", kwargs={"org_slug": slug}),
    ]
    if role != "employee":
        pages += [
            reverse("okrs:team", kwargs={"org_slug": slug}),
            reverse("okrs:csv_import", kwargs={"org_slug": slug}),
        ]
    if role == "admin":
        pages += [
            reverse("okrs:cycles", kwargs={"org_slug": slug}),
            reverse("okrs:adoption", kwargs={"org_slug": slug}),
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _subnav(html) == EXPECTED[role], url
        # Every entry shown works for this role.
    for href in re.findall(r'href="([^"]+)"', SUBNAV.search(html).group(1)):  # type: ignore[union-attr]
        assert client.get(href).status_code == 200, href


def test_the_current_okr_page_is_marked_in_the_sub_navigation(a: World, o: OkrWorld) -> None:
    html = login(Client(), a.admin).get(reverse("okrs:adoption", kwargs={"org_slug": a.org.slug})).content.decode()
    assert re.search(r'<a href="[^"]+/okrs/adoption/" aria-current="page">Adoption report</a>', html)


# ---------------------------------------------------------------- item 2: My work


def _my_work(client: Client, w: World) -> str:
    response = client.get(reverse("organisations:my_work", kwargs={"org_slug": w.org.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_my_work_lists_key_results_to_update_with_the_inline_form(a: World, o: OkrWorld) -> None:
    html = _my_work(login(Client(), a.employee), a)
    assert "will appear here" not in html
    assert o.individual_kr.title in html
    progress_url = reverse(
        "okrs:key_result_progress", kwargs={"org_slug": a.org.slug, "key_result_id": o.individual_kr.pk}
    )
    assert f'hx-post="{progress_url}"' in html
    assert o.individual.title in html  # the objectives' progress
    assert "Your team's OKRs" not in html


def test_my_work_puts_stale_and_at_risk_key_results_first(a: World, o: OkrWorld) -> None:
    from tests.okrs.factories import KeyResultFactory

    fresh = KeyResultFactory(objective=o.individual, owner=a.employee, title="Fresh one")
    with a.tenant():
        services.progress_update_create(actor=a.employee, key_result=fresh, value="1", confidence="on_track")
        services.progress_update_create(actor=a.employee, key_result=o.individual_kr, value="40", confidence="at_risk")
    html = _my_work(login(Client(), a.employee), a)
    assert html.index(o.individual_kr.title) < html.index("Fresh one")


def test_my_work_gives_a_manager_the_team_summary(a: World, o: OkrWorld) -> None:
    html = _my_work(login(Client(), a.manager), a)
    assert "Your team's OKRs" in html
    assert "people without objectives" in html
    assert reverse("okrs:team", kwargs={"org_slug": a.org.slug}) in html


def test_my_work_gives_hr_the_cycle_state_and_adoption(a: World, o: OkrWorld) -> None:
    html = _my_work(login(Client(), a.admin), a)
    assert f"{o.quarter.name}: {o.quarter.get_state_display()}" in html
    assert "of people have objectives" in html
    assert reverse("okrs:adoption", kwargs={"org_slug": a.org.slug}) in html
    assert "Your HR admin sets up the quarter" not in html


# ---------------------------------------------------------------- item 3: the profile keeps the main menu


def test_profile_keeps_the_main_menu(a: World) -> None:
    html = login(Client(), a.employee).get(reverse("profile")).content.decode()
    assert '<nav class="mainnav" aria-label="Main">' in html
    assert reverse("okrs:my_okrs", kwargs={"org_slug": a.org.slug}) in html


# ---------------------------------------------------------------- item 4: notes, just now, saved


def test_notes_show_with_author_and_time_in_history_and_activity(a: World, o: OkrWorld) -> None:
    client = login(Client(), a.employee)
    url = reverse("okrs:key_result_progress", kwargs={"org_slug": a.org.slug, "key_result_id": o.individual_kr.pk})
    response = client.post(
        url,
        {
            "value": "55",
            "confidence": "at_risk",
            "note": "Blocked by the vendor",
            "variant": "list",
            "shown": str(o.individual.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert "Updated just now" in row
    assert "0 minutes" not in row
    assert f'id="kr-{o.individual_kr.pk}-submit"' in row  # focus stays on the row's button (same id)
    detail = client.get(
        reverse("okrs:objective_detail", kwargs={"org_slug": a.org.slug, "objective_id": o.individual.pk})
    )
    html = detail.content.decode()
    notes = html[html.index('class="kr-notes"') :]
    assert "Blocked by the vendor" in notes
    assert a.employee.user.full_name in notes
    assert "started" in notes  # the world's first update's note
    activity = html[html.index('id="activity-h"') :]
    assert "“Blocked by the vendor”" in activity


# ---------------------------------------------------------------- item 12: people import


def test_people_import_offers_a_sample_and_says_when_a_row_changes_a_member(a: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(Client(), a.admin)
    url = reverse("organisations:people_import", kwargs={"org_slug": a.org.slug})
    page = client.get(url).content.decode()
    sample = re.search(r'href="([^"]+people-import-sample\.csv)"', page)
    assert sample
    text = b"".join(client.get(sample.group(1)).streaming_content).decode()  # type: ignore[attr-defined]
    assert text.startswith("email,name,team path,manager email,role,title")
    content = (
        f"email,name,title\n{a.employee.user.email},,Staff Engineer\nnew.person@example.test,New Person,\n".encode()
    )
    preview = client.post(url, {"file": SimpleUploadedFile("p.csv", content, content_type="text/csv")}).content.decode()
    assert "Changes an existing member" in preview
    assert "title → Staff Engineer" in preview


# ---------------------------------------------------------------- item 3: the person page


def test_team_directory_links_to_a_person_page_with_visible_objectives_manager_and_reports(
    a: World, o: OkrWorld
) -> None:
    client = login(Client(), a.report)
    directory = client.get(reverse("organisations:team", kwargs={"org_slug": a.org.slug})).content.decode()
    employee_url = reverse("organisations:person", kwargs={"org_slug": a.org.slug, "membership_id": a.employee.pk})
    assert f'href="{employee_url}"' in directory
    page = client.get(employee_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert a.employee.user.full_name in html
    assert o.individual.title in html  # visible to a team mate
    assert o.private.title not in html  # private: not to a team mate
    manager_url = reverse("organisations:person", kwargs={"org_slug": a.org.slug, "membership_id": a.manager.pk})
    assert f'href="{manager_url}"' in html
    manager_page = client.get(manager_url).content.decode()
    assert a.employee.user.full_name in manager_page  # their reports
    assert a.report.user.full_name in manager_page
    # The employee's own manager sees the private objective too.
    assert o.private.title in login(Client(), a.manager).get(employee_url).content.decode()


def test_the_team_view_links_each_person_to_their_page(a: World, o: OkrWorld) -> None:
    html = login(Client(), a.manager).get(reverse("okrs:team", kwargs={"org_slug": a.org.slug})).content.decode()
    url = reverse("organisations:person", kwargs={"org_slug": a.org.slug, "membership_id": a.employee.pk})
    assert f'href="{url}"' in html
