"""HR's results page stays bounded at 10,000 people: the teams to look at first (the heatmap has
them all) and the comments a screen at a time, read on by keyset."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from surveys import selectors
from surveys.models import CommentResult, GroupKind, GroupResult, Theme, ThemeResult
from tests.conftest import World, login
from tests.factories import TeamFactory
from tests.kit.queries import assert_constant_queries
from tests.surveys.worlds import SurveyWorld

pytestmark = pytest.mark.django_db


def url(w: World, name: str, **kw: object) -> str:
    return reverse(f"surveys:{name}", kwargs={"org_slug": w.org.slug, **kw})


def publish_team(w: World, s: SurveyWorld, name: str, score: int) -> None:
    with w.tenant():
        team = TeamFactory(organisation=w.org, parent=w.department, name=name)
        group = GroupResult.objects.create(
            organisation=w.org, survey=s.closed, kind=GroupKind.TEAM, team=team, n=5, respondents=[]
        )
        ThemeResult.objects.bulk_create(
            ThemeResult(organisation=w.org, survey=s.closed, group=group, theme=t, score=Decimal(score), n=5)
            for t in Theme.objects.all()
        )


def organisation_group(w: World, s: SurveyWorld) -> GroupResult:
    with w.tenant():
        return GroupResult.objects.get(survey=s.closed, kind=GroupKind.ORGANISATION)


def add_comments(w: World, s: SurveyWorld, n: int) -> None:
    group = organisation_group(w, s)
    with w.tenant():
        theme = Theme.objects.first()
        start = max(CommentResult.objects.filter(group=group).values_list("position", flat=True), default=0) + 1
        CommentResult.objects.bulk_create(
            CommentResult(
                organisation=w.org,
                survey=s.closed,
                group=group,
                theme=theme,
                text=f"extra {start + i}",
                position=start + i,
            )
            for i in range(n)
        )


def comment_texts(html: str) -> list[str]:
    return re.findall(r'<span class="badge">[^<]*</span> ([^<]*)</span></li>', html)


def test_results_name_the_lowest_teams_and_send_hr_to_the_heatmap_for_the_rest(a: World, s: SurveyWorld) -> None:
    for i in range(14):
        publish_team(a, s, f"Squad {i:02d}", score=1 + i)  # below any team of the world; 00 lowest
    html = login(Client(), a.admin).get(url(a, "results", survey_id=s.closed.pk)).content.decode()

    shown = re.findall(r"<h3 hx-disable>(Squad \d\d) ", html)
    assert shown == [f"Squad {i:02d}" for i in range(selectors.ATTENTION_TEAMS)]  # lowest first
    with a.tenant():
        total = selectors.teams_needing_attention(s.closed).total
    assert total >= 14
    assert f"of {total}" in html
    assert url(a, "heatmap") + f"?survey={s.closed.pk}" in html
    heatmap = login(Client(), a.admin).get(url(a, "heatmap") + f"?survey={s.closed.pk}").content.decode()
    assert all(f"Squad {i:02d}" in heatmap for i in range(14))  # every team is one click away


def test_comments_read_on_a_screen_at_a_time_without_gaps_or_repeats(a: World, s: SurveyWorld) -> None:
    add_comments(a, s, 70)
    hr = login(Client(), a.admin)
    with a.tenant():
        everything = [c.text for c in CommentResult.objects.filter(group=organisation_group(a, s)).order_by("position")]
    assert len(everything) > selectors.COMMENTS_PAGE

    first = hr.get(url(a, "results", survey_id=s.closed.pk)).content.decode()
    seen = comment_texts(first)
    assert len(seen) == selectors.COMMENTS_PAGE
    more = re.search(r'hx-get="([^"]+\?after=(\d+))"', first)
    assert more, "a Show more button under a full screen"
    while more:
        fragment = hr.get(more[1].replace("&amp;", "&"), headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in fragment
        assert 'id="comments-more" hx-swap-oob="true"' in fragment  # the button moves on (or goes)
        seen += comment_texts(fragment)
        more = re.search(r'hx-get="([^"]+\?after=(\d+))"', fragment)
    assert seen == everything

    # Without JavaScript the link opens a page of its own with the next screen.
    after = first.split("?after=")[1].split('"')[0]
    page = hr.get(url(a, "comments", survey_id=s.closed.pk) + f"?after={after}")
    assert page.status_code == 200
    assert "<h1>Comments</h1>" in page.content.decode()
    assert comment_texts(page.content.decode()) == everything[selectors.COMMENTS_PAGE : 2 * selectors.COMMENTS_PAGE]


def test_comments_are_for_hr_and_refuse_a_bad_position(a: World, s: SurveyWorld) -> None:
    comments = url(a, "comments", survey_id=s.closed.pk)
    assert login(Client(), a.employee).get(comments).status_code == 403
    hr = login(Client(), a.admin)
    response = hr.get(comments + "?after=-1")
    assert response.status_code == 400
    assert "after" in response.content.decode()
    # A survey not closed has no published comments: back to its results page, which says so.
    response = hr.get(url(a, "comments", survey_id=s.open.pk))
    assert response.status_code == 302
    assert response["Location"] == url(a, "results", survey_id=s.open.pk)


def test_the_next_screen_of_comments_costs_the_same_whatever_their_number(a: World, s: SurveyWorld) -> None:
    add_comments(a, s, 60)
    assert_constant_queries(
        login(Client(), a.admin),
        url(a, "comments", survey_id=s.closed.pk) + "?after=3",
        lambda n: add_comments(a, s, n),
        label="comments",
    )


def test_heatmap_cells_print_half_up_and_a_dash_where_a_theme_was_not_published(a: World, s: SurveyWorld) -> None:
    publish_team(a, s, "Squad half", score=1)
    with a.tenant():
        group = GroupResult.objects.get(team__name="Squad half")
        first, second = list(ThemeResult.objects.filter(group=group).order_by("theme__position", "theme__name"))[:2]
        ThemeResult.objects.filter(pk=first.pk).update(score=Decimal("52.5"))
        ThemeResult.objects.filter(pk=second.pk).delete()
    html = login(Client(), a.admin).get(url(a, "heatmap") + f"?survey={s.closed.pk}").content.decode()
    row = html.split("Squad half")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="heat ([\w-]+)">([^<]*)</td>', row)
    assert cells[:2] == [("heat-2", "53"), ("heat-none", "—")]
    assert set(cells[2:]) == {("heat-0", "1")}
