"""Issue 12.7: a close summary for HR — per team, the share of objectives scored, the average
score and who has not scored — with a reminder button (an in-app notification, once a day)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from okrs import selectors, services
from okrs.models import CycleState
from tests.conftest import World
from tests.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def _cycle(w: World) -> Any:
    cycle = CycleFactory(organisation=w.org, name="Q4 review", state=CycleState.REVIEW)
    sales = TeamFactory(organisation=w.org, name="Sales", parent=w.department)
    done = ObjectiveFactory(cycle=cycle, owner=w.manager, team=w.team, title="Scored")
    done_kr = KeyResultFactory(objective=done, owner=w.manager, progress=Decimal("0.8"))
    half = ObjectiveFactory(cycle=cycle, owner=w.employee, team=w.team, title="Half scored")
    half_first = KeyResultFactory(objective=half, owner=w.employee, progress=Decimal("0.5"))
    KeyResultFactory(objective=half, owner=w.report, progress=Decimal("0.2"))  # the report has not scored
    ObjectiveFactory(cycle=cycle, owner=w.admin, team=sales, title="Empty")  # nothing to score
    with w.tenant():
        services.key_result_score(actor=w.manager, key_result=done_kr, score="0.8")
        services.key_result_score(actor=w.employee, key_result=half_first, score="0.5")
    return cycle


def test_the_summary_per_team(a: World) -> None:
    cycle = _cycle(a)
    with a.tenant():
        rows = {row.team_name: row for row in selectors.close_summary(actor=a.admin, cycle=cycle)}
    platform = rows[a.team.name]
    assert (platform.objectives, platform.scored, platform.share_scored) == (2, 1, 50)
    assert platform.average_score == Decimal("0.575")  # (0.8 + (0.5 + 0.2) / 2) / 2
    assert [m.pk for m in platform.not_scored] == [a.report.pk]
    assert (rows["Sales"].objectives, rows["Sales"].scored, rows["Sales"].not_scored) == (1, 0, [])


def test_hr_sees_the_summary_and_reminds_once_a_day(a: World, client_for: Any) -> None:
    from notifications.models import Notification

    cycle = _cycle(a)
    url = reverse("okrs:close_summary", args=[a.org.slug]) + f"?cycle={cycle.pk}"
    assert client_for(a.employee).get(url).status_code == 403
    client = client_for(a.admin)
    page = client.get(url).content.decode()
    assert "50%" in page
    assert a.report.user.full_name in page
    assert (
        reverse("okrs:close_summary", args=[a.org.slug])
        in client.get(reverse("okrs:cycles", args=[a.org.slug])).content.decode()
    )  # reachable from the OKR admin tabs
    remind = reverse("okrs:close_remind", args=[a.org.slug, cycle.pk])
    assert client_for(a.manager).post(remind).status_code == 403
    client.post(remind)
    client.post(remind)  # twice the same day: one reminder
    with a.tenant():
        sent = list(Notification.objects.values_list("recipient_id", "url"))
    assert len(sent) == 1
    assert sent[0][0] == a.report.pk
